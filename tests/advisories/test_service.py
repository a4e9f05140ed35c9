"""Import, reload and bulk exposure on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fixright.accounts.service import get_or_create_organization
from fixright.advisories import fleet, service
from fixright.advisories.formats import read_document
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.models import (
    Advisory,
    AdvisoryAffected,
    AdvisoryFixed,
    AdvisoryUnplaced,
)
from fixright.advisories.planning import match_devices
from fixright.advisories.records import newest_editions
from fixright.advisories.results import DeviceKey
from fixright.errors import InvalidInput
from fixright.inventory.models import Device


def _counts(session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(t))
        for t in (Advisory, AdvisoryAffected, AdvisoryFixed, AdvisoryUnplaced)
    )


def _good(shared_data: Path) -> list[Path]:
    return [shared_data / "advisories" / f for f in ("csaf", "openvuln", "cve5")]


def test_import_is_idempotent(session, shared_data: Path) -> None:
    first = service.import_paths(session, _good(shared_data))
    session.commit()
    assert "cisco-sa-20180328-smi2" in first.created
    # The IOS XR advisory comes twice (CSAF, then a later openVuln edition): created, then updated.
    assert first.created.count("cisco-sa-ios-xr-verii-bypass-HhPwQRvx") == 1
    assert "cisco-sa-ios-xr-verii-bypass-HhPwQRvx" in first.updated
    stored = session.scalar(select(func.count()).select_from(Advisory))
    assert stored == len(set(first.created))
    before = _counts(session)
    again = service.import_paths(session, _good(shared_data))
    assert again.created == [] and again.updated == []
    assert len(again.unchanged) == len(first.created) + len(first.updated)
    assert _counts(session) == before
    snmp = session.scalar(select(Advisory).where(Advisory.advisory_id == "cisco-sa-snmp-dos-sdxnSUcW"))
    rows = session.scalar(select(func.count()).select_from(AdvisoryAffected)
                          .where(AdvisoryAffected.advisory_id == snmp.id))
    assert rows == 3333 + 507


def test_newer_revision_updates(session, shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "advisories/openvuln/cisco-sa-20150325-mdns.json"
    service.import_paths(session, [source])
    data = json.loads(source.read_text())
    data["version"] = "1.5"
    data["lastUpdated"] = "2017-01-01T00:00:00"
    data["productNames"] = data["productNames"][:3]
    newer = tmp_path / "mdns.json"
    newer.write_text(json.dumps(data))
    report = service.import_paths(session, [newer])
    assert report.updated == ["cisco-sa-20150325-mdns"]
    (record,) = [r for r in service.load_records(session) if r.advisory_id == "cisco-sa-20150325-mdns"]
    assert record.revision == "1.5"
    assert sum(len(g.versions) for g in record.affected) == 3
    # The older edition again changes nothing.
    assert service.import_paths(session, [source]).unchanged == ["cisco-sa-20150325-mdns"]


# The Fortinet and Palo Alto documents import with warnings since vendor quirks are
# accepted; the Siemens one stays refused (vers:all with a constraint has no reading).
@pytest.mark.parametrize("name", ["ssa-426509.json"])
def test_invalid_document_leaves_database_unchanged(session, shared_data: Path, name) -> None:
    service.import_paths(session, [shared_data / "advisories/csaf"])
    session.commit()
    before = _counts(session)
    bad = shared_data / "advisories/invalid" / name
    with pytest.raises(InvalidInput, match=name):
        service.import_paths(session, [shared_data / "advisories/cve5", bad])
    session.rollback()
    assert _counts(session) == before


def test_lenient_and_skip_bad(session, shared_data: Path) -> None:
    invalid = shared_data / "advisories/invalid"
    report = service.import_paths(session, [invalid], lenient=True)
    assert len(report.created) == 4 and report.dropped
    assert {u.product for _a, u in report.unplaced} >= {"ModelSim", "Questa"}
    session.rollback()
    report = service.import_paths(session, [invalid, shared_data / "advisories/cve5"], skip_bad=True)
    assert sorted(report.created) == ["CVE-2023-24509", "CVE-2024-21591", "CVE-2025-0114",
                                      "FG-IR-21-173", "FG-IR-24-259"]
    assert [name for name, _m in report.skipped] == [str(invalid / "ssa-426509.json")]


def test_missing_path_is_bad_input(session, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file or folder"):
        service.import_paths(session, [tmp_path / "nope.json"])


def test_stored_records_match_like_the_documents(session, shared_data: Path) -> None:
    service.import_paths(session, _good(shared_data))
    from_db = AdvisoryIndex(service.load_records(session))
    records = []
    for path in service.expand_paths(_good(shared_data)):
        records += read_document(path.read_bytes(), str(path)).advisories
    from_files = AdvisoryIndex(newest_editions(records))
    devices = [DeviceKey(i, f, v, p) for i, (f, v, p) in enumerate([
        ("ios", "12.2(54)SG1", None), ("iosxe", "03.06.05E", "cat3k"), ("ios", "15.2(4.0.55)E", None),
        ("junos", "19.4R3-S1.3", "srx1500"), ("eos", "4.27.6M", None), ("nxos", "7.0(3)I7(9)", None),
        ("ios", "15.2(2)E3", None), ("asa", "9.8(4)45", None)])]
    a, b = match_devices(from_db, devices), match_devices(from_files, devices)
    for d in devices:
        assert a[d.device_id].exposure == b[d.device_id].exposure


def test_exposure_for_org_bulk(session, shared_data: Path) -> None:
    service.import_paths(session, _good(shared_data))
    org, _ = get_or_create_organization(session, "acme")
    other, _ = get_or_create_organization(session, "other")
    for i, (family, version) in enumerate([("ios", "12.2(54)SG1"), ("iosxe", "03.06.05E"),
                                           ("ios", "junk"), ("eos", "4.28.9M")]):
        session.add(Device(organization_id=org.id, serial=f"S{i}", vendor="cisco", os_family=family,
                           running_version=version, source="csv"))
    session.add(Device(organization_id=other.id, serial="X", vendor="cisco", os_family="ios",
                       running_version="12.2(54)SG1", source="csv"))
    session.flush()
    exposed = fleet.exposure_for_org(session, org.id)
    assert len(exposed.devices) == 4
    assert (exposed.affected, exposed.not_affected, exposed.unknown) == (2, 1, 1)
    keys = fleet.device_keys(session, org.id)
    bulk = fleet.exposure_for_devices(session, keys)
    assert {k: v.status for k, v in bulk.items()} == {k: v.status for k, v in exposed.devices.items()}
    assert "cisco-sa-20150325-mdns" in fleet.advisories_fixed_by(session, "ios", "15.2(2)E3")


def test_folder_import_reads_nested_files(session, shared_data: Path, tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    shutil.copy(shared_data / "advisories/cve5/CVE-2023-24509.json", nested)
    assert service.import_paths(session, [tmp_path]).created == ["CVE-2023-24509"]


def _matches(advisory: Advisory, severities: set[str] | None, needle: str) -> bool:
    """The filter the advisories route used to apply in Python, as the reference."""
    if severities is not None and advisory.severity not in severities:
        return False
    texts = (advisory.advisory_id, advisory.title, *(advisory.cves or ()),
             *(advisory.bug_ids or ()))
    return not needle or any(needle in t.lower() for t in texts)


def test_pages_of_advisories_filter_cut_and_count_in_sql(session, shared_data: Path) -> None:
    service.import_paths(session, _good(shared_data))
    session.commit()
    stored = service.list_advisories(session)
    some_cve = next(c for a in stored for c in (a.cves or ()))
    some_bug = next(b for a in stored for b in (a.bug_ids or ()))
    cases = [(None, ""), ({"critical", "high"}, ""), (None, some_cve.lower()[4:]),
             (None, some_bug.upper()), (None, "SNMP"), ({"medium"}, "cisco"), (None, "%"),
             (None, '", "'), (None, "no such advisory")]
    for severities, search in cases:
        expected = [a.advisory_id for a in stored if _matches(a, severities, search.lower())]
        rows, total = service.page_advisories(session, limit=3, offset=1, severities=severities,
                                              search=search)
        assert total == len(expected), (severities, search)
        assert [a.advisory_id for a in rows] == expected[1:4], (severities, search)
    assert service.page_advisories(session, limit=500, search=some_cve)[1] >= 1
