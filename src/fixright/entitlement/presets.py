"""The policies shipped with fixright: presets/*.toml, read with importlib.resources.

`PRESETS` lists their names; `preset_text(name)` is the TOML as shipped and
`load_preset(name)` the parsed `Policy`.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fixright.entitlement.policy import Policy, load_policy
from fixright.errors import NotFound

PRESETS = (
    "contract-only",
    "contract-plus-security",
    "lifetime-updates",
    "perpetual-fallback",
    "open",
)


def is_preset(name: str) -> bool:
    return name in PRESETS


def preset_text(name: str) -> str:
    """The TOML text of preset `name`; `NotFound` naming the presets otherwise."""
    if name not in PRESETS:
        raise NotFound(f"no preset policy {name!r}; presets are {', '.join(PRESETS)}")
    return files("fixright.entitlement").joinpath("presets", f"{name}.toml").read_text("utf-8")


@cache
def load_preset(name: str) -> Policy:
    """Preset `name`, parsed (cached: presets are immutable)."""
    return load_policy(preset_text(name), source=f"preset {name}", name=name)


def all_presets() -> list[Policy]:
    return [load_preset(name) for name in PRESETS]
