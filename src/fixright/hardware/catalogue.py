"""The hardware catalogue in memory: image families and the hardware that runs them. PURE.

Built by `hardware.load` from data files; this module only answers
questions. Names and PIDs are compared case-insensitively: devices print
`CAT9K_IOSXE` where the download is `cat9k_iosxe...`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Origin = Literal["shipped", "override", "added"]

# What may follow a family prefix in a file name: a separator or a digit
# (`asa9-8-4-45-smp-k8.bin`), never a letter, so `c2960` is not `c2960l-...`.
_AFTER_PREFIX = re.compile(r"[^A-Za-z]|$")
# Devices report images with a file system or folder in front.
_PATH_SEPARATORS = re.compile(r"[/\\:]")


def _globs(patterns: Iterable[str]) -> re.Pattern[str] | None:
    parts = [fnmatch.translate(p) for p in patterns]
    if not parts:
        return None
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Family:
    """One image family: the file-name prefix, the hardware that runs it, its trains."""

    id: str
    vendor: str
    os_family: str
    prefix: str
    trains: tuple[str, ...]
    sources: tuple[str, ...]
    models: tuple[str, ...] = ()
    chassis: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    image_globs: tuple[str, ...] = ()
    description: str = ""
    last_release: str | None = None
    end_of_sw_maintenance: date | None = None
    notes: str = ""
    # Where the entry came from; `replaced` names the file whose entry an override replaced.
    origin: Origin = "shipped"
    path: str = ""
    replaced: str | None = None
    _models_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _chassis_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _components_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _images_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_models_re", _globs(self.models))
        object.__setattr__(self, "_chassis_re", _globs(self.chassis))
        object.__setattr__(self, "_components_re", _globs(self.components))
        object.__setattr__(self, "_images_re", _globs(self.image_globs))

    def runs_on(self, model: str) -> bool:
        """True when the PID alone decides that it runs this family."""
        return bool(self._models_re and self._models_re.fullmatch(model))

    def decided_by(self, component: str) -> bool:
        """True when `component` (a supervisor, a route processor) runs this family."""
        return bool(self._components_re and self._components_re.fullmatch(component))

    def is_chassis(self, model: str) -> bool:
        """True when `model` is a chassis that runs this family with the right component."""
        return bool(self._chassis_re and self._chassis_re.fullmatch(model))

    def names_image(self, filename: str) -> bool:
        """True when `filename` (bare, any case) belongs to this family."""
        name = filename.lower()
        prefix = self.prefix.lower()
        if not name.startswith(prefix) or not _AFTER_PREFIX.match(name, len(prefix)):
            return False
        return self._images_re is None or bool(self._images_re.fullmatch(name))


def bare_name(filename: str) -> str:
    """`bootflash:///nxos.9.3.8.bin` -> `nxos.9.3.8.bin`."""
    return _PATH_SEPARATORS.split(filename.strip())[-1]


class Catalogue:
    """An immutable set of families, with the lookups planning and policies need."""

    def __init__(self, families: Iterable[Family]) -> None:
        self._families: dict[str, Family] = {}
        for family in families:
            if family.id in self._families:
                raise ValueError(f"family {family.id!r} is defined twice")
            self._families[family.id] = family
        # Longest prefix first; among equal prefixes, families with globs first.
        self._by_prefix = sorted(
            self._families.values(), key=lambda f: (-len(f.prefix), not f.image_globs, f.id)
        )
        self._lower = {key.lower(): family for key, family in self._families.items()}
        self._image_cache: dict[str, Family | None] = {}
        self._model_cache: dict[tuple[str, str | None, tuple[str, ...]], tuple[Family, ...]] = {}

    def __len__(self) -> int:
        return len(self._families)

    def __iter__(self) -> Iterator[Family]:
        return iter(self._families.values())

    def __contains__(self, family_id: object) -> bool:
        return family_id in self._families

    def get(self, family_id: str) -> Family | None:
        """The family with this id, or None."""
        return self._families.get(family_id)

    def lookup(self, name: str) -> Family | None:
        """The family whose id is `name`, case-insensitively (`eos` is `EOS`), or None."""
        return self._lower.get(name.strip().lower())

    @property
    def overrides(self) -> tuple[Family, ...]:
        """Families an operator file replaced."""
        return tuple(f for f in self._families.values() if f.origin == "override")

    def family_of_image(self, filename: str) -> Family | None:
        """The family of an image file name (the longest matching prefix), or None.

        A folder or file system in front (`bootflash:`) is ignored. Where the
        longest prefix is shared by several families, the one whose
        `image_globs` match wins; none matching means unknown, never a guess.
        """
        name = bare_name(filename)
        if name in self._image_cache:
            return self._image_cache[name]
        found: Family | None = None
        best = -1
        for family in self._by_prefix:
            if len(family.prefix) < best:
                break
            if family.names_image(name):
                found, best = family, len(family.prefix)
                break
            if name.lower().startswith(family.prefix.lower()) and _AFTER_PREFIX.match(
                name, len(family.prefix)
            ):
                best = len(family.prefix)  # the prefix is this one; only its siblings may match
        if len(self._image_cache) < 100_000:
            self._image_cache[name] = found
        return found

    def families_for_model(
        self, model: str, os_family: str | None = None, components: Sequence[str] = ()
    ) -> tuple[Family, ...]:
        """Families whose images this hardware runs, in catalogue order.

        A PID listed under a family's `models` (or itself one of its deciding
        `components`) runs it; a modular chassis runs a family only when one of
        `components` decides it. `os_family` keeps only that OS's families.
        """
        key = (model.strip().upper(), os_family, tuple(c.strip().upper() for c in components))
        cached = self._model_cache.get(key)
        if cached is not None:
            return cached
        pid, parts = key[0], key[2]
        result = tuple(
            f
            for f in self._families.values()
            if (os_family is None or f.os_family == os_family)
            and pid
            and (
                f.runs_on(pid)
                or f.decided_by(pid)
                or (f.is_chassis(pid) and any(f.decided_by(c) for c in parts))
            )
        )
        if len(self._model_cache) < 100_000:
            self._model_cache[key] = result
        return result

    def chassis_families(self, model: str, os_family: str | None = None) -> tuple[Family, ...]:
        """Families `model` runs as a modular chassis, depending on its components."""
        pid = model.strip().upper()
        return tuple(
            f
            for f in self._families.values()
            if pid and f.is_chassis(pid) and (os_family is None or f.os_family == os_family)
        )

    def trains_for(self, family_id: str) -> tuple[str, ...]:
        """The release trains the family has been published in; () for an unknown family.

        An entry may be a glob (`7.3(*)N1`) where a vendor numbers trains per
        release; `publishes` matches those.
        """
        family = self._families.get(family_id)
        return family.trains if family is not None else ()

    def publishes(self, family_id: str, train: str) -> bool | None:
        """Whether `family_id` is published in `train`; None for an unknown family."""
        family = self._families.get(family_id)
        if family is None:
            return None
        return any(fnmatch.fnmatchcase(train.upper(), t.upper()) for t in family.trains)
