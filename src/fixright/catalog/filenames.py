"""Read vendor, OS family, platform, feature set, version and format from image file names. PURE.

`parse_filename(name)` knows the naming schemes below and returns `None` for
anything else: a name it does not know is never guessed at, the caller must
then give the fields. `ImageName.platform` is this grammar's own coarse token
(`PLATFORMS`), used only to choose a version grammar; it is NOT what decides
which hardware runs an image. An image's platform in the catalog is its image
family from the hardware catalogue (`fixright.hardware`, `family_of_image`:
`c3560cx`, `c3560e` where this token says `c3560`), set by `catalog.metadata`,
and compatibility is asked of `fixright.hardware.compatibility` alone.

| scheme | example | platform | feature set |
| --- | --- | --- | --- |
| classic IOS | `c2960x-universalk9-mz.152-7.E8.bin`, `c3900-universalk9-mz.SPA.157-3.M8.bin`, `c2960x-universalk9-tar.152-7.E8.tar` | table `_IOS_PREFIXES` | as in the name (`universalk9`, `lanbasek9`, `universalk9_npe`) |
| IOS XE 16+ | `isr4300-universalk9.17.03.04a.SPA.bin`, `cat9k_iosxe.17.12.04.SPA.bin` | table `_IOSXE_PREFIXES` | as in the name; `cat9k_iosxe` is the universal image: `universalk9`; `cat9k_lite_iosxe`: `lite` |
| IOS XE 3.x | `cat4500e-universalk9.SPA.03.11.03.E.152-7.E3.bin`, `isr4400-universalk9.03.16.10.S.155-3.S10-ext.SPA.bin` | same tables | as in the name; version is the XE one (`3.11.3E`), the IOSd one (what `show version` prints) is `ios_version` |
| ASA | `asa9-8-4-45-smp-k8.bin`, `asa9-12-4-lfbff-k8.SPA`, `asav9-16-3-19.qcow2`, older `asa952-204-smp-k8.bin` (only three single digits: `asa9121` is ambiguous, unknown) | `asa`, `asav` | `smp`, `lfbff`, `k8` (plain `-k8`), `base` (ASAv) |
| NX-OS | `nxos.9.3.8.bin`, `nxos64-cs.10.3.4a.M.bin`, `nxos.7.0.3.I7.9.bin`, `n9000-dk9.6.1.2.I3.1.bin`, `n5000-uk9.7.3.8.N1.1.bin`, `n7000-s2-dk9.8.4.5.bin` | `nxos`, `n5000`, `n7000` | `base` for `nxos`/`nxos64-*` (cs/msll is a hardware family, kept in the file name); else as in the name (`uk9`, `uk9-kickstart`, `s2-dk9`) |
| IOS XR | `asr9k-mini-x64-7.1.3.iso`, `8000-x64-7.9.2.iso` | `iosxr` | as in the name (`mini-x64`, `x64`) |
| Junos | `junos-install-ex-x86-64-21.4R3-S5.4.tgz`, `jinstall-host-qfx-5-21.4R3-S5.4-signed.tgz`, `junos-srxsme-21.4R3-S5.4.tgz` | `ex`, `qfx`, `mx`, `srx` | `base`, or `limited` for the export (`-limited`) packages |
| EOS | `EOS-4.28.3M.swi`, `EOS64-4.28.3M.swi` | `eos` | `base`, `64bit` for EOS64 |

Classic IOS numbers are expanded the way Cisco prints them:
`152-7.E8` -> `15.2(7)E8`, `150-2.SE11` -> `15.0(2)SE11`, `152-7b.E0b` -> `15.2(7b)E0b`,
`124-25f` (mainline) -> `12.4(25f)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from fixright.versions import InvalidVersion, Version, parse

# The platform vocabulary shared with inventory, with each token's vendor and
# os_family. `c4500` runs classic IOS (Sup6 and older) or IOS XE 3.x (Sup7/8):
# its family comes from the version, see `family_for_platform`.
PLATFORMS: dict[str, tuple[str, str]] = {
    "c2960x": ("cisco", "ios"),
    "c2960": ("cisco", "ios"),
    "c3560": ("cisco", "ios"),
    "c3750": ("cisco", "ios"),
    "c4500": ("cisco", "ios"),
    "c1900": ("cisco", "ios"),
    "c2900": ("cisco", "ios"),
    "c3900": ("cisco", "ios"),
    "c800": ("cisco", "ios"),
    "c1800": ("cisco", "ios"),
    "cat9k": ("cisco", "iosxe"),
    "cat3k_caa": ("cisco", "iosxe"),
    "isr4300": ("cisco", "iosxe"),
    "isr4400": ("cisco", "iosxe"),
    "asr1000": ("cisco", "iosxe"),
    "csr1000v": ("cisco", "iosxe"),
    "nxos": ("cisco", "nxos"),
    "n5000": ("cisco", "nxos"),
    "n7000": ("cisco", "nxos"),
    "asa": ("cisco", "asa"),
    "asav": ("cisco", "asa"),
    "iosxr": ("cisco", "iosxr"),
    "ex": ("juniper", "junos"),
    "qfx": ("juniper", "junos"),
    "mx": ("juniper", "junos"),
    "srx": ("juniper", "junos"),
    "eos": ("arista", "eos"),
}

# Platforms whose images may be either of two families, tried in this order.
_DUAL_FAMILY: dict[str, tuple[str, ...]] = {"c4500": ("ios", "iosxe")}

OS_VENDORS: dict[str, str] = {
    "ios": "cisco",
    "iosxe": "cisco",
    "iosxr": "cisco",
    "nxos": "cisco",
    "asa": "cisco",
    "junos": "juniper",
    "eos": "arista",
}

# File-name prefix -> platform token. Only prefixes whose hardware is known
# are listed; an unlisted prefix makes the whole name unknown.
_IOS_PREFIXES: dict[str, str] = {
    "c2960x": "c2960x",
    "c2960": "c2960",
    "c2960s": "c2960",
    "c3560": "c3560",
    "c3560e": "c3560",
    "c3560cx": "c3560",
    "c3750": "c3750",
    "c3750e": "c3750",
    "cat4500": "c4500",
    "cat4500e": "c4500",
    "c1900": "c1900",
    "c2900": "c2900",
    "c3900": "c3900",
    "c3900e": "c3900",
    "c800": "c800",
    "c880data": "c800",
    "c890": "c800",
    "c1841": "c1800",
    "c181x": "c1800",
    "c180x": "c1800",
}
_IOSXE_PREFIXES: dict[str, str] = {
    "cat9k": "cat9k",
    "cat3k_caa": "cat3k_caa",
    "cat4500e": "c4500",
    "cat4500es8": "c4500",
    "isr4300": "isr4300",
    "isr4400": "isr4400",
    "asr1000": "asr1000",
    "asr1000rp1": "asr1000",
    "asr1000rp2": "asr1000",
    "asr1000rpx86": "asr1000",
    "asr1001": "asr1000",
    "asr1001x": "asr1000",
    "asr1002x": "asr1000",
    "csr1000v": "csr1000v",
}
# cat9k images carry no feature set in the name: the one image is universal.
_IOSXE_NAMED: dict[str, tuple[str, str]] = {
    "cat9k_iosxe": ("cat9k", "universalk9"),
    "cat9k_lite_iosxe": ("cat9k", "lite"),
}
_IOSXR_PREFIXES = frozenset({"asr9k", "ncs5500", "ncs540", "ncs560", "xrv9k", "8000"})
_JUNOS_PLATFORMS: dict[str, str] = {
    "ex": "ex",
    "qfx": "qfx",
    "mx": "mx",
    "srx": "srx",
    "srxsme": "srx",
    "srxentedge": "srx",
    "srxmr": "srx",
    "srxhe": "srx",
    "arm": "ex",  # junos-arm-32: EX2300 and EX3400
}

# --- regular expressions -------------------------------------------------------

# 152-7.E8, 150-2.SE11, 152-7b.E0b, 124-25f (mainline, no train)
_IOS_NUM = (
    r"(?P<major>\d\d)(?P<minor>\d)-(?P<throttle>\d+)(?P<tletter>[a-z]?)"
    r"(?:\.(?P<train>[A-Z]+)(?P<maint>\d+)?(?P<mletter>[a-z]?))?"
)
_IOS = re.compile(
    rf"(?P<prefix>[a-z0-9]+)-(?P<fs>[a-z0-9_]+)-(?P<kind>mz|tar)(?P<spa>\.SPA)?\.{_IOS_NUM}"
    r"\.(?P<ext>bin|tar)",
    re.ASCII,
)
_XE16 = re.compile(
    r"(?P<prefix>[a-z0-9_]+?)(?:-(?P<fs>[a-z0-9_]+))?"
    r"\.(?P<version>\d\d\.\d\d\.\d\d[a-z]?)"
    r"\.(?P<ext>SPA\.bin|bin|qcow2|ova|iso)",
    re.ASCII,
)
# XE 3.x: universalk9.SPA.03.11.03.E.152-7.E3.bin or universalk9.03.16.10.S.155-3.S10-ext.SPA.bin
_XE3 = re.compile(
    r"(?P<prefix>[a-z0-9_]+?)-(?P<fs>[a-z0-9_]+)(?P<spa1>\.SPA)?"
    r"\.(?P<version>0?3\.\d\d\.\d\d[a-z]?\.[A-Z]+)"
    rf"\.(?P<ios>{_IOS_NUM.replace('?P<', '?P<i_')})(?:-ext)?"
    r"(?P<ext>\.SPA\.bin|\.bin)",
    re.ASCII,
)
_ASA = re.compile(
    r"(?P<platform>asa|asav)(?:(?P<nums>\d+(?:-\d+){2,3})|(?P<compact>\d{3})(?:-(?P<cmaint>\d+))?)"
    r"(?:-(?P<variant>smp|lfbff))?(?P<k8>-k8)?\.(?P<ext>bin|SPA|qcow2|zip|vhd|ova)",
    re.ASCII,
)
# 9.3.8, 10.3.4a.M, 7.0.3.I7.9, 7.3.8.N1.1
_NXOS_NUM = (
    r"(?P<major>\d+)\.(?P<minor>\d+)\.(?P<throttle>\d+[a-z]?)"
    r"(?:\.(?P<kind>[FM])|\.(?P<train>[A-Z]+\d+)\.(?P<maint>\d+[a-z]?))?"
)
_NXOS = re.compile(
    rf"(?P<prefix>nxos|nxos64-cs|nxos64-msll|n9000|n5000|n7000)(?:-(?P<fs>[a-z0-9-]+?))?"
    rf"\.{_NXOS_NUM}\.bin",
    re.ASCII,
)
_IOSXR = re.compile(
    r"(?P<prefix>[a-z0-9]+)-(?P<fs>[a-z0-9-]+?)-(?P<version>\d+\.\d+\.\d+)\.(?P<ext>iso|tar)",
    re.ASCII,
)
_JUNOS_VERSION = r"\d+\.\d+[A-Z]\d+(?:-[SD]\d+)?(?:\.\d+)?"
_JUNOS = re.compile(
    r"(?:junos-install|junos-vmhost-install|jinstall-host|jinstall|junos)"
    r"-(?P<platform>[a-z]+)(?P<variant>(?:-[a-z0-9]+)*?)"
    rf"-(?P<version>{_JUNOS_VERSION})(?:-(?P<edition>limited|domestic))?(?:-signed)?\.(?P<ext>tgz)",
    re.ASCII,
)
_EOS = re.compile(r"EOS(?P<bits>64)?-(?P<version>\d+\.\d+\.\d+[A-Z]?)\.(?P<ext>swi)", re.ASCII)

MAX_NAME_LENGTH = 255


@dataclass(frozen=True, slots=True)
class ImageName:
    """What an image's file name says about it.

    `format` is the extension as the vendor spells it: `bin`, `SPA.bin`,
    `tar`, `tgz`, `swi`, `SPA`, `qcow2`, `iso`...
    """

    vendor: str
    os_family: str
    platform: str
    feature_set: str
    version: Version
    format: str
    # IOS XE 3.x names also carry the IOSd version the device prints in
    # `show version` (`...03.09.01.S.153-2.S1.bin`: 15.3(2)S1); None otherwise.
    ios_version: Version | None = None


def _version(os_family: str, text: str) -> Version | None:
    try:
        return parse(os_family, text)
    except InvalidVersion:
        return None


def _image(platform: str, feature_set: str, os_family: str, text: str, fmt: str) -> ImageName | None:
    version = _version(os_family, text)
    if version is None:
        return None
    return ImageName(OS_VENDORS[os_family], os_family, platform, feature_set, version, fmt)


def _ios_text(m: re.Match[str], p: str = "") -> str | None:
    """Cisco's printed form of the numbers `_IOS_NUM` matched (group names prefixed `p`)."""
    text = f"{int(m[p + 'major'])}.{m[p + 'minor']}({int(m[p + 'throttle'])}{m[p + 'tletter']})"
    if m[p + "train"]:
        text += m[p + "train"]
        if m[p + "maint"] is not None:
            text += f"{int(m[p + 'maint'])}{m[p + 'mletter']}"
    elif m[p + "mletter"]:
        return None
    return text


def _ios(name: str) -> ImageName | None:
    m = _IOS.fullmatch(name)
    if m is None or m["prefix"] not in _IOS_PREFIXES:
        return None
    if (m["kind"] == "tar") != (m["ext"] == "tar"):
        return None
    text = _ios_text(m)
    if text is None:
        return None
    fmt = ("SPA." if m["spa"] else "") + m["ext"]
    return _image(_IOS_PREFIXES[m["prefix"]], m["fs"], "ios", text, fmt)


def _iosxe(name: str) -> ImageName | None:
    m = _XE3.fullmatch(name)
    if m is not None:
        if m["prefix"] not in _IOSXE_PREFIXES or (m["spa1"] and m["ext"] == ".SPA.bin"):
            return None
        fmt = "SPA.bin" if m["spa1"] or m["ext"] == ".SPA.bin" else "bin"
        ios_text = _ios_text(m, "i_")
        ios_version = _version("ios", ios_text) if ios_text is not None else None
        image = _image(_IOSXE_PREFIXES[m["prefix"]], m["fs"], "iosxe", m["version"], fmt)
        if image is None or ios_version is None:
            return None
        return replace(image, ios_version=ios_version)
    m = _XE16.fullmatch(name)
    if m is None:
        return None
    if m["fs"] is None:
        named = _IOSXE_NAMED.get(m["prefix"])
        if named is None:
            return None
        platform, feature_set = named
    elif m["prefix"] in _IOSXE_PREFIXES:
        platform, feature_set = _IOSXE_PREFIXES[m["prefix"]], m["fs"]
    else:
        return None
    # Only the virtual router ships as VM images; only hardware ships plain .bin without SPA.
    if m["ext"] in ("qcow2", "ova", "iso") and platform != "csr1000v":
        return None
    return _image(platform, feature_set, "iosxe", m["version"], m["ext"])


def _asa(name: str) -> ImageName | None:
    m = _ASA.fullmatch(name)
    if m is None:
        return None
    # 9-16-3-19 (dashed), or 952-204 (three single digits, older names: 9.5(2)204).
    if m["nums"] is not None:
        nums = m["nums"].split("-")
    else:
        nums = list(m["compact"]) + ([m["cmaint"]] if m["cmaint"] is not None else [])
    major, minor, throttle = (int(n) for n in nums[:3])
    text = f"{major}.{minor}({throttle})" + (str(int(nums[3])) if len(nums) == 4 else "")
    if m["platform"] == "asav":
        if m["variant"] or m["k8"]:
            return None
        feature_set = "base"
    else:
        if not m["k8"]:
            return None
        feature_set = m["variant"] or "k8"
    return _image(m["platform"], feature_set, "asa", text, m["ext"])


def _nxos(name: str) -> ImageName | None:
    m = _NXOS.fullmatch(name)
    if m is None:
        return None
    prefix, fs = m["prefix"], m["fs"]
    if prefix.startswith("nxos") or prefix == "n9000":
        # n9000-dk9 is the older name of the same Nexus 9000/3000 standalone image.
        if fs != ("dk9" if prefix == "n9000" else None):
            return None
        platform, feature_set = "nxos", "base"
    else:
        if fs is None:
            return None
        platform, feature_set = prefix, fs
    text = f"{int(m['major'])}.{int(m['minor'])}({m['throttle']})"
    if m["kind"]:
        text += m["kind"]
    elif m["train"]:
        text += f"{m['train']}({m['maint']})"
    return _image(platform, feature_set, "nxos", text, "bin")


def _iosxr(name: str) -> ImageName | None:
    m = _IOSXR.fullmatch(name)
    if m is None or m["prefix"] not in _IOSXR_PREFIXES:
        return None
    return _image("iosxr", m["fs"], "iosxr", m["version"], m["ext"])


def _junos(name: str) -> ImageName | None:
    m = _JUNOS.fullmatch(name)
    if m is None:
        return None
    platform = _JUNOS_PLATFORMS.get(m["platform"])
    if platform is None:
        return None
    feature_set = "limited" if m["edition"] == "limited" else "base"
    return _image(platform, feature_set, "junos", m["version"], m["ext"])


def _eos(name: str) -> ImageName | None:
    m = _EOS.fullmatch(name)
    if m is None:
        return None
    return _image("eos", "64bit" if m["bits"] else "base", "eos", m["version"], m["ext"])


_READERS = (_ios, _iosxe, _asa, _nxos, _iosxr, _junos, _eos)


def parse_filename(name: str) -> ImageName | None:
    """What the vendor file name `name` says, or None for a name this module does not know.

    `name` is a bare file name (no folders); anything with a path separator,
    whitespace or longer than 255 characters is unknown. Never raises for
    any string.
    """
    if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH:
        return None
    if "/" in name or "\\" in name or not name.isprintable() or " " in name:
        return None
    for reader in _READERS:
        result = reader(name)
        if result is not None:
            return result
    return None


def family_for_platform(platform: str, version_text: str) -> str | None:
    """The os_family of images for `platform` with version `version_text`, or None.

    For a platform that runs two families (`c4500`: IOS or IOS XE 3.x) the
    first family whose grammar reads the version wins.
    """
    if platform not in PLATFORMS:
        return None
    for family in _DUAL_FAMILY.get(platform, (PLATFORMS[platform][1],)):
        if _version(family, version_text) is not None:
            return family
    return None
