"""Hypothesis strategies built from each family's grammar.

Every family strategy draws the parts of one release, then spells it twice in
independently chosen styles (zero padding, letter case, device or advisory
form, decorations a device adds). Both spellings must parse to the same
Version. `release(family)` draws one spelling; `spellings(family)` draws the
pair; `bumped(family)` draws a release and the same release with its last
number made larger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from hypothesis import strategies as st

GENERIC_NAMES = ["generic", "aoscx", "procurve", "comware", "fortiweb"]


def _num(n: int, pad: bool) -> str:
    return f"{n:02d}" if pad else str(n)


def _case(text: str, style: int) -> str:
    return text if style == 0 else text.lower() if style == 1 else text.upper()


letters = st.sampled_from(["", "", "", "a", "b", "c", "z"])
small = st.integers(min_value=0, max_value=40)
big = st.integers(min_value=0, max_value=100_000)
style = st.integers(min_value=0, max_value=2)


# --- one dataclass per grammar: parts of a release, and how to spell them ----


@dataclass(frozen=True)
class Ios:
    major: int
    minor: int
    throttle: tuple[int, ...]
    tletter: str
    train: str
    maint: int | None
    mletter: str

    def spell(self, s: int) -> str:
        throttle = ".".join(_num(n, s == 2 and i == 0) for i, n in enumerate(self.throttle))
        text = (
            f"{self.major}.{self.minor}({throttle}{_case(self.tletter, s)}){_case(self.train, s)}"
        )
        if self.maint is not None:
            text += f"{self.maint}{_case(self.mletter, 2 - s)}"
        return text

    def bump(self) -> Ios:
        if self.maint is not None:
            return replace(self, maint=self.maint + 1, mletter="")
        return replace(self, throttle=(self.throttle[0] + 1,), tletter="")


@st.composite
def ios(draw: st.DrawFn) -> Ios:
    train = draw(
        st.sampled_from(["", "E", "M", "T", "S", "SE", "SG", "SXI", "EX", "EZ", "SRE", "B"])
        | st.text(alphabet="ABCDEGHIJKLNOPQRSTUVWXYZ", min_size=1, max_size=4)
    )
    maint = draw(st.none() | small) if train else None
    return Ios(
        major=draw(st.integers(10, 15)),
        minor=draw(st.integers(0, 9)),
        throttle=tuple(draw(st.lists(small, min_size=1, max_size=3))),
        tletter=draw(letters),
        train=train,
        maint=maint,
        mletter=draw(letters) if maint is not None else "",
    )


@dataclass(frozen=True)
class IosXe:
    major: int
    minor: int
    patch: int | None
    rebuild: str
    suffix: str
    rebuildnum: int | None = None

    def spell(self, s: int) -> str:
        pad = s != 0
        text = f"{_num(self.major, pad)}.{_num(self.minor, pad)}"
        if self.patch is not None:
            text += f".{_num(self.patch, pad)}"
        if self.major >= 16:
            number = "" if self.rebuildnum is None else str(self.rebuildnum)
            if self.rebuild and self.suffix:  # only the case tells "aSW" apart
                return text + self.rebuild + self.suffix
            return text + _case(self.rebuild, s) + number + _case(self.suffix, s)
        # Devices print 3.x as 03.16.10.S; advisories as 3.16.10S.
        return text + self.rebuild + ("." if s == 2 else "") + _case(self.suffix, 2 if s < 2 else 1)

    def bump(self) -> IosXe:
        if self.patch is None:
            return replace(self, minor=self.minor + 1)
        return replace(
            self,
            patch=self.patch + 1,
            rebuild="",
            rebuildnum=None,
            suffix=self.suffix if self.major < 16 else "",
        )


@st.composite
def iosxe(draw: st.DrawFn) -> IosXe:
    if draw(st.booleans()):
        suffix = draw(st.sampled_from(["S", "E", "SG", "SE", "SP", "SQ"]))
        return IosXe(3, draw(st.integers(1, 18)), draw(small), draw(letters), suffix)
    patch = draw(st.none() | small)
    rebuild = draw(letters) if patch is not None else ""
    rebuildnum = draw(st.none() | small) if rebuild else None
    suffix = draw(st.sampled_from(["", "", "", "SW", "XYZ"])) if rebuildnum is None else ""
    major, minor = draw(st.integers(16, 40)), draw(st.integers(1, 18))
    return IosXe(major, minor, patch, rebuild, suffix, rebuildnum)


@dataclass(frozen=True)
class Nxos:
    major: int
    minor: int
    throttle: int
    tletter: str
    train: str
    trainnum: int
    maint: int | None
    mletter: str

    def spell(self, s: int) -> str:
        text = f"{self.major}.{self.minor}({self.throttle}{_case(self.tletter, s)})"
        if self.train:
            text += f"{_case(self.train, s)}{self.trainnum}"
            if self.maint is not None:
                text += f"({self.maint}{self.mletter})"
        elif self.major >= 10 and s:
            text += "F" if s == 1 else " [Maintenance Release]"
        return text

    def bump(self) -> Nxos:
        if self.maint is not None:
            return replace(self, maint=self.maint + 1, mletter="")
        return replace(self, throttle=self.throttle + 1, tletter="", train="", maint=None)


@st.composite
def nxos(draw: st.DrawFn) -> Nxos:
    train = draw(st.sampled_from(["", "", "I", "N", "A", "U", "SV"]))
    maint = draw(st.none() | small) if train else None
    return Nxos(
        major=draw(st.integers(4, 16)),
        minor=draw(st.integers(0, 5)),
        throttle=draw(small),
        tletter=draw(letters),
        train=train,
        trainnum=draw(st.integers(1, 9)) if train else 0,
        maint=maint,
        mletter=draw(letters) if maint is not None else "",
    )


@dataclass(frozen=True)
class Asa:
    major: int
    minor: int
    throttle: int
    maint: int | None

    def spell(self, s: int) -> str:
        if s == 0:
            return f"{self.major}.{self.minor}({self.throttle}){'' if self.maint is None else self.maint}"
        return f"{self.major}.{self.minor}.{self.throttle}" + (
            "" if self.maint is None else f".{self.maint}"
        )

    def bump(self) -> Asa:
        if self.maint is None:
            return replace(self, throttle=self.throttle + 1)
        return replace(self, maint=self.maint + 1)


@st.composite
def asa(draw: st.DrawFn) -> Asa:
    return Asa(draw(st.integers(8, 9)), draw(small), draw(small), draw(st.none() | big))


@dataclass(frozen=True)
class Junos:
    major: int
    minor: int
    kind: str
    num: int
    spin: str
    spinnum: int
    build: int
    evo: bool

    def spell(self, s: int) -> str:
        text = f"{self.major}.{self.minor}"
        if self.kind:
            text += f"{_case(self.kind, s)}{self.num}"
            if self.spin:
                text += f"-{_case(self.spin, s)}{self.spinnum}"
            if s:
                text += f".{self.build}"
        return text + ("-EVO" if self.evo else "")

    def bump(self) -> Junos:
        if self.spin:
            return replace(self, spinnum=self.spinnum + 1)
        if self.kind:
            return replace(self, num=self.num + 1)
        return replace(self, minor=self.minor + 1)


@st.composite
def junos(draw: st.DrawFn) -> Junos:
    kind = draw(st.sampled_from(["", "R", "R", "X", "B", "F", "I"]))
    spin = {"R": "S", "X": "D"}.get(kind, "") if draw(st.booleans()) else ""
    return Junos(
        major=draw(st.integers(9, 25)),
        minor=draw(st.integers(1, 4)),
        kind=kind,
        num=draw(st.integers(1, 80)),
        spin=spin,
        spinnum=draw(st.integers(1, 300)),
        build=draw(st.integers(1, 20)),
        evo=draw(st.booleans()),
    )


@dataclass(frozen=True)
class Dotted:
    """EOS and IOS XR: dotted numbers and a release letter."""

    family: str
    numbers: tuple[int, ...]
    letter: str
    build: str

    def spell(self, s: int) -> str:
        text = ".".join(map(str, self.numbers)) + _case(self.letter, s)
        if s and self.family == "iosxr":
            return text + " LNT"
        return text + (self.build if s and self.family == "eos" else "")

    def bump(self) -> Dotted:
        return replace(self, numbers=(*self.numbers[:-1], self.numbers[-1] + 1))


@st.composite
def eos(draw: st.DrawFn) -> Dotted:
    numbers = tuple(draw(st.lists(small, min_size=2, max_size=4)))
    build = draw(st.sampled_from(["-39953990.4316M", "-1", "-Virtual"]))
    return Dotted("eos", numbers, draw(st.sampled_from(["", "M", "F"])), build)


@st.composite
def iosxr(draw: st.DrawFn) -> Dotted:
    numbers = tuple(draw(st.lists(small, min_size=2, max_size=4)))
    return Dotted("iosxr", numbers, draw(st.sampled_from(["", "", "I"])), "")


@dataclass(frozen=True)
class Generic:
    family: str
    prefix: str
    numbers: tuple[int, ...]
    tail: tuple[tuple[str, str], ...]  # (separator, word or number)

    def spell(self, s: int) -> str:
        text = _case(self.prefix, s) + ".".join(_num(n, s == 2) for n in self.numbers)
        return text + "".join(sep + _case(part, s) for sep, part in self.tail)

    def bump(self) -> Generic:
        return replace(self, numbers=(*self.numbers[:-1], self.numbers[-1] + 1), tail=())


@st.composite
def generic(draw: st.DrawFn) -> Generic:
    tail = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["-", "_", "+", "."]),
                st.sampled_from(["h", "beta", "rc", "build", "1", "12", "p"]),
            ),
            max_size=2,
        )
    )
    return Generic(
        family=draw(st.sampled_from(GENERIC_NAMES)),
        prefix=draw(st.sampled_from(["", "", "FL.", "K.", "WC.", "V"])),
        numbers=tuple(draw(st.lists(big, min_size=1, max_size=4))),
        tail=tuple(tail),
    )


@dataclass(frozen=True)
class Fortinet:
    """FortiOS and its siblings: `7.4.3`, as devices print it `v7.4.3,build2795,250523 (GA.M)`."""

    family: str
    numbers: tuple[int, int, int]
    build: int

    def spell(self, s: int) -> str:
        text = ".".join(map(str, self.numbers))
        if s == 1:
            return f"v{text},build{self.build:04d},250523 (GA.M)"
        return f"{text} build{self.build}" if s == 2 else text

    def bump(self) -> Fortinet:
        return replace(self, numbers=(*self.numbers[:2], self.numbers[2] + 1))


FORTINET_NAMES = ["fortios", "fortiswitch", "fortiap", "fortimanager", "fortianalyzer", "fortiproxy"]


@st.composite
def fortinet(draw: st.DrawFn) -> Fortinet:
    return Fortinet(
        draw(st.sampled_from(FORTINET_NAMES)),
        (draw(st.integers(4, 8)), draw(small), draw(small)),
        draw(st.integers(1, 9999)),
    )


@dataclass(frozen=True)
class Panos:
    numbers: tuple[int, int, int]
    hotfix: int | None

    def spell(self, s: int) -> str:
        text = ".".join(map(str, self.numbers))
        return text if self.hotfix is None else f"{text}-{'H' if s == 1 else 'h'}{self.hotfix}"

    def bump(self) -> Panos:
        if self.hotfix is None:
            return replace(self, numbers=(*self.numbers[:2], self.numbers[2] + 1))
        return replace(self, hotfix=self.hotfix + 1)


@st.composite
def panos(draw: st.DrawFn) -> Panos:
    numbers = (draw(st.integers(8, 12)), draw(small), draw(small))
    return Panos(numbers, draw(st.none() | st.integers(1, 30)))


@dataclass(frozen=True)
class Firepower:
    """FTD (`7.4.2.1`, `7.0.1 (Build 84)`) and FXOS (`2.12(0.498)` == `2.12.0.498`)."""

    family: str
    numbers: tuple[int, ...]
    build: int

    def spell(self, s: int) -> str:
        text = ".".join(map(str, self.numbers))
        if s == 0:
            return text
        if self.family == "fxos" and len(self.numbers) >= 3:
            major, minor, *inner = self.numbers
            return f"{major}.{minor}({'.'.join(map(str, inner))})"
        return f"{text} (Build {self.build})" if s == 1 else f"{text}-{self.build}"

    def bump(self) -> Firepower:
        return replace(self, numbers=(*self.numbers[:-1], self.numbers[-1] + 1))


@st.composite
def ftd(draw: st.DrawFn) -> Firepower:
    numbers = tuple(draw(st.lists(small, min_size=2, max_size=4)))
    return Firepower("ftd", numbers, draw(st.integers(1, 999)))


@st.composite
def fxos(draw: st.DrawFn) -> Firepower:
    numbers = tuple(draw(st.lists(small | big, min_size=3, max_size=4)))
    return Firepower("fxos", numbers, 0)


_RELEASES: dict[str, Callable[[], st.SearchStrategy[object]]] = {
    "ios": ios,
    "iosxe": iosxe,
    "nxos": nxos,
    "asa": asa,
    "junos": junos,
    "eos": eos,
    "iosxr": iosxr,
    "generic": generic,
    "fortinet": fortinet,
    "panos": panos,
    "ftd": ftd,
    "fxos": fxos,
}
FAMILIES_UNDER_TEST = list(_RELEASES)


def _family(family: str, release: object) -> str:
    return release.family if isinstance(release, Generic | Fortinet) else family


def spellings(family: str) -> st.SearchStrategy[tuple[str, str, str]]:
    """(os_family, spelling, another spelling of the same release)."""
    return st.tuples(_RELEASES[family](), style, style).map(
        lambda t: (_family(family, t[0]), t[0].spell(t[1]), t[0].spell(t[2]))  # type: ignore[attr-defined]
    )


def release(family: str) -> st.SearchStrategy[tuple[str, str]]:
    """(os_family, text) for one valid release."""
    return spellings(family).map(lambda t: (t[0], t[1]))


def bumped(family: str) -> st.SearchStrategy[tuple[str, str, str]]:
    """(os_family, release, the same release with its last number increased)."""
    return st.tuples(_RELEASES[family](), style).map(
        lambda t: (_family(family, t[0]), t[0].spell(t[1]), t[0].bump().spell(t[1]))  # type: ignore[attr-defined]
    )


def trains_of(family: str) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A list of releases of one family; for ios, mostly of one train."""
    if family == "ios":
        return ios().flatmap(
            lambda base: st.lists(
                st.tuples(small | st.just(base.throttle[0]), st.none() | small, letters, letters),
                min_size=2,
                max_size=8,
            ).map(
                lambda parts: [
                    (
                        "ios",
                        replace(
                            base,
                            throttle=(p[0],),
                            tletter=p[2],
                            maint=p[1] if base.train else None,
                            mletter=p[3] if base.train and p[1] is not None else "",
                        ).spell(0),
                    )
                    for p in parts
                ]
            )
        )
    if family == "fortinet":
        return st.sampled_from(FORTINET_NAMES).flatmap(
            lambda name: st.lists(fortinet().map(lambda f: (name, f.spell(0))), min_size=2, max_size=8)
        )
    if family == "generic":
        return st.sampled_from(GENERIC_NAMES).flatmap(
            lambda name: st.lists(
                generic().map(lambda g: (name, g.spell(0))), min_size=2, max_size=8
            )
        )
    return st.lists(release(family), min_size=2, max_size=8)
