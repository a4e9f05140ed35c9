"""A device's platform is its image family in the hardware catalogue (issue 11)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from fixright.accounts.service import get_or_create_organization
from fixright.errors import InvalidInput
from fixright.hardware import shipped_catalogue
from fixright.inventory.csvio import read_devices_csv
from fixright.inventory.importing import import_csv_rows, import_facts
from fixright.inventory.parse import DeviceFacts
from fixright.inventory.platforms import platform_for
from fixright.inventory.queries import list_devices

CATALOGUE = shipped_catalogue()


@pytest.mark.parametrize(("os_family", "model", "image", "family"), [
    # the running image decides, whatever the model prefix suggests
    ("ios", "WS-C3560CX-12PC-S", "flash:c3560cx-universalk9-mz.152-7.E8.bin", "c3560cx"),
    ("ios", "WS-C3560E-24TD-S", "", "c3560e"),
    ("iosxe", "C9200L-24P-4G", "", "cat9k_lite_iosxe"),
    ("iosxe", "C9300-24T", "", "cat9k_iosxe"),
    ("iosxr", "ASR-9006", "", "asr9k"),
    ("nxos", "N9K-C93180YC-EX", "bootflash:///nxos64-cs.10.3.6.M.bin", "nxos64-cs"),
    ("junos", "EX4300-48T", "", "jinstall-ex-4300"),
    # an ASAv prints an appliance's image name: the hardware it is decides
    ("asa", "ASAv", "boot:/asa952-204-smp-k8.bin", "asav"),
])
def test_family_from_image_else_model(os_family: str, model: str, image: str, family: str) -> None:
    assert platform_for(CATALOGUE, os_family, model, image) == (family, None)


@pytest.mark.parametrize(("os_family", "model", "words"), [
    ("ios", "WS-C9999-NOPE", "not in the hardware catalogue"),
    ("nxos", "N9K-C93180YC-EX", "runs several image families"),
    ("eos", "DCS-7050SX-64", "runs several image families"),
])
def test_unknown_or_ambiguous_hardware_is_never_guessed(os_family: str, model: str,
                                                        words: str) -> None:
    platform, warning = platform_for(CATALOGUE, os_family, model, "")
    assert platform == ""
    assert warning is not None and model in warning and words in warning


def test_csv_platform_overrides_and_unknown_ones_are_refused(session: Session) -> None:
    org, _ = get_or_create_organization(session, "acme")
    rows = ("serial,vendor,os_family,model,running_version,platform\n"
            "A1,cisco,ios,WS-C3560E-24TD-S,15.2(4)E9,\n"
            "A2,cisco,ios,WS-C9999-NOPE,15.2(7)E8,c3560CX\n"
            "A3,cisco,ios,WS-C9999-NOPE,15.2(7)E8,\n")
    report = import_csv_rows(session, org.id, read_devices_csv(rows, "d.csv"))
    assert {d.serial: d.platform for d in list_devices(session, org.id)} == {
        "A1": "c3560e", "A2": "c3560cx", "A3": ""}
    assert len(report.warnings) == 1
    assert "row 4: A3" in report.warnings[0] and "WS-C9999-NOPE" in report.warnings[0]
    bad = ("serial,vendor,os_family,model,platform\n"
           "B1,cisco,iosxe,C9300-24T,cat9k\n")
    with pytest.raises(InvalidInput, match=r"row 2, column platform 'cat9k' is not an image "
                                           r"family .*`fixright hardware list`"):
        import_csv_rows(session, org.id, read_devices_csv(bad, "bad.csv"))
    assert {d.serial for d in list_devices(session, org.id)} == {"A1", "A2", "A3"}


def _show(serial: str, platform: str) -> DeviceFacts:
    """A `show version` of a WS-C3560E whose platform the import derived."""
    return DeviceFacts(
        vendor="cisco", os_family="ios", model="WS-C3560E-24TD-S", serial=serial,
        version_text="15.2(4)E10", version=None, hostname="sw", image_file="",
        feature_set="ipbase", uptime="", platform=platform, source_name="sw.txt",
        command="show version")


def _platforms(session: Session, org_id: int) -> dict[str, tuple[str, bool]]:
    return {d.serial: (d.platform, d.platform_stated) for d in list_devices(session, org_id)}


def test_a_stated_platform_stays_until_the_owner_states_another(session: Session) -> None:
    org, _ = get_or_create_organization(session, "acme")
    header = "serial,vendor,os_family,model,running_version,platform\n"
    import_csv_rows(session, org.id, read_devices_csv(
        header + "S1,cisco,ios,WS-C3560E-24TD-S,15.2(4)E9,c3560cx\n"
                 "D1,cisco,ios,WS-C3560E-24TD-S,15.2(4)E9,\n", "a.csv"))
    assert _platforms(session, org.id) == {"S1": ("c3560cx", True), "D1": ("c3560e", False)}

    # Derived again (a CSV without the cell, a show import): the stated one stays,
    # the derived one follows what this import derived.
    import_csv_rows(session, org.id, read_devices_csv(
        header + "S1,cisco,ios,WS-C3560E-24TD-S,15.2(4)E10,\n", "b.csv"))
    report = import_facts(session, org.id, [_show("S1", "c3560e"), _show("D1", "c3560")],
                          "show")
    assert _platforms(session, org.id) == {"S1": ("c3560cx", True), "D1": ("c3560", False)}
    changed = {c.serial: set(c.changes) for c in report.updated}
    assert "platform" not in changed["S1"] and "platform" in changed["D1"]

    # The owner states another family: it replaces the stated one.
    import_csv_rows(session, org.id, read_devices_csv(
        header + "S1,cisco,ios,WS-C3560E-24TD-S,,c3560e\n", "c.csv"))
    assert _platforms(session, org.id)["S1"] == ("c3560e", True)


def test_stating_the_stored_platform_overrides_nothing(session: Session) -> None:
    """An exported CSV imported again is unchanged, and the platform stays derived."""
    org, _ = get_or_create_organization(session, "acme")
    header = "serial,vendor,os_family,model,running_version,platform\n"
    import_csv_rows(session, org.id, read_devices_csv(
        header + "D1,cisco,ios,WS-C3560E-24TD-S,15.2(4)E9,\n", "a.csv"))
    again = import_csv_rows(session, org.id, read_devices_csv(
        header + "D1,cisco,ios,WS-C3560E-24TD-S,15.2(4)E9,c3560e\n", "b.csv"))
    assert again.counts() == (0, 0, 1)
    import_facts(session, org.id, [_show("D1", "c3560")], "show")
    assert _platforms(session, org.id) == {"D1": ("c3560", False)}
