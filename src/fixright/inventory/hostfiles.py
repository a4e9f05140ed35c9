"""Hosts to collect from: fixright's hosts file, Ansible YAML inventories, Nornir SimpleInventory.

Formats followed:

- fixright (docs/inventory.md): `defaults:` and a `hosts:` list; credentials
  are named by environment variable (`username_env`, `password_env`, ...).
- Ansible YAML inventory (Ansible docs, "How to build your inventory"):
  groups (`all`, then `children` nesting) holding `hosts` and `vars`; read
  are `ansible_host`, `ansible_port`, `ansible_network_os` (`cisco.ios.ios`,
  `ios`, ...), `ansible_user`, `ansible_ssh_private_key_file` and a jump host
  from `-o ProxyJump=` / `-J` in `ansible_ssh_common_args`. Host variables win
  over group variables, child groups over their parents.
- Nornir SimpleInventory (Nornir docs, "Inventory"): hosts.yaml maps a name to
  `hostname`, `port`, `username`, `platform`, `groups`, `connection_options`
  (`netmiko: {platform, port, extras: {key_file, use_keys, allow_agent,
  ssh_config_file}}`); groups.yaml and defaults.yaml give what a host lacks,
  groups in order, then their parent groups, then the defaults.

Passwords in these files are never read (Ansible vault values included):
they come from environment variables, as for the fixright format. Keys we do
not use are named once. A missing platform means "autodetect".
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fixright.errors import InvalidInput
from fixright.inventory.detect import PLATFORMS, canonical_platform

# Collection commands exist for these (FXOS has no netmiko driver).
COLLECTABLE = tuple(p for p in PLATFORMS if p != "cisco_fxos")
DEFAULT_ENV = {"username": "FIXRIGHT_SSH_USER", "password": "FIXRIGHT_SSH_PASSWORD",
               "secret": "FIXRIGHT_SSH_ENABLE", "passphrase": "FIXRIGHT_SSH_KEY_PASSPHRASE"}
_PLAINTEXT_KEYS = ("password", "secret", "username")
_SECRET_WORDS = ("password", "pass", "secret", "vault")
_JUMP = re.compile(r"^(?:(?P<user>[^@\s]+)@)?(?P<host>\[[^\]]+\]|[^:\s]+)(?::(?P<port>\d+))?$")


@dataclass(frozen=True)
class HostSpec:
    """One host as a file describes it; credentials still to be taken from the environment."""

    name: str
    address: str
    platform: str | None  # our parser key; None: autodetect
    port: int = 22
    timeout: float = 20.0
    username: str = ""  # a user name written in the inventory (not a secret)
    username_env: str | None = DEFAULT_ENV["username"]
    password_env: str | None = DEFAULT_ENV["password"]
    secret_env: str | None = DEFAULT_ENV["secret"]
    passphrase_env: str | None = DEFAULT_ENV["passphrase"]
    key_file: str = ""
    allow_agent: bool = False
    jump_host: str = ""  # [user@]host[:port]
    ssh_config_file: str = ""


@dataclass
class HostsRead:
    """Hosts of a file, the format it was read as, and what was left out."""

    format: str
    hosts: list[HostSpec] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def parse_jump(text: str, where: str) -> tuple[str, str, int]:
    """(user or "", host, port) of "[user@]host[:port]"; `InvalidInput` naming `where`."""
    match = _JUMP.match(text.strip())
    if not match:
        raise InvalidInput(f"{where}: jump host {text!r} is not [user@]host[:port]")
    port = int(match.group("port") or 22)
    if not 1 <= port <= 65535:
        raise InvalidInput(f"{where}: jump host port {port} is out of range")
    return match.group("user") or "", match.group("host").strip("[]"), port


def _platform(name: Any, where: str) -> str | None:
    if name is None or (isinstance(name, str) and not name.strip()):
        return None
    key = canonical_platform(str(name))
    if key is None or key not in COLLECTABLE:
        raise InvalidInput(
            f"{where}: unknown platform {name!r}; use one of {', '.join(COLLECTABLE)} "
            "(or leave it out to autodetect)"
        )
    return key


class _Loader(yaml.SafeLoader):
    """Safe YAML that reads Ansible's `!vault` and `!unsafe` tags as opaque text."""


def _opaque(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return "<vault>"


def _unsafe(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    return None


_Loader.add_constructor("!vault", _opaque)
_Loader.add_constructor("!unsafe", _unsafe)


def load_yaml(text: str, source_name: str) -> Any:
    """YAML data; `InvalidInput` naming file and line when it is not YAML."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{source_name}:{where} not valid YAML") from None


# ---- fixright's own format -------------------------------------------------


class _HostSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username_env: str | None = None
    password_env: str | None = None
    secret_env: str | None = None
    passphrase_env: str | None = None
    port: int = Field(22, ge=1, le=65535)
    timeout: float = Field(20.0, gt=0, le=600)
    key_file: str | None = None
    allow_agent: bool | None = None
    jump_host: str | None = None
    ssh_config_file: str | None = None


class _Host(_HostSettings):
    name: str = Field(min_length=1, max_length=255)
    address: str = Field(min_length=1, max_length=255)
    platform: str | None = None
    port: int | None = Field(None, ge=1, le=65535)  # type: ignore[assignment]
    timeout: float | None = Field(None, gt=0, le=600)  # type: ignore[assignment]


class _HostsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: _HostSettings = Field(default_factory=lambda: _HostSettings.model_validate({}))
    hosts: list[_Host] = Field(min_length=1)


def _location(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _read_native(data: Any, source_name: str) -> HostsRead:
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
    read = HostsRead("fixright")
    d = parsed.defaults
    for index, host in enumerate(parsed.hosts):
        where = f"{source_name}: hosts[{index}]"
        jump = host.jump_host or d.jump_host or ""
        if jump:
            parse_jump(jump, f"{where}.jump_host")
        read.hosts.append(HostSpec(
            name=host.name, address=host.address,
            platform=_platform(host.platform, f"{where}.platform"),
            port=host.port or d.port, timeout=host.timeout or d.timeout,
            username_env=host.username_env or d.username_env,
            password_env=host.password_env or d.password_env,
            secret_env=host.secret_env or d.secret_env,
            passphrase_env=host.passphrase_env or d.passphrase_env,
            key_file=host.key_file or d.key_file or "",
            allow_agent=bool(host.allow_agent if host.allow_agent is not None else d.allow_agent),
            jump_host=jump, ssh_config_file=host.ssh_config_file or d.ssh_config_file or "",
        ))
    return read


# ---- Ansible ---------------------------------------------------------------

_ANSIBLE_USED = frozenset({
    "ansible_host", "ansible_port", "ansible_network_os", "ansible_user",
    "ansible_ssh_private_key_file", "ansible_ssh_common_args", "ansible_ssh_extra_args",
})


def _proxy_jump(args: str) -> str:
    try:
        words = shlex.split(args)
    except ValueError:
        return ""
    for i, word in enumerate(words):
        if word == "-J" and i + 1 < len(words):
            return words[i + 1].split(",")[-1]
        option = word[2:] if word.startswith("-o") and len(word) > 2 else (
            words[i + 1] if word == "-o" and i + 1 < len(words) else "")
        name, _, value = option.replace(" ", "=", 1).partition("=")
        if name.lower() == "proxyjump" and value:
            return value.split(",")[-1]  # the last hop is the one next to the device
    return ""


def _read_ansible(data: Mapping[str, Any], source_name: str) -> HostsRead:
    host_vars: dict[str, dict[str, Any]] = {}
    group_vars: dict[str, dict[str, Any]] = {}
    unknown: dict[str, None] = {}

    def walk(name: str, group: Any, inherited: dict[str, Any], depth: int) -> None:
        if depth > 50:
            raise InvalidInput(f"{source_name}: group {name}: nested more than 50 deep")
        if group is None:
            return
        if not isinstance(group, dict):
            raise InvalidInput(f"{source_name}: group {name}: expected hosts/children/vars")
        for key in group:
            if key not in ("hosts", "children", "vars"):
                unknown.setdefault(f"group key {key}")
        own = group.get("vars") or {}
        if not isinstance(own, dict):
            raise InvalidInput(f"{source_name}: group {name}.vars: expected a mapping")
        merged = {**inherited, **own}
        hosts = group.get("hosts") or {}
        if not isinstance(hosts, dict):
            raise InvalidInput(f"{source_name}: group {name}.hosts: expected a mapping of hosts")
        for host, values in hosts.items():
            if values is not None and not isinstance(values, dict):
                raise InvalidInput(f"{source_name}: host {host}: expected a mapping of variables")
            host_vars.setdefault(str(host), {}).update(values or {})
            group_vars.setdefault(str(host), {}).update(merged)
        children = group.get("children") or {}
        if not isinstance(children, dict):
            raise InvalidInput(f"{source_name}: group {name}.children: expected a mapping")
        for child, sub in children.items():
            walk(str(child), sub, merged, depth + 1)

    for name, group in data.items():
        walk(str(name), group, {}, 0)
    read = HostsRead("ansible")
    for host, own in host_vars.items():
        values = {**group_vars[host], **own}
        for key in values:
            if key not in _ANSIBLE_USED:
                secret = any(word in key for word in _SECRET_WORDS)
                unknown.setdefault(f"{key} (secrets come from the environment)" if secret else key)
        where = f"{source_name}: host {host}"
        port = values.get("ansible_port", 22)
        if not isinstance(port, int) or not 1 <= port <= 65535:
            raise InvalidInput(f"{where}: ansible_port {port!r} is not a port number")
        args = " ".join(str(values.get(k) or "") for k in ("ansible_ssh_common_args",
                                                            "ansible_ssh_extra_args"))
        jump = _proxy_jump(args)
        if jump:
            parse_jump(jump, f"{where}: ProxyJump")
        read.hosts.append(HostSpec(
            name=host, address=str(values.get("ansible_host") or host),
            platform=_platform(values.get("ansible_network_os"), f"{where}: ansible_network_os"),
            port=port, username=str(values.get("ansible_user") or ""),
            key_file=str(values.get("ansible_ssh_private_key_file") or ""), jump_host=jump,
        ))
    read.ignored = list(unknown)
    if not read.hosts:
        raise InvalidInput(f"{source_name}: the Ansible inventory lists no hosts")
    return read


# ---- Nornir ----------------------------------------------------------------

_NORNIR_USED = frozenset({"hostname", "port", "username", "platform", "groups", "data",
                          "connection_options", "password"})
_EXTRAS_USED = frozenset({"key_file", "use_keys", "allow_agent", "ssh_config_file"})


def _nornir_mapping(data: Any, source_name: str, what: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(v is None or isinstance(v, dict) for v in data.values()):
        raise InvalidInput(f"{source_name}: expected a mapping of {what} names to their settings")
    return {str(k): v or {} for k, v in data.items()}


def _read_nornir(hosts: Mapping[str, Any], source_name: str, groups: Mapping[str, Any],
                 defaults: Mapping[str, Any]) -> HostsRead:
    unknown: dict[str, None] = {}

    def chain(entry: Mapping[str, Any], where: str, seen: tuple[str, ...]) -> list[Mapping[str, Any]]:
        """The entry, then its groups depth-first (Nornir's resolution order)."""
        out = [entry]
        names = entry.get("groups") or []
        if not isinstance(names, list):
            raise InvalidInput(f"{where}.groups: expected a list of group names")
        for name in names:
            if name in seen:
                raise InvalidInput(f"{where}: group {name} includes itself")
            if name not in groups:
                raise InvalidInput(f"{where}: group {name} is not in the groups file")
            out += chain(groups[name], f"{source_name}: group {name}", (*seen, name))
        return out

    def pick(layers: list[Mapping[str, Any]], key: str) -> Any:
        for layer in layers:
            netmiko = (layer.get("connection_options") or {}).get("netmiko") or {}
            if key in ("port", "platform", "username") and netmiko.get(key) is not None:
                return netmiko[key]
            if key in _EXTRAS_USED and (netmiko.get("extras") or {}).get(key) is not None:
                return netmiko["extras"][key]
            if key not in _EXTRAS_USED and layer.get(key) is not None:
                return layer[key]
        return None

    read = HostsRead("nornir")
    for name, entry in hosts.items():
        where = f"{source_name}: host {name}"
        layers = [*chain(entry, where, ()), defaults]
        for layer in layers:
            for key in layer:
                if key not in _NORNIR_USED:
                    unknown.setdefault(key)
            if layer.get("password") is not None:
                unknown.setdefault("password (secrets come from the environment)")
            options = layer.get("connection_options") or {}
            for library in options:
                if library != "netmiko":
                    unknown.setdefault(f"connection_options.{library}")
            extras = (options.get("netmiko") or {}).get("extras") or {}
            for key in extras:
                if key not in _EXTRAS_USED:
                    unknown.setdefault(f"connection_options.netmiko.extras.{key}")
        port = pick(layers, "port") or 22
        if not isinstance(port, int) or not 1 <= port <= 65535:
            raise InvalidInput(f"{where}: port {port!r} is not a port number")
        use_keys = pick(layers, "use_keys")
        read.hosts.append(HostSpec(
            name=name, address=str(pick(layers, "hostname") or name),
            platform=_platform(pick(layers, "platform"), f"{where}: platform"), port=port,
            username=str(pick(layers, "username") or ""),
            key_file=str(pick(layers, "key_file") or "") if use_keys is not False else "",
            allow_agent=bool(pick(layers, "allow_agent")),
            ssh_config_file=str(pick(layers, "ssh_config_file") or ""),
        ))
    read.ignored = list(unknown)
    if not read.hosts:
        raise InvalidInput(f"{source_name}: the Nornir hosts file lists no hosts")
    return read


def read_hosts(text: str, source_name: str, *, groups_text: str = "", defaults_text: str = "",
               groups_name: str = "groups.yaml", defaults_name: str = "defaults.yaml") -> HostsRead:
    """The hosts of a hosts file in any of the three formats (told by its shape).

    Raises `InvalidInput` naming file and place for malformed files, unknown
    platforms and (fixright format) credentials written in the file.
    """
    data = load_yaml(text, source_name)
    if isinstance(data, dict) and isinstance(data.get("hosts"), list):
        return _read_native(data, source_name)
    if isinstance(data, dict) and data and any(
        isinstance(v, dict) and {"hosts", "children", "vars"} & set(v) for v in data.values()
    ):
        return _read_ansible(data, source_name)
    if isinstance(data, dict) and data and all(v is None or isinstance(v, dict)
                                               for v in data.values()):
        groups = _nornir_mapping(load_yaml(groups_text, groups_name) if groups_text else None,
                                 groups_name, "group")
        defaults = load_yaml(defaults_text, defaults_name) if defaults_text else {}
        if not isinstance(defaults or {}, dict):
            raise InvalidInput(f"{defaults_name}: expected a mapping of settings")
        return _read_nornir(_nornir_mapping(data, source_name, "host"), source_name, groups,
                            defaults or {})
    # Let the fixright format's validation name what is wrong.
    return _read_native(data, source_name)
