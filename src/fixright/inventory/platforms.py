"""The platform token vendors use in image file names, for a device. PURE.

The catalog names each image's platform with the same vocabulary (see
docs/inventory.md), so "which images fit this device" is an equality test.
The image file the device runs is the strongest evidence; the model (PID)
decides otherwise. IOS XR is split by hardware family because its images
are (ncs5500, asr9k, 8000; iosxr for the rest, XRv 9000 and CRS included).
"""

from __future__ import annotations

import re

# Image file name prefix (before the first "-", "_" or ".") -> platform.
_IMAGE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("cat9k", "cat9k"),
    ("cat3k_caa", "cat3k_caa"),
    ("cat4500", "c4500"),
    ("c2960x", "c2960x"),
    ("c2960", "c2960"),
    ("c3560", "c3560"),
    ("c3750", "c3750"),
    ("c1900", "c1900"),
    ("c2900", "c2900"),
    ("c3900", "c3900"),
    ("c180", "c1800"),
    ("c1841", "c1800"),
    ("c800", "c800"),
    ("vios_l2", "vios_l2"),
    ("vios", "iosv"),
    ("isr4300", "isr4300"),
    ("isr4400", "isr4400"),
    ("asr100", "asr1000"),
    ("csr1000v", "csr1000v"),
    ("n5000", "n5000"),
    ("n7000", "n7000"),
    ("n7700", "n7000"),
    ("n9000", "nxos"),
    ("aci-n9000", "nxos"),
    ("nxos", "nxos"),
    ("n3000", "nxos"),
    ("ncs5500", "ncs5500"),
    ("asr9k", "asr9k"),
    ("8000", "8000"),
    ("xrv9k", "iosxr"),
)

# (os families, model regex) -> platform; first match wins.
_MODEL_RULES: tuple[tuple[frozenset[str], re.Pattern[str], str], ...] = tuple(
    (frozenset(families.split()), re.compile(pattern, re.IGNORECASE), platform)
    for families, pattern, platform in (
        ("ios iosxe", r"^WS-C2960X", "c2960x"),
        ("ios iosxe", r"^WS-C2960", "c2960"),
        ("ios iosxe", r"^WS-C3560", "c3560"),
        ("ios iosxe", r"^WS-C3750", "c3750"),
        ("ios iosxe", r"^WS-C(45|49)\d\d", "c4500"),
        ("ios iosxe", r"^(WS-C3850|WS-C3650)", "cat3k_caa"),
        ("ios iosxe", r"^C9[2-6]\d\d", "cat9k"),
        ("ios iosxe", r"^(CISCO)?19\d\d", "c1900"),
        ("ios iosxe", r"^(CISCO)?29\d\d", "c2900"),
        ("ios iosxe", r"^(CISCO)?39\d\d", "c3900"),
        ("ios iosxe", r"^(CISCO)?18\d\d", "c1800"),
        ("ios iosxe", r"^(CISCO|C)8\d\d(\D|$)", "c800"),
        ("ios iosxe", r"^ISR43\d\d", "isr4300"),
        ("ios iosxe", r"^ISR44\d\d", "isr4400"),
        ("ios iosxe", r"^ASR100\d", "asr1000"),
        ("ios iosxe", r"^CSR1000V", "csr1000v"),
        ("ios iosxe", r"^IOSv$", "iosv"),
        ("nxos", r"^(N5K|Nexus ?5\d\d\d|5\d\d\d$|N5K-C5)", "n5000"),
        ("nxos", r"^(N7K|N77|Nexus ?7\d\d\d|C70\d\d|C77\d\d)", "n7000"),
        ("nxos", r"^(N9K|N3K|C9\d\d\d|C3\d\d\d|Nexus ?9\d\d\d|Nexus ?3\d\d\d)", "nxos"),
        ("asa", r"^ASAv", "asav"),
        ("asa", r".", "asa"),
        ("iosxr", r"^NCS-?55", "ncs5500"),
        ("iosxr", r"^ASR-?9\d", "asr9k"),
        ("iosxr", r"^8\d\d\d", "8000"),
        ("iosxr", r".", "iosxr"),
        ("junos", r"^ex", "ex"),
        ("junos", r"^qfx", "qfx"),
        ("junos", r"^(mx|jnp204|jnp10)", "mx"),
        ("junos", r"^srx", "srx"),
        ("junos", r"^nfx", "nfx"),
        ("eos", r".?", "eos"),
    )
)

_C800_IMAGE = re.compile(r"^c8[1-9]\d[a-z]*-")
_FIRMWARE_PREFIX = re.compile(r"^([A-Z]{1,3})\.\d")


def platform_for(
    vendor: str, os_family: str, model: str, image_file: str, *, version_text: str = ""
) -> str:
    """The lower-case platform token for a device, "" when the facts do not tell.

    `version_text` lets HPE/Aruba devices be named by their firmware prefix
    (K.15.06.0017 -> "k", FL.10.11.1021 -> "fl"), which is how their image
    files are named.
    """
    family = os_family.strip().lower()
    image = image_file.strip().lower()
    model = model.strip()
    if family in ("asa",):  # ASA images do not tell an ASAv from an appliance
        image = ""
    if image and image != "packages.conf":
        for prefix, platform in _IMAGE_PREFIXES:
            if image.startswith(prefix):
                return platform
        if _C800_IMAGE.match(image):  # c880data-, c890-, c819-: the 800 series, not c8000v
            return "c800"
    for families, pattern, platform in _MODEL_RULES:
        if family in families and pattern.search(model):
            return platform
    if family in ("procurve", "aoscx"):
        match = _FIRMWARE_PREFIX.match(version_text.strip())
        if match:
            return match.group(1).lower()
    if family in ("procurve", "aoscx", "arubaos", "comware") and model:
        return model.lower()
    if family == "junos":
        return "junos"
    return ""
