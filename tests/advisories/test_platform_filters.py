"""Advisory platform filters match on the model and the hardware catalogue (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from fixright.advisories.fleet import exposure_for_devices
from fixright.advisories.index import PlatformNames, platform_matches, platform_tokens
from fixright.advisories.results import STATUS_AFFECTED, STATUS_NOT_AFFECTED, DeviceKey
from fixright.advisories.service import import_paths
from fixright.hardware import shipped_catalogue

NAMES = PlatformNames(shipped_catalogue())


def test_lists_in_one_string_are_split() -> None:
    assert platform_tokens(["MX240, MX480"]) == ("mx240", "mx480")
    assert platform_tokens(["SRX Series", "EX Series"]) == ("srx", "ex")
    tokens = platform_tokens(["MX240, MX480"])
    assert platform_matches(tokens, None, "MX480", NAMES)
    assert not platform_matches(tokens, None, "MX204", NAMES)


def test_the_model_decides_even_when_the_device_has_a_family() -> None:
    tokens = platform_tokens(["EX4300 Series"])
    assert platform_matches(tokens, "jinstall-ex-4300", "EX4300-48T", NAMES)
    assert not platform_matches(tokens, "junos-arm-32", "EX2300-24T", NAMES)
    # with the family alone, the hardware that runs it answers
    assert platform_matches(tokens, "jinstall-ex-4300", None, NAMES)
    assert not platform_matches(tokens, "junos-arm-32", None, NAMES)


def test_unknown_names_are_listed_and_left_out() -> None:
    assert NAMES.unknown(["Toaster 9000, EX4300 Series"]) == ["Toaster 9000"]
    # a filter of unknown names alone: matched on version alone
    assert platform_matches(platform_tokens(["Toaster 9000"]), "junos-arm-32", "EX2300", NAMES)


def _cve(tmp_path: Path, cve: str, platforms: list[str]) -> Path:
    document = {
        "dataType": "CVE_RECORD", "dataVersion": "5.1",
        "cveMetadata": {"cveId": cve, "state": "PUBLISHED", "datePublished": "2024-01-10T00:00:00Z",
                        "dateUpdated": "2024-01-10T00:00:00Z", "assignerOrgId": "x"},
        "containers": {"cna": {
            "providerMetadata": {"orgId": "x"},
            "descriptions": [{"lang": "en", "value": "test"}],
            "affected": [{"vendor": "Juniper Networks", "product": "Junos OS",
                          "platforms": platforms, "defaultStatus": "unaffected",
                          "versions": [{"version": "21.4", "lessThan": "21.4R3-S5",
                                        "versionType": "custom", "status": "affected"}]}],
        }},
    }
    path = tmp_path / f"{cve}.json"
    path.write_text(json.dumps(document))
    return path


def test_filters_through_the_services(session: Session, tmp_path: Path) -> None:
    paths = [_cve(tmp_path, "CVE-2024-0001", ["EX4300 Series"]),
             _cve(tmp_path, "CVE-2024-0002", ["MX240, MX480"]),
             _cve(tmp_path, "CVE-2024-0003", ["Toaster 9000"])]
    report = import_paths(session, paths)
    assert len(report.created) == 3
    assert report.platform_warnings == [
        "platform 'Toaster 9000' not known; devices are matched on version alone (CVE-2024-0003)"]
    session.flush()
    devices = [
        DeviceKey(1, "junos", "21.4R3-S3", "jinstall-ex-4300", "EX4300-48T"),
        DeviceKey(2, "junos", "21.4R3-S3", "junos-arm-32", "EX2300-24T"),
        DeviceKey(3, "junos", "21.4R3-S3", "junos-install-mx", "MX480"),
    ]
    found = exposure_for_devices(session, devices)
    hits = {key: {h.advisory_id for h in found[key].advisories} for key in (1, 2, 3)}
    assert hits == {1: {"CVE-2024-0001", "CVE-2024-0003"},
                    2: {"CVE-2024-0003"},
                    3: {"CVE-2024-0002", "CVE-2024-0003"}}
    assert {found[k].status for k in (1, 2, 3)} == {STATUS_AFFECTED}
    assert STATUS_NOT_AFFECTED != STATUS_AFFECTED
