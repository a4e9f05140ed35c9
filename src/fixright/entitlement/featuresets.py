"""Which licensed feature set includes which image feature set. PURE.

The model, in plain words (also in docs/policies.md):

* Names are compared case-insensitively after dropping what does not change
  the licence level: the crypto marker (`k9`, `k8`), `_npe`/`_noli` variants,
  and spaces/underscores (so `ipservicesk9`, `IPSERVICES` and `ipservices`
  are one level).
* Cisco levels form chains, lowest first; a licence includes every level
  below it on any chain it is on:
  lanlite < lanbase < ipbase < ipservices < advipservices < adventerprise;
  ipbase < spservices < advipservices; ipbase < advsecurity < advipservices;
  entbase < entservices < adventerprise; ipbase < security / uc / data / appx
  (ISR technology packages, each on top of ipbase);
  network-essentials < network-advantage; dna-essentials < dna-advantage.
* A `universal` image (`universalk9`, ...) carries every level, and the
  licence on the device decides which one runs, so it is within any recorded
  licence.
* An image with no feature set (or `base`, as the catalog records for
  platforms whose file names carry none) needs no licence.
* A licence that is not recorded (`None`, empty, `unknown`) never includes a
  feature set. A name this table does not know includes only itself.
"""

from __future__ import annotations

import re

_CHAINS: tuple[tuple[str, ...], ...] = (
    ("lanlite", "lanbase", "ipbase", "ipservices", "advipservices", "adventerprise"),
    ("ipbase", "spservices", "advipservices"),
    ("ipbase", "advsecurity", "advipservices"),
    ("entbase", "entservices", "adventerprise"),
    ("ipbase", "security"),
    ("ipbase", "uc"),
    ("ipbase", "data"),
    ("ipbase", "appx"),
    ("network-essentials", "network-advantage"),
    ("dna-essentials", "dna-advantage"),
)
UNIVERSAL = "universal"
_NO_FEATURE_SET = {"", "base", "none", "all"}
_UNKNOWN_LICENCE = {"", "unknown", "none", "n/a", "-"}
_VARIANT = re.compile(r"-(npe|noli|ias)$")
_CRYPTO = re.compile(r"(k9|k8|k91)$")


def normalize(name: str) -> str:
    """The licence level a feature-set name stands for: `ipservicesk9` -> `ipservices`."""
    text = re.sub(r"[\s_]+", "-", name.strip().lower())
    text = _VARIANT.sub("", text)
    text = _CRYPTO.sub("", text)
    return text.strip("-")


def _closure() -> dict[str, frozenset[str]]:
    below: dict[str, set[str]] = {}
    for chain in _CHAINS:
        for i, level in enumerate(chain):
            below.setdefault(level, {level}).update(chain[:i])
    changed = True
    while changed:  # transitive closure across chains sharing a level
        changed = False
        for levels in below.values():
            extra = set().union(*(below.get(lv, set()) for lv in levels)) - levels
            if extra:
                levels.update(extra)
                changed = True
    return {k: frozenset(v) for k, v in below.items()}


INCLUDES: dict[str, frozenset[str]] = _closure()
"""Each known level -> every level it includes (itself too)."""


def licence_includes(licensed: str | None, image_feature_set: str | None) -> tuple[bool, str]:
    """Whether a device licensed for `licensed` may run an image of `image_feature_set`.

    Returns (holds, why) with `why` in plain words.
    """
    image = normalize(image_feature_set or "")
    if image in _NO_FEATURE_SET:
        return True, "the image has no separate feature set"
    lic = normalize(licensed or "")
    if lic in _UNKNOWN_LICENCE:
        return False, "no licence is recorded"
    if image == UNIVERSAL:
        return True, (
            f"the universal image runs at the licensed level ({licensed})"
        )
    if image == lic or image in INCLUDES.get(lic, frozenset()):
        return True, f"licensed for {licensed}, which includes {image_feature_set}"
    if lic == UNIVERSAL:
        return False, (
            f"the licence is recorded only as {licensed}, which does not say whether "
            f"it includes {image_feature_set}"
        )
    if lic in INCLUDES.get(image, frozenset()):
        return False, f"licensed for {licensed}, below the image's {image_feature_set}"
    return False, f"licensed for {licensed}, which does not include {image_feature_set}"
