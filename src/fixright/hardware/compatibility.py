"""Can this hardware run this image? One question, asked one way. PURE.

`check` answers True only when the catalogue lists the hardware for the
image's family, False only when the hardware is known to run other families,
and None whenever either side is unknown: a guess here would offer an image
that bricks a switch or refuse one that fixes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fixright.hardware.catalogue import Catalogue, Family, bare_name


@dataclass(frozen=True, slots=True)
class Compatibility:
    """The answer, the image's family (None when unknown) and why, in words."""

    compatible: bool | None
    image_family: str | None
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"compatible": self.compatible, "image_family": self.image_family, "why": self.why}


def _ids(families: Sequence[Family]) -> str:
    return ", ".join(f.id for f in families)


def _label(family: Family) -> str:
    return f"{family.id} ({family.description})" if family.description else family.id


def check(
    catalogue: Catalogue,
    *,
    model: str,
    image: str,
    components: Sequence[str] = (),
    os_family: str | None = None,
) -> Compatibility:
    """Whether hardware `model` (a PID), with `components` installed, runs `image`.

    `components` are the PIDs that decide for a modular chassis (supervisor,
    route processor), e.g. from `show inventory`. `os_family`, when the
    device's is known, keeps the other OSes' families out of the model
    lookup (a Nexus C9336C is not a Catalyst C9300).
    """
    name = bare_name(image)
    family = catalogue.family_of_image(name)
    pid = model.strip()
    if family is None:
        return Compatibility(None, None, f"image {name!r} is of no image family in the hardware catalogue")
    if not pid:
        return Compatibility(None, family.id, "no model given")
    runs = catalogue.families_for_model(pid, os_family, components)
    if family in runs:
        return Compatibility(True, family.id, f"{pid} runs {_label(family)} images")
    chassis = catalogue.chassis_families(pid, os_family)
    if family in chassis:
        deciders = ", ".join(family.components)
        if runs:
            return Compatibility(
                False, family.id,
                f"{pid} with {', '.join(components)} runs {_ids(runs)}, not {family.id} "
                f"(which needs {deciders})",
            )
        return Compatibility(
            None, family.id,
            f"{pid} runs {family.id} only with {deciders}; name the installed "
            "supervisor or route processor to decide",
        )
    if runs or chassis:
        return Compatibility(
            False, family.id, f"{pid} runs {_ids(runs or chassis)}, not {_label(family)}"
        )
    return Compatibility(None, family.id, f"model {pid!r} is not in the hardware catalogue")
