"""Version ranges in every form vendors write them. PURE.

- `vers:` (CSAF's canonical form): `vers:generic/>=7.4.0|<7.4.5`,
  `vers:fortios/<=7.4.4`, and Palo Alto's `vers:generic/PAN-OS<10.1.14-h11`
  (the product name inside the constraint: a quirk).
- Fortinet's names, product first: `FortiOS/>=7.4.0|<=7.4.4`,
  `FortiOS/ 7.6 all versions` (the whole train), `FortiOS/7.0.6 and above`
  (from that release on, in its train), `FortiOS/7.6.0` (one release). The
  product ids repeat them with a space for the slash (`FortiOS >=7.4.0|<=7.4.4`).

`read_spec` turns one such text into an exact release or ranges of one family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from fixright.advisories.formats.common import Problems, make_range, read_version
from fixright.advisories.records import AffectedRange

_VERS = re.compile(r"vers:(?P<scheme>[a-z0-9.+-]+)/(?P<constraints>.+)", re.ASCII | re.IGNORECASE)
_CONSTRAINT = re.compile(r"(?P<op><=|>=|!=|<|>|=)?(?P<version>[^<>=!|\s]+)")
# A product name written before the first comparator: `PAN-OS<10.1.14-h11`.
_NAME_PREFIX = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9 ._-]*?)\s*(?=<|>|=)")
# `FortiOS/>=7.4.0|<=7.4.4`, `FortiOS/ 7.6 all versions`, `FortiOS 7.0.6 and above`
_VENDOR_FORM = re.compile(r"(?P<product>[A-Za-z][A-Za-z0-9 ._-]*?)\s*[/ ]\s*(?P<spec>\S.*)")
_ALL_VERSIONS = re.compile(r"(?P<train>\S+)\s+all\s+versions?", re.IGNORECASE)
_AND_ABOVE = re.compile(r"(?P<version>\S+)\s+and\s+(?:above|later|higher)", re.IGNORECASE)
_COMPARATOR_LIST = re.compile(r"(?:<=|>=|<|>|=)[^|]+(?:\|(?:<=|>=|<|>|=)[^|]+)*")


@dataclass(frozen=True, slots=True)
class Spec:
    """What a range text means: one release (`exact`), or ranges."""

    exact: str | None = None
    ranges: tuple[AffectedRange, ...] = ()


def is_vers(text: str) -> bool:
    return _VERS.fullmatch(text.strip()) is not None


def vers_scheme(text: str) -> str | None:
    m = _VERS.fullmatch(text.strip())
    return m["scheme"].lower() if m is not None else None


def check_vers(text: str, where: str, problems: Problems) -> bool:
    """Check the `vers:` syntax (whatever the product); report and return False if wrong."""
    m = _VERS.fullmatch(text.strip())
    if m is None:
        problems.add(where, f"{text!r} is not a vers: range (vers:<scheme>/<constraints>)")
        return False
    constraints = m["constraints"]
    if constraints == "*":
        return True
    if m["scheme"].lower() == "all":
        problems.add(where, f"{text!r}: the vers 'all' scheme only allows '*' (CSAF 2.0 3.1.2.3.2)")
        return False
    first = constraints.split("|")[0].strip()
    named = _NAME_PREFIX.match(first)
    if named is not None and named.end() < len(first):
        constraints = constraints[len(named["name"]) :].lstrip()
    for part in constraints.split("|"):
        if _CONSTRAINT.fullmatch(part.strip()) is None:
            problems.add(where, f"{text!r}: constraint {part!r} is not <comparator><version>")
            return False
    return True


def read_spec(
    family: str,
    product: str,
    text: str,
    where: str,
    problems: Problems,
    notes: list[str],
) -> Spec | None:
    """Read `text` (vers or a vendor form) as releases of `family`; None after reporting."""
    stripped = " ".join(text.split())
    m = _VERS.fullmatch(stripped)
    if m is not None:
        constraints = m["constraints"]
        if constraints == "*":
            return Spec(ranges=(AffectedRange(family, product),))
        first = constraints.split("|")[0].strip()
        named = _NAME_PREFIX.match(first)
        if named is not None and named.end() < len(first):
            problems.quirk(
                "product name in vers constraint",
                where,
                f"{text!r} writes the product name {named['name']!r} inside the vers constraint; "
                "read without it",
            )
            constraints = constraints[len(named["name"]) :].lstrip()
        return _constraints(family, product, text, constraints, where, problems, notes)
    spec = stripped
    vendor = _VENDOR_FORM.fullmatch(stripped)
    if vendor is not None and read_version(family, stripped) is None:
        spec = vendor["spec"].strip()
    reading = _vendor_spec(family, product, text, spec, where, problems, notes)
    if reading is not None and (spec != stripped or reading.ranges):
        problems.quirk(
            "range not in vers notation",
            where,
            f"{text!r} is the vendor's own range notation, not vers; read as "
            + _describe(reading),
        )
    return reading


def _describe(spec: Spec) -> str:
    if spec.exact is not None:
        return f"release {spec.exact}"
    parts = []
    for r in spec.ranges:
        low = r.introduced or "start"
        high = r.last_affected or (f"before {r.fixed}" if r.fixed else "any later")
        parts.append(f"{low} .. {high}" + (f" in train {r.train}" if r.train else ""))
    return ", ".join(parts)


def _vendor_spec(
    family: str,
    product: str,
    text: str,
    spec: str,
    where: str,
    problems: Problems,
    notes: list[str],
) -> Spec | None:
    whole = _ALL_VERSIONS.fullmatch(spec)
    if whole is not None:
        version = read_version(family, whole["train"])
        if version is None:
            problems.add(where, f"{text!r}: {whole['train']!r} is not a {family} train")
            return None
        return Spec(ranges=(AffectedRange(family, product, train=version.train),))
    above = _AND_ABOVE.fullmatch(spec)
    if above is not None:
        version = read_version(family, above["version"])
        if version is None:
            problems.add(where, f"{text!r}: {above['version']!r} is not a {family} release")
            return None
        # Fortinet lists one entry per train, so "7.0.6 and above" ends with train 7.0.
        return Spec(
            ranges=(
                AffectedRange(family, product, introduced=above["version"], train=version.train),
            )
        )
    if _COMPARATOR_LIST.fullmatch(spec.replace(" ", "")) is not None:
        return _constraints(family, product, text, spec.replace(" ", ""), where, problems, notes)
    if read_version(family, spec) is not None:
        return Spec(exact=spec)
    problems.add(where, f"cannot read {text!r} as a {family} release or range")
    return None


def _constraints(
    family: str,
    product: str,
    text: str,
    constraints: str,
    where: str,
    problems: Problems,
    notes: list[str],
) -> Spec | None:
    ranges: list[AffectedRange] = []
    lower: str | None = None
    for part in constraints.split("|"):
        c = _CONSTRAINT.fullmatch(part.strip())
        if c is None:
            problems.add(where, f"{text!r}: constraint {part!r} is not <comparator><version>")
            return None
        op, version = c["op"] or "=", unquote(c["version"])
        if read_version(family, version) is None:
            problems.add(where, f"{text!r}: {version!r} is not a {family} release")
            return None
        if op in (">", "!="):
            problems.add(where, f"{text!r}: comparator {op!r} is not supported")
            return None
        if op == ">=":
            lower = version
            continue
        if op == "=":
            ranges.append(AffectedRange(family, product, introduced=version, last_affected=version))
            continue
        made = make_range(
            family,
            product,
            introduced=lower,
            fixed=version if op == "<" else None,
            last_affected=version if op == "<=" else None,
            platforms=(),
            where=where,
            problems=problems,
            notes=notes,
        )
        if made is None:
            return None
        ranges.append(made)
        lower = None
    if lower is not None:
        ranges.append(AffectedRange(family, product, introduced=lower))
    return Spec(ranges=tuple(ranges))
