"""Vendor version grammars, release trains and ordering. PURE: no I/O.

    >>> from fixright.versions import parse, compare, same_train
    >>> v = parse("ios", "15.2(4)E10")
    >>> v.train, v.normalized
    ('15.2E', '15.2(4)E10')
    >>> parse("iosxe", "17.03.04a") == parse("iosxe", "17.3.4a")
    True
    >>> parse("junos", "21.4R3-S5") < parse("junos", "21.4R3-S10")
    True

`parse(os_family, text)` reads one version (cached) and raises only
`InvalidVersion`. Versions of one family compare with `<` and `compare()`,
except classic IOS versions of different trains, and versions of different
families, which raise `IncomparableVersions`. Each grammar module documents
its family's spelling rules and order.
"""

from fixright.versions.core import (
    IncomparableVersions,
    InvalidVersion,
    Version,
    compare,
    same_train,
)
from fixright.versions.families import FAMILIES, parse, train_of

__all__ = [
    "FAMILIES",
    "IncomparableVersions",
    "InvalidVersion",
    "Version",
    "compare",
    "parse",
    "same_train",
    "train_of",
]
