"""Every real output in shared/data/show gives correct facts, checked against the raw
text and against ntc-templates' own expected parse (the .yml beside it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.shared import SHOW

from fixright.errors import InvalidInput
from fixright.hardware import shipped_catalogue
from fixright.inventory.parse import parse_output
from fixright.inventory.readers import feature_from_image
from fixright.versions import InvalidVersion
from fixright.versions import parse as parse_version

RAW_FILES = sorted(SHOW.rglob("*.raw")) if SHOW.is_dir() else []
# Samples that list no chassis: transceivers (and an XR route processor) alone are not a device.
NO_CHASSIS = {"cisco_asa_show_inventory_pid_spaces.raw", "cisco_xr_admin_show_inventory1.raw"}
CATALOGUE = shipped_catalogue()


def _platform_is_told(f) -> bool:
    """The platform is an image family the running image names or the model runs, or
    empty with a warning naming the model (unknown or ambiguous hardware)."""
    if not f.platform:
        return not f.model or f.model in f.platform_warning
    family = CATALOGUE.get(f.platform)
    return family is not None and family.os_family == f.os_family and (
        family in CATALOGUE.families_for_model(f.model, f.os_family)
        or CATALOGUE.family_of_image(f.image_file or f.version_text) is family
    )


def _expected(raw: Path) -> list[dict]:
    return yaml.safe_load(raw.with_suffix(".yml").read_text())["parsed_sample"]


def _id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.name}"


def _raw_text(raw: Path) -> str:
    return raw.read_text(encoding="utf-8")


def test_all_shared_platforms_present() -> None:
    if not RAW_FILES:
        pytest.skip("shared data not found")
    assert {p.parent.parent.name for p in RAW_FILES} == {
        "arista_eos", "aruba_aoscx", "aruba_os", "cisco_asa", "cisco_fxos", "cisco_ios", "cisco_nxos",
        "cisco_xr", "fortinet", "hp_comware", "hp_procurve", "juniper_junos", "paloalto_panos",
    }


@pytest.mark.parametrize("raw", [p for p in RAW_FILES if p.name not in NO_CHASSIS], ids=_id)
def test_facts_come_from_the_text(raw: Path) -> None:
    text = _raw_text(raw)
    facts = parse_output(text, source_name=raw.name)
    assert facts, "every sample describes at least one device"
    serials = [f.serial for f in facts]
    assert len(serials) == len(set(serials)), "one record per serial"
    for f in facts:
        assert f.source_name == raw.name
        for value in (f.serial, f.version_text, f.model, f.hostname, f.image_file):
            assert value in text, f"{value!r} is not in the raw text"
        if f.version_text:
            try:
                expected_version = parse_version(f.os_family, f.version_text)
            except InvalidVersion:  # a family whose grammar is not there yet (FXOS "2.16(0.128)")
                assert f.version is None
            else:
                assert f.version == expected_version
        else:
            assert f.version is None
        assert f.feature_set == "unknown" or f.feature_set.replace("+", "").replace("-", "").isalnum()
        if f.vendor in ("cisco", "juniper", "arista"):
            # "" only where the output names no model (a 3640 whose PID is blank) or the
            # hardware catalogue cannot tell (and a warning names the model)
            assert _platform_is_told(f), (f.model, f.image_file, f.platform, f.platform_warning)


def _by_folder(folder: str, command: str) -> list[Path]:
    return [p for p in RAW_FILES if p.parent.parent.name == folder and p.parent.name == command]


@pytest.mark.parametrize("raw", _by_folder("cisco_ios", "show_version"), ids=_id)
def test_ios_show_version_matches_ntc(raw: Path) -> None:
    text = _raw_text(raw)
    facts = parse_output(text, source_name=raw.name)
    expected = _expected(raw)[0]
    assert [f.serial for f in facts] == list(dict.fromkeys(expected["serial"]))
    assert {f.model for f in facts} <= set(expected["hardware"])
    assert {f.hostname for f in facts} == {expected["hostname"]}
    for f in facts:
        if f.os_family == "ios":
            assert f.version_text == expected["version"]
        else:  # IOS XE: the IOS XE release, which advisories name, not the IOS one
            assert "IOS-XE" in text or "IOS XE" in text
            assert f.version.os_family == "iosxe"
        if "License Level:" not in text and "Technology Package License" not in text:
            assert f.feature_set == feature_from_image(expected["software_image"])


@pytest.mark.parametrize("raw", _by_folder("cisco_nxos", "show_version"), ids=_id)
def test_nxos_show_version_matches_ntc(raw: Path) -> None:
    (facts,) = parse_output(_raw_text(raw), source_name=raw.name)
    expected = _expected(raw)[0]
    assert facts.os_family == "nxos"
    assert facts.serial == expected["serial"]
    assert facts.hostname == expected["hostname"]
    # "10.4(5) [Maintenance Release]" and "14.0(1h) [build 14.0(1h)]": the release alone
    assert expected["os"].startswith(facts.version_text)
    assert "[" not in facts.version_text and " " not in facts.version_text


@pytest.mark.parametrize("raw", _by_folder("cisco_asa", "show_version"), ids=_id)
def test_asa_show_version_matches_ntc(raw: Path) -> None:
    (facts,) = parse_output(_raw_text(raw), source_name=raw.name)
    expected = _expected(raw)[0]
    assert facts.version_text == expected["version"]
    assert facts.serial == (expected["serial"][0] if expected["serial"] else "")
    assert expected["hardware"].startswith(facts.model) and "," not in facts.model
    # An ASAv prints an appliance's image name: its model decides. Appliances run the
    # family of the image they boot (asa-smp, asa-lfbff), a Firepower module cisco-asa.
    image = CATALOGUE.family_of_image(facts.image_file) if facts.image_file else None
    assert facts.platform == ("asav" if facts.model.startswith("ASAv")
                              else image.id if image is not None else "cisco-asa")


@pytest.mark.parametrize("raw", _by_folder("cisco_xr", "show_version"), ids=_id)
def test_xr_show_version_matches_ntc(raw: Path) -> None:
    (facts,) = parse_output(_raw_text(raw), source_name=raw.name)
    expected = _expected(raw)[0]
    assert facts.os_family == "iosxr"
    assert expected["version"].startswith(facts.version_text)
    assert facts.model == expected["hardware"]
    assert facts.serial == ""  # XR show version prints none: the inventory has it


@pytest.mark.parametrize("raw", _by_folder("arista_eos", "show_version"), ids=_id)
def test_eos_show_version_matches_ntc(raw: Path) -> None:
    (facts,) = parse_output(_raw_text(raw), source_name=raw.name)
    expected = _expected(raw)[0]
    assert (facts.model, facts.serial, facts.version_text) == (
        expected["model"], expected["serial_number"], expected["image"]
    )


@pytest.mark.parametrize("raw", _by_folder("juniper_junos", "show_version"), ids=_id)
def test_junos_show_version_matches_ntc(raw: Path) -> None:
    (facts,) = parse_output(_raw_text(raw), source_name=raw.name)
    expected = _expected(raw)[0]
    assert (facts.model, facts.hostname, facts.version_text) == (
        expected["model"], expected["hostname"], expected["junos_version"]
    )
    runs = CATALOGUE.families_for_model(facts.model, "junos")
    assert facts.platform == (runs[0].id if len(runs) == 1 else "")
    assert facts.platform.startswith(("junos", "jinstall")) or facts.model in facts.platform_warning


@pytest.mark.parametrize("raw", _by_folder("hp_procurve", "show_system"), ids=_id)
def test_procurve_show_system_matches_ntc(raw: Path) -> None:
    facts = parse_output(_raw_text(raw), source_name=raw.name)
    expected = _expected(raw)
    assert [f.serial for f in facts] == [r["serial"] for r in expected]
    assert {f.version_text for f in facts} == {expected[0]["software_version"]}
    assert {f.platform for f in facts} == {expected[0]["software_version"].split(".")[0]}


@pytest.mark.parametrize("raw", _by_folder("aruba_aoscx", "show_system"), ids=_id)
def test_aoscx_show_system_matches_ntc(raw: Path) -> None:
    (facts,) = parse_output(_raw_text(raw), source_name=raw.name)
    expected = _expected(raw)[0]
    assert (facts.serial, facts.hostname) == (expected["serial"], expected["hostname"])
    assert facts.version_text == expected["version"]
    assert expected["product"].split()[0] == facts.model


@pytest.mark.parametrize("raw", _by_folder("hp_comware", "display_device_manuinfo"), ids=_id)
def test_comware_manuinfo_matches_ntc(raw: Path) -> None:
    facts = parse_output(_raw_text(raw), source_name=raw.name)
    expected = _expected(raw)
    by_serial: dict[str, dict] = {}
    for record in expected:  # the first record of a serial (a chassis before its slots)
        by_serial.setdefault(record["device_serial_number"], record)
    for f in facts:
        record = by_serial[f.serial]
        assert record["slot_type"] not in ("Fan", "Power", "Subslot")
        assert f.model in record["device_name"]
        assert f.version is None and f.os_family == "comware"
    chassis = [r for r in expected if r["slot_type"] == "Chassis" and r["device_serial_number"]]
    if chassis:
        assert [f.serial for f in facts] == [chassis[0]["device_serial_number"]]


@pytest.mark.parametrize(
    "raw",
    [p for p in RAW_FILES
     if p.parent.name in ("show_inventory", "show_chassis_hardware", "admin_show_inventory")
     and p.name not in NO_CHASSIS],
    ids=_id,
)
def test_inventory_only_gives_chassis_without_version(raw: Path) -> None:
    facts = parse_output(_raw_text(raw), source_name=raw.name)
    assert all(f.version is None and f.version_text == "" for f in facts)
    assert all(f.serial for f in facts)
    assert all(
        f.command in ("show inventory", "show chassis hardware", "admin show inventory") for f in facts
    )


def test_inventory_listing_only_transceivers_is_refused() -> None:
    for raw in (p for p in RAW_FILES if p.name in NO_CHASSIS):
        with pytest.raises(InvalidInput, match=rf"{raw.name}.*no chassis"):
            parse_output(_raw_text(raw), source_name=raw.name)


def test_junos_virtual_chassis_gives_one_device_per_member() -> None:
    raw = SHOW / "juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware_dac_no_revision.raw"
    text = _raw_text(raw)
    facts = parse_output(text, source_name=raw.name)
    fpc_lines = [line.split() for line in text.splitlines() if line.startswith("FPC ")]
    assert [f.serial for f in facts] == [cells[-2] for cells in fpc_lines]
    assert "Virtual Chassis" in text and all(f.serial != "Virtual" for f in facts)


@pytest.mark.parametrize("with_prompts", [True, False])
def test_xr_version_and_inventory_merge(with_prompts: bool) -> None:
    version = SHOW / "cisco_xr/show_version/cisco_xr_show_version_01.raw"
    inventory = SHOW / "cisco_xr/show_inventory/cisco_xr_show_inventory_01.raw"
    parts = [_raw_text(version), _raw_text(inventory)]
    if with_prompts:
        parts = [f"RP/0/RP0/CPU0:gemini#show version\n{parts[0]}",
                 f"RP/0/RP0/CPU0:gemini#show inventory\n{parts[1]}"]
    (facts,) = parse_output("\n".join(parts), source_name="gemini.txt")
    rack = _expected(inventory)[0]
    assert rack["name"] == "Rack 0"
    assert (facts.serial, facts.model) == (rack["sn"], rack["pid"])
    assert facts.version_text == _expected(version)[0]["version"].split()[0]
    assert facts.command == "show version + show inventory"
    assert facts.platform == "8000"


def test_junos_version_and_chassis_hardware_merge() -> None:
    version = SHOW / "juniper_junos/show_version/juniper_junos_show_version.raw"
    chassis = SHOW / "juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware4.raw"
    text = f"lab@mx> show version\n{_raw_text(version)}\nlab@mx> show chassis hardware\n{_raw_text(chassis)}"
    (facts,) = parse_output(text, source_name="mx.txt")
    chassis_line = next(line for line in _raw_text(chassis).splitlines() if line.startswith("Chassis"))
    assert facts.serial == chassis_line.split()[1]
    assert facts.version_text == _expected(version)[0]["junos_version"]
    assert facts.hostname == "lab"


def test_explicit_platform_overrides_detection() -> None:
    raw = SHOW / "cisco_nxos/show_version/cisco_nxos_show_version4.raw"
    text = _raw_text(raw)
    assert parse_output(text, platform="nxos", source_name="a")[0].os_family == "nxos"
    with pytest.raises(InvalidInput, match="does not look like cisco_ios"):
        parse_output(text, platform="cisco_ios", source_name="a")
    with pytest.raises(InvalidInput, match="unknown platform 'cisco_nope'"):
        parse_output(text, platform="cisco_nope", source_name="a")


@pytest.mark.parametrize(
    ("image", "feature"),
    [("C2960-LANBASEK9-M", "lanbase"), ("CAT3K_CAA-UNIVERSALK9-M", "universalk9"),
     ("C3560E-IPSERVICESK9-M", "ipservices"), ("CAT9K_IOSXE", "unknown"), ("", "unknown")],
)
def test_feature_set_from_image_name(image: str, feature: str) -> None:
    assert feature_from_image(image) == feature
