"""Collect `show version` (+ inventory) over SSH with netmiko, several hosts at once.

Hosts come from a hosts file (fixright's format, an Ansible YAML inventory or
a Nornir SimpleInventory: see `hostfiles`); credentials from environment
variables, never from the file:

    defaults:
      username_env: FIXRIGHT_SSH_USER
      password_env: FIXRIGHT_SSH_PASSWORD
      secret_env: FIXRIGHT_SSH_ENABLE     # optional: enable secret (cisco_ios, cisco_asa)
      key_file: ~/.ssh/id_ed25519         # optional: key authentication (agent: allow_agent)
      jump_host: ops@bastion.example.net  # optional: reach the hosts through this one
      port: 22
    hosts:
      - name: core1
        address: 192.0.2.10
        platform: cisco_ios                # leave out to autodetect

Each host: connection errors are retried with exponential backoff (not an
authentication failure), one unreachable or refusing host is reported and
does not stop the others.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from fixright.errors import ConfigurationError, InvalidInput
from fixright.inventory.detect import canonical_platform
from fixright.inventory.hostfiles import HostSpec, parse_jump, read_hosts

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


@dataclass(frozen=True)
class Target:
    """One host to collect from, credentials resolved from the environment."""

    name: str
    address: str
    platform: str | None  # None: netmiko's SSHDetect decides
    port: int
    username: str
    password: str
    secret: str
    timeout: float
    key_file: str = ""
    passphrase: str = ""
    allow_agent: bool = False
    jump_host: str = ""  # [user@]host[:port]
    ssh_config_file: str = ""


@dataclass(frozen=True)
class Collected:
    """The outcome for one host: the captured text, or why there is none."""

    name: str
    text: str = ""
    error: str = ""
    attempts: int = 1
    platform: str = ""  # the platform used (autodetected or given)


@dataclass(frozen=True)
class Overrides:
    """Command-line settings for every host that does not set its own."""

    key_file: str = ""
    allow_agent: bool = False
    jump_host: str = ""
    ssh_config_file: str = ""


def resolve(
    specs: list[HostSpec], environ: Mapping[str, str] | None = None,
    overrides: Overrides | None = None,
) -> tuple[list[Target], list[Collected]]:
    """Targets with credentials from the environment, and hosts already failed for lack of one."""
    env = os.environ if environ is None else environ
    extra = overrides or Overrides()
    targets: list[Target] = []
    failed: list[Collected] = []
    for spec in specs:
        key_file = os.path.expanduser(spec.key_file or extra.key_file)
        agent = spec.allow_agent or extra.allow_agent
        values: dict[str, str] = {}
        problem = ""
        for what in ("username", "password", "secret", "passphrase"):
            variable = getattr(spec, f"{what}_env")
            value = env.get(variable) if variable else None
            if what == "username" and spec.username:
                value = spec.username
            optional = what in ("secret", "passphrase") or (what == "password" and (key_file or agent))
            if value is None and not optional and not problem:
                problem = (f"environment variable {variable} ({what}) is not set" if variable
                           else f"no {what}_env for this host or in defaults")
            values[what] = value or ""
        if problem:
            failed.append(Collected(spec.name, error=problem))
            continue
        targets.append(Target(
            name=spec.name, address=spec.address, platform=spec.platform, port=spec.port,
            username=values["username"], password=values["password"], secret=values["secret"],
            timeout=spec.timeout, key_file=key_file, passphrase=values["passphrase"],
            allow_agent=agent, jump_host=spec.jump_host or extra.jump_host,
            ssh_config_file=os.path.expanduser(spec.ssh_config_file or extra.ssh_config_file),
        ))
    return targets, failed


def require_ssh() -> None:
    """Fail with one line naming the extra when netmiko is not installed."""
    if importlib.util.find_spec("netmiko") is None:
        raise ConfigurationError(
            "SSH collection needs the ssh extra: pip install 'fixright[ssh]'")


def load_targets(
    text: str, source_name: str, environ: Mapping[str, str] | None = None,
    overrides: Overrides | None = None,
) -> tuple[list[Target], list[Collected]]:
    """Hosts to collect from (any hosts-file format), and hosts already failed.

    Raises `InvalidInput` naming the file and place for a malformed file,
    an unknown platform or a plaintext credential.
    """
    return resolve(read_hosts(text, source_name).hosts, environ, overrides)


def _params(target: Target, platform: str) -> dict[str, Any]:
    return {
        "device_type": platform,
        "host": target.address,
        "port": target.port,
        "username": target.username,
        "password": target.password or None,
        "secret": target.secret,
        "use_keys": bool(target.key_file or target.allow_agent),
        "key_file": target.key_file or None,
        "passphrase": target.passphrase or None,
        "allow_agent": target.allow_agent,
        "ssh_config_file": target.ssh_config_file or None,
        "conn_timeout": target.timeout,
        "auth_timeout": target.timeout,
        "banner_timeout": target.timeout,
        "timeout": target.timeout,
        "fast_cli": False,
    }


@contextmanager
def _jump_socket(target: Target) -> Iterator[Any]:
    """A `direct-tcpip` channel to the target through the jump host (None without one)."""
    if not target.jump_host:
        yield None
        return
    import paramiko  # only when a jump host is used: keeps `fixright --help` quick

    user, host, port = parse_jump(target.jump_host, target.name)
    client = paramiko.SSHClient()
    # As netmiko does by default (ssh_strict=False): inventories rarely ship host keys.
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # noqa: S507
    try:
        client.connect(
            host, port=port, username=user or target.username,
            password=target.password or None, key_filename=target.key_file or None,
            passphrase=target.passphrase or None, allow_agent=target.allow_agent,
            look_for_keys=False, timeout=target.timeout, banner_timeout=target.timeout,
            auth_timeout=target.timeout,
        )
        transport = client.get_transport()
        if transport is None:
            raise paramiko.SSHException(f"jump host {host}:{port}: no transport")
        try:
            channel = transport.open_channel(
                "direct-tcpip", (target.address, target.port), ("127.0.0.1", 0),
                timeout=target.timeout,
            )
        except paramiko.ChannelException as exc:
            raise paramiko.SSHException(
                f"jump host {host}:{port} cannot reach {target.address}:{target.port} "
                f"({exc.text})") from None
        yield channel
    finally:
        client.close()


def _is_connection_error(exc: BaseException) -> bool:
    # paramiko/netmiko (the ssh extra, slow to import) load only when collecting: the
    # devices CLI imports this module for every devices command.
    from paramiko.ssh_exception import AuthenticationException, SSHException

    if isinstance(exc, AuthenticationException):
        return False  # a wrong password stays wrong; retrying only locks accounts
    return isinstance(exc, (SSHException, OSError, EOFError))


def _detect(target: Target) -> str:
    from netmiko import SSHDetect  # the ssh extra, only when collecting (see above)

    with _jump_socket(target) as sock:
        params = _params(target, "autodetect")
        params["sock"] = sock
        detector = SSHDetect(**params)
        try:
            best = detector.autodetect()
        finally:
            detector.connection.disconnect()
    platform = canonical_platform(best) if best else None
    if best is None:
        raise _Unreadable("autodetect could not tell the platform; give it in the hosts file")
    if platform is None or platform not in COMMANDS:
        raise _Unreadable(f"autodetected {best}, which fixright does not collect")
    return platform


class _Unreadable(Exception):
    """A host that answered, but not in a way fixright can use (not retried)."""


def _session(target: Target, platform: str) -> str:
    from netmiko import ConnectHandler  # the ssh extra, only when collecting

    with _jump_socket(target) as sock:
        params = _params(target, platform)
        params["sock"] = sock
        connection = ConnectHandler(**params)
        try:
            if platform in _ENABLE_PLATFORMS and target.secret:
                connection.enable()
            parts = []
            for command in COMMANDS[platform]:
                output = connection.send_command(command, read_timeout=target.timeout * 3)
                # A prompt line before each output lets the parser cut it into commands.
                parts.append(f"{target.name}#{command}\n{output}\n")
            return "".join(parts)
        finally:
            connection.disconnect()


def collect_one(target: Target, *, retries: int = 2, backoff: float = 1.0) -> Collected:
    """Connect (through the jump host, detecting the platform if none is given), run the
    platform's commands, return the output with prompt lines.

    Connection errors are tried `retries` more times, waiting `backoff`, 2x, 4x...
    seconds (at most 30) between tries. Never raises for network or device
    trouble: the reason is in `error`.
    """
    # The ssh extra, only when collecting (see _is_connection_error).
    from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException
    from paramiko.ssh_exception import AuthenticationException

    attempts = 0
    platform = target.platform or ""

    def run() -> str:
        nonlocal attempts, platform
        attempts += 1
        if not platform:
            platform = _detect(target)
        return _session(target, platform)

    where = f"{target.address}:{target.port}" + (f" via {target.jump_host}" if target.jump_host else "")
    try:
        for attempt in Retrying(
            stop=stop_after_attempt(retries + 1),
            wait=wait_exponential(multiplier=backoff, max=30),
            retry=retry_if_exception(_is_connection_error), reraise=True,
        ):
            with attempt:
                text = run()
        return Collected(target.name, text=text, attempts=attempts, platform=platform)
    except (NetmikoAuthenticationException, AuthenticationException):
        error = "authentication failed"
    except NetmikoTimeoutException:
        error = "timed out or unreachable"
    except _Unreadable as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one host's trouble never stops the others
        error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    suffix = f" (after {attempts} tries)" if attempts > 1 else ""
    return Collected(target.name, error=f"{where}: {error}{suffix}", attempts=attempts,
                     platform=platform)


def collect(
    targets: list[Target],
    *,
    workers: int = 8,
    retries: int = 2,
    backoff: float = 1.0,
    on_done: Callable[[Collected], None] | None = None,
    collect_fn: Callable[[Target], Collected] | None = None,
) -> list[Collected]:
    """Collect from every target with at most `workers` sessions at once, in input order."""
    if workers < 1:
        raise InvalidInput("--workers must be at least 1")
    if retries < 0:
        raise InvalidInput("--retries must be 0 or more")

    def one(target: Target) -> Collected:
        if collect_fn is not None:
            return collect_fn(target)
        return collect_one(target, retries=retries, backoff=backoff)

    if collect_fn is None and targets:
        require_ssh()
    results: dict[int, Collected] = {}
    with ThreadPoolExecutor(max_workers=min(workers, max(len(targets), 1))) as pool:
        futures = {pool.submit(one, target): index for index, target in enumerate(targets)}
        for future in as_completed(futures):  # progress moves as hosts finish, in any order
            result = future.result()
            results[futures[future]] = result
            if on_done is not None:
                on_done(result)
    return [results[index] for index in range(len(targets))]
