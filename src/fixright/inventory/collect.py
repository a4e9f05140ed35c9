"""Collect `show version` (+ inventory) over SSH with netmiko, several hosts at once.

The hosts file is YAML: credentials are named by environment variable,
never written in the file.

    defaults:
      username_env: FIXRIGHT_SSH_USER
      password_env: FIXRIGHT_SSH_PASSWORD
      secret_env: FIXRIGHT_SSH_ENABLE     # optional: enable secret (cisco_ios, cisco_asa)
      port: 22
    hosts:
      - name: core1
        address: 192.0.2.10
        platform: cisco_ios

One unreachable or refusing host is reported and does not stop the others.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fixright.errors import ConfigurationError, InvalidInput
from fixright.inventory.detect import PLATFORMS, canonical_platform

# What to run per platform: show version first, then the inventory command that
# gives the chassis serial and PID where the platform has one.
COMMANDS: dict[str, tuple[str, ...]] = {
    "cisco_ios": ("show version", "show inventory"),
    "cisco_nxos": ("show version", "show inventory"),
    "cisco_asa": ("show version", "show inventory"),
    "cisco_xr": ("show version", "show inventory"),
    "juniper_junos": ("show version", "show chassis hardware"),
    "arista_eos": ("show version", "show inventory"),
    "hp_procurve": ("show system",),
    "aruba_aoscx": ("show system",),
    "aruba_os": ("show version", "show inventory"),
    "hp_comware": ("display device manuinfo",),
    "cisco_ftd": ("show version",),
    "fortinet": ("get system status",),
    "paloalto_panos": ("show system info",),
}
_ENABLE_PLATFORMS = ("cisco_ios", "cisco_asa")
_PLAINTEXT_KEYS = ("password", "secret", "username")


class _HostSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username_env: str | None = None
    password_env: str | None = None
    secret_env: str | None = None
    port: int = Field(22, ge=1, le=65535)
    timeout: float = Field(20.0, gt=0, le=600)


class _Host(_HostSettings):
    name: str = Field(min_length=1, max_length=255)
    address: str = Field(min_length=1, max_length=255)
    platform: str
    port: int | None = Field(None, ge=1, le=65535)  # type: ignore[assignment]
    timeout: float | None = Field(None, gt=0, le=600)  # type: ignore[assignment]


class _HostsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: _HostSettings = Field(default_factory=lambda: _HostSettings.model_validate({}))
    hosts: list[_Host] = Field(min_length=1)


@dataclass(frozen=True)
class Target:
    """One host to collect from, credentials resolved from the environment."""

    name: str
    address: str
    platform: str
    port: int
    username: str
    password: str
    secret: str
    timeout: float


@dataclass(frozen=True)
class Collected:
    """The outcome for one host: the captured text, or why there is none."""

    name: str
    text: str = ""
    error: str = ""


def _location(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def load_targets(
    text: str, source_name: str, environ: Mapping[str, str] | None = None
) -> tuple[list[Target], list[Collected]]:
    """Hosts to collect from, and hosts already failed (a credential variable unset).

    Raises `InvalidInput` naming the file and the YAML path for a malformed file,
    an unknown platform or a plaintext credential.
    """
    env = os.environ if environ is None else environ
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{source_name}:{where} not valid YAML") from None
    if isinstance(data, dict):
        for index, host in enumerate(data.get("hosts") or []):
            if isinstance(host, dict):
                plain = [k for k in _PLAINTEXT_KEYS if k in host]
                if plain:
                    raise InvalidInput(
                        f"{source_name}: hosts[{index}].{plain[0]}: credentials must not be "
                        f"written in the file; name an environment variable with {plain[0]}_env"
                    )
    try:
        parsed = _HostsFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(
            f"{source_name}: {_location(first['loc']) or 'document'}: {first['msg']}"
        ) from None
    targets: list[Target] = []
    failed: list[Collected] = []
    defaults = parsed.defaults
    for index, host in enumerate(parsed.hosts):
        platform = canonical_platform(host.platform)
        if platform is None or platform not in COMMANDS:  # FXOS has no netmiko driver
            raise InvalidInput(
                f"{source_name}: hosts[{index}].platform: unknown platform {host.platform!r}; "
                f"use one of {', '.join(p for p in PLATFORMS if p in COMMANDS)}"
            )
        values: dict[str, str] = {}
        problem = ""
        for what in ("username", "password", "secret"):
            variable = getattr(host, f"{what}_env") or getattr(defaults, f"{what}_env")
            if variable is None:
                if what != "secret":
                    problem = f"no {what}_env for this host or in defaults"
                values[what] = ""
                continue
            value = env.get(variable)
            if value is None:
                problem = f"environment variable {variable} ({what}) is not set"
                value = ""
            values[what] = value
        if problem:
            failed.append(Collected(host.name, error=problem))
            continue
        targets.append(
            Target(
                name=host.name,
                address=host.address,
                platform=platform,
                port=host.port or defaults.port,
                username=values["username"],
                password=values["password"],
                secret=values["secret"],
                timeout=host.timeout or defaults.timeout,
            )
        )
    return targets, failed


def require_ssh() -> None:
    """Fail with one line naming the extra when netmiko is not installed."""
    if importlib.util.find_spec("netmiko") is None:
        raise ConfigurationError(
            "SSH collection needs the ssh extra: pip install 'fixright[ssh]'")


def collect_one(target: Target) -> Collected:
    """Connect, run the platform's commands, return the output with prompt lines.

    Never raises for network or device trouble: the reason is in `error`.
    """
    from netmiko import ConnectHandler
    from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException
    from paramiko.ssh_exception import SSHException

    params = {
        "device_type": target.platform,
        "host": target.address,
        "port": target.port,
        "username": target.username,
        "password": target.password,
        "secret": target.secret,
        "conn_timeout": target.timeout,
        "auth_timeout": target.timeout,
        "banner_timeout": target.timeout,
        "timeout": target.timeout,
        "fast_cli": False,
    }
    try:
        connection = ConnectHandler(**params)
        try:
            if target.platform in _ENABLE_PLATFORMS and target.secret:
                connection.enable()
            parts = []
            for command in COMMANDS[target.platform]:
                output = connection.send_command(command, read_timeout=target.timeout * 3)
                # A prompt line before each output lets the parser cut it into commands.
                parts.append(f"{target.name}#{command}\n{output}\n")
            return Collected(target.name, text="".join(parts))
        finally:
            connection.disconnect()
    except NetmikoAuthenticationException:
        return Collected(target.name, error=f"{target.address}:{target.port}: authentication failed")
    except NetmikoTimeoutException:
        return Collected(target.name, error=f"{target.address}:{target.port}: timed out or unreachable")
    except (SSHException, OSError, EOFError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Collected(target.name, error=f"{target.address}:{target.port}: {reason}")


def collect(
    targets: list[Target],
    *,
    workers: int = 8,
    on_done: Callable[[Collected], None] | None = None,
    collect_fn: Callable[[Target], Collected] = collect_one,
) -> list[Collected]:
    """Collect from every target with at most `workers` sessions at once, in input order."""
    if workers < 1:
        raise InvalidInput("--workers must be at least 1")
    if collect_fn is collect_one and targets:
        require_ssh()
    results: list[Collected] = []
    with ThreadPoolExecutor(max_workers=min(workers, max(len(targets), 1))) as pool:
        for result in pool.map(collect_fn, targets):
            results.append(result)
            if on_done is not None:
                on_done(result)
    return results
