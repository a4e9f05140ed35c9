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

from fixright.errors import InvalidInput
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


def device_families(
    catalogue: Catalogue,
    *,
    platform: str | None,
    model: str | None,
    os_family: str | None = None,
    components: Sequence[str] = (),
) -> frozenset[str]:
    """The families (ids, lower-case) whose images this device can run: `check` is true.

    `platform` is the device's own family (from its running image or stated
    by the operator); the model adds every family the catalogue lists it
    under. A chassis without its deciding component adds nothing, and
    unknown hardware adds nothing: it never counts as running an image.
    """
    found = {platform.strip().lower()} if platform and platform.strip() else set()
    if model and model.strip():
        found.update(f.id.lower() for f in catalogue.families_for_model(model, os_family, components))
    return frozenset(found)


def runs_image(
    catalogue: Catalogue,
    *,
    platform: str | None,
    model: str | None,
    image_family: str,
    os_family: str | None = None,
    components: Sequence[str] = (),
) -> bool:
    """True when a device (its family, model, components) can run images of `image_family`."""
    return image_family.strip().lower() in device_families(
        catalogue, platform=platform, model=model, os_family=os_family, components=components
    )


def require_family(catalogue: Catalogue, name: str, *, what: str = "platform") -> str:
    """The catalogue's id for family `name` (any case); `InvalidInput` naming how to list them."""
    family = catalogue.lookup(name) if name and name.strip() else None
    if family is None:
        raise InvalidInput(
            f"{what} {name!r} is not an image family of the hardware catalogue: "
            "`fixright hardware list` shows them (an operator file, FIXRIGHT_HARDWARE_PATH, "
            "adds more)"
        )
    return family.id
