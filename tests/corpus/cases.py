"""The hostile-input corpus: what each importer and route must refuse cleanly.

Small cases are files in `files/`; large ones (100,000-deep nesting, 5,000-digit
integers, a 200 KB cell, a 1,000,000-column header, the 48 KB line that froze
`csv.Sniffer`) are generated here at test time so the repository stays small.

A case's content depends on the kind of document the target reads (`csv`,
`json`, `toml` or `image`); `None` means the case says nothing about that
kind. `words`: the refusal must name the problem with one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FILES = Path(__file__).parent / "files"
DEEP = 100_000
DEEP_TOML = 45_000  # under the API's 100,000-character policy limit, so the parser sees it
DIGITS = "9" * 5000
CONTRACT_HEADER = "contract,service level,serial,product id,start,end"
DEVICE_HEADER = "serial,vendor,os_family,running_version"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[str, str], bytes | None]  # (kind, target) -> content, or None: n/a
    words: tuple[str, ...]
    filename: str | None = None  # a hostile file name (CRLF); default: the target's own
    symlink: bool = False  # the CLI is given a symbolic link to /etc/passwd


def _file(name: str) -> Callable[[str, str], bytes | None]:
    return lambda kind, _target: None if kind == "image" else (FILES / name).read_bytes()


def _deep(kind: str, _target: str) -> bytes | None:
    if kind == "json":
        return b"[" * DEEP + b"]" * DEEP
    if kind == "toml":
        return b"x = " + b"[" * DEEP_TOML + b"]" * DEEP_TOML + b"\n"
    return None


def _big_int(kind: str, target: str) -> bytes | None:
    if kind == "json":
        return f'{{"document": {{"tracking": {{"version": {DIGITS}}}}}}}'.encode()
    if kind == "toml":
        return f'name = "huge"\nversion = {DIGITS}\n'.encode()
    if kind == "csv" and target == "contracts":
        row = f"C-1,SNT,FOC1,WS-C2960X,2026-01-01,2027-01-01,{DIGITS}"
        return f"{CONTRACT_HEADER},list price\n{row}\n".encode()
    return None


def _long_field(kind: str, target: str) -> bytes | None:
    if kind != "csv":
        return None
    header = CONTRACT_HEADER if target == "contracts" else DEVICE_HEADER
    return f'{header}\n"{"a" * 200_000}",cisco,ios,1\n'.encode()


def _wide_header(kind: str, _target: str) -> bytes | None:
    if kind != "csv":
        return None
    return (",".join(f"c{i}" for i in range(1_000_000)) + "\n1,2,3\n").encode()


def _sniffer_line(kind: str, _target: str) -> bytes | None:
    if kind not in ("csv", "json"):
        return None
    return ('{"a":' * 8000 + "1" + "}" * 8000 + "\n").encode()


def _utf16(kind: str, _target: str) -> bytes | None:
    if kind == "csv":
        return (FILES / "utf16-no-bom.csv").read_bytes()
    if kind in ("json", "toml"):
        return 'name = "x"\n'.encode("utf-16-le")
    return None


def _binary(kind: str, _target: str) -> bytes | None:
    return None if kind == "image" else (FILES / "binary.bin").read_bytes()


def _crlf(kind: str, _target: str) -> bytes | None:
    return (FILES / "binary.bin").read_bytes()


def _unknown_enum(kind: str, target: str) -> bytes | None:
    names = {"devices": "unknown-enum-devices.csv", "contracts": "unknown-enum-contracts.csv",
             "advisories": "unknown-enum-advisory.json", "policy": "unknown-enum-policy.toml",
             "hardware": "unknown-enum-hardware.toml"}
    if kind == "image":
        return b"image bytes with an unknown release kind\n"
    return (FILES / names[target]).read_bytes() if target in names else None


CASES = [
    Case("deep-nesting", _deep, ("nested", "deep", "json")),
    Case("huge-integer", _big_int, ("digits", "number", "json")),
    Case("long-field", _long_field, ("longer", "characters", "cell", "field")),
    Case("million-columns", _wide_header, ("columns",)),
    Case("sniffer-line", _sniffer_line, ("column", "header", "nested", "not a", "json")),
    Case("utf16-no-bom", _utf16, ("utf-16", "json")),
    Case("binary", _binary, ("binary", "utf-8", "not valid", "not a", "not toml", "json")),
    Case("empty", _file("empty.txt"), ("empty", "nothing", "no ", "0 bytes", "at least",
                                       "required")),
    Case("symlink", _file("empty.txt"), ("symbolic link",), symlink=True),
    Case("crlf-name", _crlf, ("binary", "utf-8", "not valid", "not a", "file name", "name"),
         filename="evil\r\nerror: forged line.txt"),
    Case("unknown-enum", _unknown_enum, ("kind", "level", "category", "unknown", "not a",
                                         "support_level", "date", "source", "must be")),
]

# Route parameters: (method, path, as the operator?, words).
HUGE = str(10**19 + 1)
ROUTES = [
    ("GET", f"/api/v1/devices?offset={HUGE}", False, ("offset",)),
    ("GET", f"/api/v1/devices?limit={DIGITS}", False, ("limit",)),
    ("GET", f"/api/v1/devices/{HUGE}", False, ("device_id",)),
    ("GET", f"/api/v1/devices/{DIGITS}", False, ("device_id",)),
    ("GET", "/api/v1/devices/-1", False, ("device_id",)),
    ("GET", f"/api/v1/images/{HUGE}", False, ("image_id",)),
    ("GET", f"/api/v1/images/{HUGE}/entitlement", False, ("image_id",)),
    ("POST", f"/api/v1/images/{HUGE}/download", False, ("image_id",)),
    ("GET", f"/api/v1/audit/events?offset={HUGE}", True, ("offset",)),
    ("GET", "/api/v1/audit/events?since=99999-01-01T00:00:00", True, ("since",)),
    ("GET", f"/api/v1/audit/events?since={DIGITS}", True, ("since",)),
    ("GET", "/api/v1/contracts?status=galactic", False, ("status",)),
    ("GET", f"/api/v1/contracts/expiring?within_days={HUGE}", False, ("within_days",)),
    ("GET", f"/api/v1/advisories?offset={HUGE}", False, ("offset",)),
    ("GET", "/api/v1/advisories?severity=apocalyptic", False, ("severity", "apocalyptic")),
    ("GET", "/api/v1/exposure?status=galactic", False, ("status",)),
    ("GET", f"/api/v1/fixes?offset={HUGE}", False, ("offset",)),
    ("GET", f"/api/v1/releases?offset={HUGE}", False, ("offset",)),
    ("GET", f"/api/v1/images?offset={HUGE}", False, ("offset",)),
    ("GET", f"/api/v1/contracts?offset={HUGE}", False, ("offset",)),
    ("GET", "/api/v1/devices?search=%00%0d%0a", False, ("search",)),
    ("GET", "/api/v1/contracts/C%00-1", False, ("number",)),
    ("GET", "/dl/not-a-token/x%0d%0aSet-Cookie:%20a=b", False, ("link", "token")),
    ("GET", f"/devices/{HUGE}", False, ("no such page",)),
    ("POST", f"/images/{HUGE}/download", False, ("no such page",)),
    ("GET", f"/advisories?page={HUGE}", False, ("no such page",)),
]
