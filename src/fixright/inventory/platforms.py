"""A device's image family, from the hardware catalogue. PURE (the catalogue is given).

`device.platform` is the id of the image family the device runs (see
docs/hardware.md): the family of the image file the device says it booted
when the output names one, else the one family the catalogue lists the
model under. An unknown or ambiguous model gives "" and a warning naming
it; nothing is guessed. Which images a device may run is then
`fixright.hardware.compatibility`'s question, never a string comparison here.
"""

from __future__ import annotations

from collections.abc import Sequence

from fixright.hardware.catalogue import Catalogue, Family

# HPE/Aruba switches name their images by the firmware prefix the version
# carries (K.15.06.0017 boots K_15_06_0017.swi): the version is the evidence.
_FIRMWARE_NAMED = frozenset({"procurve", "aoscx"})


def _image_family(catalogue: Catalogue, image: str, os_family: str) -> Family | None:
    if not image or image.lower().endswith("packages.conf"):
        return None  # IOS XE install mode: the packages, not an image file
    family = catalogue.family_of_image(image)
    if family is None or (os_family and family.os_family != os_family):
        return None
    return family


def platform_for(
    catalogue: Catalogue,
    os_family: str,
    model: str,
    image_file: str,
    *,
    version_text: str = "",
    components: Sequence[str] = (),
) -> tuple[str, str | None]:
    """(image family id, warning) for a device; ("", why) when the facts do not decide.

    The warning is None when a family was found, or when there is no model
    to name (nothing to report).
    """
    family = os_family.strip().lower()
    model = model.strip()
    found = _image_family(catalogue, image_file.strip(), family)
    if found is None and family in _FIRMWARE_NAMED and not image_file.strip():
        found = _image_family(catalogue, version_text.strip(), family)
    runs = catalogue.families_for_model(model, family or None, components) if model else ()
    if found is not None and (not runs or found in runs or len(runs) > 1):
        return found.id, None
    # An ASAv reports booting `asa...-smp-k8.bin`: hardware the catalogue knows to run
    # one other family is better evidence than the file name it prints.
    if not model:
        return "", None
    if len(runs) == 1:
        return runs[0].id, None
    if runs:
        names = ", ".join(f.id for f in runs)
        return "", (f"model {model} runs several image families ({names}): its platform is "
                    "left empty; give the running image file or the device's platform")
    if catalogue.chassis_families(model, family or None):
        return "", (f"model {model} is a modular chassis whose image family depends on its "
                    "supervisor or route processor: give the running image file or the "
                    "device's platform")
    return "", (f"model {model} is not in the hardware catalogue: its platform is left empty "
                "(`fixright hardware list`; add it with FIXRIGHT_HARDWARE_PATH or give the "
                "device's platform)")
