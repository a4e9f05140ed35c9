"""The file-name grammar: every name the issue lists, real names from device outputs, properties."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fixright.catalog.filenames import PLATFORMS, family_for_platform, parse_filename
from fixright.versions import parse

# name -> (vendor, os_family, platform, feature_set, version as Cisco/Juniper/Arista print it, format)
NAMES = {
    # the issue
    "c2960x-universalk9-mz.152-7.E8.bin": ("cisco", "ios", "c2960x", "universalk9", "15.2(7)E8", "bin"),
    "c3900-universalk9-mz.SPA.157-3.M8.bin": ("cisco", "ios", "c3900", "universalk9", "15.7(3)M8", "SPA.bin"),
    "cat9k_iosxe.17.12.04.SPA.bin": ("cisco", "iosxe", "cat9k", "universalk9", "17.12.4", "SPA.bin"),
    "isr4300-universalk9.17.03.04a.SPA.bin": ("cisco", "iosxe", "isr4300", "universalk9", "17.3.4a", "SPA.bin"),
    "asa9-8-4-45-smp-k8.bin": ("cisco", "asa", "asa", "smp", "9.8(4)45", "bin"),
    "nxos.9.3.8.bin": ("cisco", "nxos", "nxos", "base", "9.3(8)", "bin"),
    "nxos64-cs.10.3.4a.M.bin": ("cisco", "nxos", "nxos", "base", "10.3(4a)M", "bin"),
    "junos-install-ex-x86-64-21.4R3-S5.4.tgz": ("juniper", "junos", "ex", "base", "21.4R3-S5", "tgz"),
    "EOS-4.28.3M.swi": ("arista", "eos", "eos", "base", "4.28.3M", "swi"),
    # the assignment's further names
    "cat3k_caa-universalk9.16.12.04.SPA.bin": ("cisco", "iosxe", "cat3k_caa", "universalk9", "16.12.4", "SPA.bin"),
    "c2960-lanbasek9-mz.150-2.SE11.bin": ("cisco", "ios", "c2960", "lanbasek9", "15.0(2)SE11", "bin"),
    "asr1001x-universalk9.17.03.04a.SPA.bin": ("cisco", "iosxe", "asr1000", "universalk9", "17.3.4a", "SPA.bin"),
    "isr4400-universalk9.16.09.05.SPA.bin": ("cisco", "iosxe", "isr4400", "universalk9", "16.9.5", "SPA.bin"),
    "junos-srxsme-21.4R3-S5.4.tgz": ("juniper", "junos", "srx", "base", "21.4R3-S5", "tgz"),
    "jinstall-host-qfx-5-21.4R3-S5.4-signed.tgz": ("juniper", "junos", "qfx", "base", "21.4R3-S5", "tgz"),
    "asav9-16-3-19.qcow2": ("cisco", "asa", "asav", "base", "9.16.3.19", "qcow2"),
    "c3750e-universalk9-mz.152-4.E10.bin": ("cisco", "ios", "c3750", "universalk9", "15.2(4)E10", "bin"),
    "cat4500e-universalk9.SPA.03.11.03.E.152-7.E3.bin": ("cisco", "iosxe", "c4500", "universalk9", "3.11.3E", "SPA.bin"),
    "c2960-lanbasek9-mz.122-55.SE12.bin": ("cisco", "ios", "c2960", "lanbasek9", "12.2(55)SE12", "bin"),
    "c1841-advipservicesk9-mz.124-24.T8.bin": ("cisco", "ios", "c1800", "advipservicesk9", "12.4(24)T8", "bin"),
    "c2960x-universalk9-mz.152-7b.E0b.bin": ("cisco", "ios", "c2960x", "universalk9", "15.2(7b)E0b", "bin"),
    # more schemes
    "c2960x-universalk9-tar.152-7.E8.tar": ("cisco", "ios", "c2960x", "universalk9", "15.2(7)E8", "tar"),
    "c3900-universalk9_npe-mz.SPA.157-3.M8.bin": ("cisco", "ios", "c3900", "universalk9_npe", "15.7(3)M8", "SPA.bin"),
    "isr4400-universalk9.03.16.10.S.155-3.S10-ext.SPA.bin": ("cisco", "iosxe", "isr4400", "universalk9", "3.16.10S", "SPA.bin"),
    "csr1000v-universalk9.16.09.05.qcow2": ("cisco", "iosxe", "csr1000v", "universalk9", "16.9.5", "qcow2"),
    "asa9-12-4-lfbff-k8.SPA": ("cisco", "asa", "asa", "lfbff", "9.12.4", "SPA"),
    "nxos.7.0.3.I7.9.bin": ("cisco", "nxos", "nxos", "base", "7.0(3)I7(9)", "bin"),
    "n5000-uk9.7.3.8.N1.1.bin": ("cisco", "nxos", "n5000", "uk9", "7.3(8)N1(1)", "bin"),
    "n7000-s2-dk9.8.4.5.bin": ("cisco", "nxos", "n7000", "s2-dk9", "8.4(5)", "bin"),
    "asr9k-mini-x64-7.1.3.iso": ("cisco", "iosxr", "iosxr", "mini-x64", "7.1.3", "iso"),
    "junos-install-mx-x86-64-21.4R3-S5.4-limited.tgz": ("juniper", "junos", "mx", "limited", "21.4R3-S5", "tgz"),
    "junos-arm-32-21.4R3-S5.4.tgz": ("juniper", "junos", "ex", "base", "21.4R3-S5", "tgz"),
    "EOS64-4.28.3M.swi": ("arista", "eos", "eos", "64bit", "4.28.3M", "swi"),
}

UNKNOWN = [
    "foo.bin",
    "packages.conf",
    "vios-adventerprisek9-m",
    "aci-n9000-dk9.14.0.1h.bin",  # ACI mode, not NX-OS standalone
    "asa9121-smp-k8.bin",  # 9.12.1 or 9.1.21: ambiguous
    "c9999-universalk9-mz.152-7.E8.bin",  # unknown hardware prefix
    "c2960x-universalk9-mz.152-7.E8.bin.bak",
    "../c2960x-universalk9-mz.152-7.E8.bin",
    "dir/EOS-4.28.3M.swi",
    "C2960X-UNIVERSALK9-MZ.152-7.E8.BIN",
    "isr4300-universalk9.17.03.04a.qcow2",  # VM formats are only the virtual router's
    "EOS-4.28.3M.swi ",
    "",
]


@pytest.mark.parametrize("name", sorted(NAMES))
def test_known_names(name: str) -> None:
    vendor, family, platform, feature_set, version, fmt = NAMES[name]
    got = parse_filename(name)
    assert got is not None
    assert (got.vendor, got.os_family, got.platform, got.feature_set, got.format) == (
        vendor, family, platform, feature_set, fmt)
    assert got.version == parse(family, version)
    assert got.platform in PLATFORMS
    assert PLATFORMS[got.platform][0] == got.vendor


@pytest.mark.parametrize("name", UNKNOWN)
def test_unknown_names_are_not_guessed(name: str) -> None:
    assert parse_filename(name) is None


def test_xe3_names_also_give_the_version_the_device_prints() -> None:
    got = parse_filename("cat4500e-universalk9.SPA.03.11.03.E.152-7.E3.bin")
    assert got is not None and got.ios_version == parse("ios", "15.2(7)E3")
    assert parse_filename("c2960x-universalk9-mz.152-7.E8.bin").ios_version is None  # type: ignore[union-attr]


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _device_images(shared_data: Path) -> list[tuple[str, str, str, str]]:
    """(sample, image file name, family, version printed) from real show version parses."""
    fields = {
        "cisco_ios": ("running_image", "version"),
        "cisco_nxos": ("boot_image", "os"),
        "cisco_asa": ("image", "version"),
    }
    rows = []
    for platform, (image_field, version_field) in fields.items():
        for path in sorted((shared_data / "show" / platform / "show_version").glob("*.yml")):
            for record in yaml.safe_load(path.read_text())["parsed_sample"]:
                name = _basename(record.get(image_field) or "")
                if name:
                    rows.append((path.name, name, platform, record[version_field]))
    return rows


def test_real_image_names_agree_with_what_the_device_prints(shared_data: Path) -> None:
    rows = _device_images(shared_data)
    assert len(rows) >= 15
    read = 0
    for sample, name, platform, printed in rows:
        got = parse_filename(name)
        if not name.endswith((".bin", ".SPA")) or name.startswith("aci-"):
            assert got is None, (sample, name)
            continue
        assert got is not None, (sample, name)
        read += 1
        # IOS XE 3.x devices print their IOSd version; everything else prints the image's.
        version = got.ios_version if got.ios_version is not None else got.version
        assert version == parse(version.os_family, printed), (sample, name, printed)
        assert family_for_platform(got.platform, str(got.version)) == got.os_family
    assert read >= 12


# --- properties -------------------------------------------------------------------

@given(st.text(max_size=300))
def test_never_raises(text: str) -> None:
    result = parse_filename(text)
    assert result is None or result.platform in PLATFORMS


_letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=0, max_size=1)


@given(
    prefix=st.sampled_from(["c2960x", "c2960", "c3560", "c3750e", "c3900", "c1841", "cat4500e"]),
    feature_set=st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True),
    major=st.sampled_from([12, 15]),
    minor=st.integers(0, 9),
    throttle=st.integers(0, 99),
    tletter=_letters,
    train=st.sampled_from(["E", "SE", "M", "T", "SG", "SY"]),
    maint=st.integers(0, 30),
    mletter=_letters,
    spa=st.booleans(),
)
def test_ios_numbers_expand_to_the_printed_version(
    prefix: str, feature_set: str, major: int, minor: int, throttle: int, tletter: str,
    train: str, maint: int, mletter: str, spa: bool,
) -> None:
    name = (f"{prefix}-{feature_set}-mz.{'SPA.' if spa else ''}"
            f"{major}{minor}-{throttle}{tletter}.{train}{maint}{mletter}.bin")
    got = parse_filename(name)
    assert got is not None, name
    assert got.feature_set == feature_set
    assert got.version == parse("ios", f"{major}.{minor}({throttle}{tletter}){train}{maint}{mletter}")


@given(
    prefix=st.sampled_from(["isr4300", "isr4400", "asr1001x", "cat3k_caa", "csr1000v"]),
    major=st.integers(16, 17),
    minor=st.integers(1, 15),
    patch=st.integers(1, 12),
    rebuild=_letters,
)
def test_iosxe_numbers(prefix: str, major: int, minor: int, patch: int, rebuild: str) -> None:
    name = f"{prefix}-universalk9.{major:02d}.{minor:02d}.{patch:02d}{rebuild}.SPA.bin"
    got = parse_filename(name)
    assert got is not None
    assert got.version == parse("iosxe", f"{major}.{minor}.{patch}{rebuild}")


@given(
    platform=st.sampled_from(["ex", "qfx", "mx", "srxsme"]),
    major=st.integers(12, 24),
    minor=st.integers(1, 4),
    r=st.integers(1, 5),
    spin=st.one_of(st.none(), st.integers(1, 20)),
    build=st.integers(1, 9),
)
def test_junos_numbers(platform: str, major: int, minor: int, r: int, spin: int | None,
                       build: int) -> None:
    version = f"{major}.{minor}R{r}" + (f"-S{spin}" if spin is not None else "")
    got = parse_filename(f"junos-install-{platform}-x86-64-{version}.{build}.tgz")
    assert got is not None
    assert got.version == parse("junos", version)
    assert got.platform == {"srxsme": "srx"}.get(platform, platform)


@given(minor=st.integers(1, 22), throttle=st.integers(1, 9), maint=st.one_of(st.none(), st.integers(1, 300)))
def test_asa_dashed_numbers(minor: int, throttle: int, maint: int | None) -> None:
    tail = f"-{maint}" if maint is not None else ""
    got = parse_filename(f"asa9-{minor}-{throttle}{tail}-smp-k8.bin")
    assert got is not None
    assert got.version == parse("asa", f"9.{minor}.{throttle}" + (f".{maint}" if maint else ""))
