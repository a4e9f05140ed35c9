"""Read hardware files (the shipped ones and an operator's) into a `Catalogue`.

Every problem becomes one `InvalidInput` line naming the file, the line and
the field; a file with any problem contributes nothing. Operator entries
replace shipped entries of the same id (listed as overrides) or add new ones.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from fixright.config import Settings
from fixright.errors import InvalidInput
from fixright.hardware.catalogue import Catalogue, Family, Origin
from fixright.hardware.schema import FamilyEntry, HardwareFile
from fixright.safe_open import read_regular
from fixright.tomltext import load_toml

MAX_FILE_BYTES = 2 * 1024 * 1024
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def _header_line(lines: Sequence[str], family_id: str) -> int | None:
    quoted = re.escape(family_id)
    header = re.compile(rf"^\s*\[\s*families\s*\.\s*(?:{quoted}|\"{quoted}\"|'{quoted}')\s*\]")
    for number, line in enumerate(lines, 1):
        if header.match(line):
            return number
    return None


def _key_line(lines: Sequence[str], key: str, start: int) -> int | None:
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if number > start and line.lstrip().startswith("["):
            break
        if pattern.match(line):
            return number
    return None


def locate(text: str, loc: Sequence[str | int]) -> int:
    """The line of the entry a validation error's `loc` points at (1 when nothing better).

    tomllib keeps no positions for values, so the key is found in the text:
    `("families", "c3560cx", "trains")` is the `trains =` line of the
    `[families.c3560cx]` table, or the table's header if the key is missing.
    """
    lines = text.splitlines()
    keys = [str(part) for part in loc if isinstance(part, str)]
    if len(keys) >= 2 and keys[0] == "families":
        start = _header_line(lines, keys[1])
        if start is None:  # written inline or dotted: the id's first mention
            for number, line in enumerate(lines, 1):
                if keys[1] in line:
                    return number
            return 1
        if len(keys) >= 3:
            return _key_line(lines, keys[2], start) or start
        return start
    if keys:
        return _key_line(lines, keys[0], 1) or 1
    return 1


def _where(loc: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


def parse_text(text: str, name: str) -> HardwareFile:
    """A hardware file's text as a validated `HardwareFile`; `name` is used in errors."""
    if not text.strip():
        raise InvalidInput(f"{name}: empty file; a hardware file has [families.*] tables")
    try:
        raw = load_toml(text, name)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        line = found.group(1) if found else "1"
        reason = _TOML_POSITION.sub("", str(exc)).strip()
        raise InvalidInput(f"{name}, line {line}: not TOML: {reason}") from None
    families = raw.get("families")
    if families is not None and not isinstance(families, dict):
        raise InvalidInput(f"{name}, line {locate(text, ['families'])}, field families: must be a table")
    try:
        document = HardwareFile.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [part for part in error["loc"] if part != "schema_"] or ["schema"]
        message = error["msg"].removeprefix("Value error, ")
        more = len(exc.errors()) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise InvalidInput(
            f"{name}, line {locate(text, loc)}, field {_where(loc)}: {message}{tail}"
        ) from None
    for key, entry in document.families.items():
        if entry.vendor is None and document.vendor is None:
            raise InvalidInput(
                f"{name}, line {locate(text, ['families', key])}, field families.{key}.vendor: "
                "no vendor (set `vendor` in the file or in the entry)"
            )
    return document


def read_file(path: Path) -> HardwareFile:
    """Read and validate one hardware file from disk."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(f"{path}: {size} bytes is more than a hardware file may hold")
        data = read_regular(path)
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 (byte {exc.start})") from None
    return parse_text(text, str(path))


def _families(document: HardwareFile, path: str, origin: Origin) -> list[Family]:
    return [_family(key, entry, document, path, origin) for key, entry in document.families.items()]


def _family(key: str, entry: FamilyEntry, document: HardwareFile, path: str, origin: Origin) -> Family:
    vendor = entry.vendor or document.vendor or ""
    return Family(
        id=key,
        vendor=vendor,
        os_family=entry.os_family,
        prefix=entry.prefix or key,
        trains=tuple(entry.trains),
        sources=tuple(entry.sources) + tuple(s for s in document.sources if s not in entry.sources),
        models=tuple(entry.models),
        chassis=tuple(entry.chassis),
        components=tuple(entry.components),
        image_globs=tuple(entry.image_globs),
        description=entry.description,
        last_release=entry.last_release,
        end_of_sw_maintenance=entry.end_of_sw_maintenance,
        notes=entry.notes,
        origin=origin,
        path=path,
    )


def _shipped_files() -> list[tuple[str, str]]:
    folder = resources.files("fixright.hardware") / "data"
    return sorted(
        (f"fixright/hardware/data/{item.name}", item.read_text(encoding="utf-8"))
        for item in folder.iterdir()
        if item.name.endswith(".toml")
    )


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[Family, ...]:
    families: dict[str, Family] = {}
    for name, text in _shipped_files():
        for family in _families(parse_text(text, name), name, "shipped"):
            if family.id in families:
                raise InvalidInput(
                    f"{name}: family {family.id!r} is also defined in {families[family.id].path}"
                )
            families[family.id] = family
    return tuple(families.values())


def load_catalogue(extra: Iterable[Path] = ()) -> Catalogue:
    """The shipped catalogue, with each operator file in `extra` applied in order.

    An operator entry with a shipped id replaces it (origin `override`,
    `replaced` naming the shipped file); a new id is `added`. Any invalid
    file raises `InvalidInput` and nothing is loaded.
    """
    families = {f.id: f for f in _shipped()}
    for path in extra:
        document = read_file(path)
        for family in _families(document, str(path), "added"):
            previous = families.get(family.id)
            if previous is not None and previous.origin != "added":
                shipped_path = previous.replaced if previous.origin == "override" else previous.path
                family = replace(family, origin="override", replaced=shipped_path)
            families[family.id] = family
    return Catalogue(families.values())


def catalogue_from_settings(path: Path | None, extra: Sequence[Path] = ()) -> Catalogue:
    """The catalogue for this process: `FIXRIGHT_HARDWARE_PATH` (if set) then `extra`."""
    paths = ([path] if path is not None else []) + list(extra)
    return load_catalogue(paths) if paths else shipped_catalogue()


@functools.lru_cache(maxsize=1)
def shipped_catalogue() -> Catalogue:
    """The catalogue of the shipped files alone (built once per process)."""
    return Catalogue(_shipped())



_ACTIVE: dict[str, tuple[tuple[object, ...], Catalogue]] = {}
_PATH_SETTING: dict[str, tuple[tuple[str, ...], Path | None]] = {}
_PATH_VARIABLE = "FIXRIGHT_HARDWARE_PATH"


def _hardware_path() -> Path | None:
    """`Settings().hardware_path`, built again only when its environment variable changes.

    Building the settings reads and validates every variable: a download
    decision asks for the catalogue several times, and it cost more than the decision.
    """
    raw = (os.environ.get(_PATH_VARIABLE) or "", os.environ.get(_PATH_VARIABLE.lower()) or "")
    cached = _PATH_SETTING.get("path")
    if cached is None or cached[0] != raw:
        cached = _PATH_SETTING["path"] = (raw, Settings().hardware_path)
    return cached[1]


def active_catalogue() -> Catalogue:
    """The catalogue services decide with: shipped data plus `FIXRIGHT_HARDWARE_PATH`.

    Read again when that setting or the file's size or time changes, so an
    operator's correction applies without a restart; an invalid file raises
    `InvalidInput` (one line naming file, line and field) rather than being
    half-applied.
    """
    path = _hardware_path()
    if path is None:
        return shipped_catalogue()
    try:
        stat = path.stat()
        stamp: tuple[object, ...] = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (str(path), None, None)
    cached = _ACTIVE.get("active")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    catalogue = load_catalogue([path])
    _ACTIVE["active"] = (stamp, catalogue)
    return catalogue
