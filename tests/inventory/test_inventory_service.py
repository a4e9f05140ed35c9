"""Service: upsert by (organisation, vendor, serial), reports, scoping; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.shared import SHOW

from fixright.accounts.service import get_or_create_organization
from fixright.errors import Conflict, InvalidInput, NotFound
from fixright.inventory import importing, queries, service
from fixright.inventory.csvio import read_devices_csv
from fixright.inventory.models import Device
from fixright.inventory.parse import parse_output
from fixright.output import to_csv


def _facts(relative: str):
    raw = SHOW / relative
    return parse_output(raw.read_text(), source_name=raw.name)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Device)) or 0


@pytest.fixture
def orgs(session: Session):
    acme, _ = get_or_create_organization(session, "acme")
    other, _ = get_or_create_organization(session, "other")
    session.commit()
    return acme, other


def test_import_creates_then_reports_unchanged(session: Session, orgs) -> None:
    acme, _ = orgs
    stack = _facts("cisco_ios/show_version/cisco_ios_show_version1.raw")
    report = importing.import_facts(session, acme.id, stack, "show")
    assert [c.serial for c in report.created] == [f.serial for f in stack]
    session.commit()
    again = importing.import_facts(session, acme.id, stack, "show")
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, len(stack))
    device = queries.list_devices(session, acme.id, search=stack[0].serial)[0]
    assert (device.running_version, device.platform, device.licensed_feature_set) == (
        stack[0].version_text, stack[0].platform, stack[0].feature_set
    )


def test_update_reports_what_changed_and_keeps_known_values(session: Session, orgs) -> None:
    acme, _ = orgs
    (old,) = _facts("cisco_nxos/show_version/cisco_nxos_show_version5.raw")
    importing.import_facts(session, acme.id, [old], "show")
    newer = replace(old, version_text="10.4(6)", hostname="", feature_set="unknown")
    report = importing.import_facts(session, acme.id, [newer], "ssh")
    (change,) = report.updated
    assert change.changes == {"running_version": (old.version_text, "10.4(6)")}
    device = queries.list_devices(session, acme.id)[0]
    assert device.hostname == old.hostname  # an empty value never erases a known one
    assert device.source == "ssh"


def test_facts_without_serial_are_refused_before_writing(session: Session, orgs) -> None:
    acme, _ = orgs
    good = _facts("arista_eos/show_version/arista_eos_show_version2.raw")
    xr = _facts("cisco_xr/show_version/cisco_xr_show_version.raw")
    with pytest.raises(InvalidInput, match=r"cisco_xr_show_version\.raw: no serial number"):
        importing.import_facts(session, acme.id, good + xr, "show")
    assert _count(session) == 0


def test_scoped_to_organisation(session: Session, orgs) -> None:
    acme, other = orgs
    facts = _facts("hp_procurve/show_system/hp_procurve_show_system3.raw")
    importing.import_facts(session, acme.id, facts, "show")
    session.flush()
    mine = queries.list_devices(session, acme.id)
    assert len(mine) == len(facts) == queries.count_devices(session, acme.id)
    assert queries.list_devices(session, other.id) == []
    assert service.get_device(session, acme.id, mine[0].id).serial == facts[0].serial
    with pytest.raises(NotFound):
        service.get_device(session, other.id, mine[0].id)
    # A serial in service with one owner is refused to another (issue 16), whole import...
    before = _count(session)
    with pytest.raises(Conflict) as refused:
        importing.import_facts(session, other.id, facts, "show")
    assert facts[0].serial in refused.value.message and "acme" not in refused.value.message
    assert "another organisation" in refused.value.message
    assert _count(session) == before
    # ...but a resold box moves once its previous owner has retired it.
    service.retire_device(session, acme.id, mine[0].id, actor="test")
    assert len(importing.import_facts(session, other.id, facts[:1], "show").created) == 1


def test_serial_conflict_refuses_csv_rows_too(session: Session, orgs) -> None:
    acme, other = orgs
    text = "serial,vendor,os_family,model,running_version\nFOC1,cisco,ios,WS-C2960X-24PS-L,15.2(2)E3\n"
    importing.import_csv_rows(session, acme.id, read_devices_csv(text, "a.csv"))
    session.commit()
    both = text + "FOC2,cisco,ios,WS-C2960X-24PS-L,15.2(2)E3\n"
    with pytest.raises(Conflict, match="serial FOC1 is registered to another organisation"):
        importing.import_csv_rows(session, other.id, read_devices_csv(both, "b.csv"))
    session.rollback()
    assert queries.list_devices(session, other.id) == []
    assert [d.serial for d in queries.list_devices(session, acme.id)] == ["FOC1"]


def test_search_filter_and_paging(session: Session, orgs) -> None:
    acme, _ = orgs
    facts = _facts("cisco_ios/show_version/cisco_ios_show_version1.raw") + _facts(
        "juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware4.raw"
    )
    importing.import_facts(session, acme.id, facts, "show")
    assert queries.count_devices(session, acme.id, os_family="junos") == 1
    assert queries.count_devices(session, acme.id, search="ws-c3850") == 4
    assert queries.count_devices(session, acme.id, search="%") == 0  # wildcards are literal
    page = queries.list_devices(session, acme.id, limit=2, offset=1)
    assert [d.id for d in page] == [d.id for d in queries.list_devices(session, acme.id)][1:3]


def test_export_reimports_unchanged(session: Session, orgs) -> None:
    acme, _ = orgs
    facts = _facts("cisco_ios/show_version/cisco_ios_show_version4.raw")
    importing.import_facts(session, acme.id, facts, "show")
    rows = queries.export_rows(session, acme.id)
    text = to_csv(rows, list(rows[0]))
    report = importing.import_csv_rows(session, acme.id, read_devices_csv(text, "e.csv"))
    assert len(report.unchanged) == len(facts) and not report.created and not report.updated


def test_resolve_organization_messages(session: Session) -> None:
    with pytest.raises(InvalidInput, match="no owner organisation yet"):
        service.resolve_organization(session, None)
    get_or_create_organization(session, "acme")
    assert service.resolve_organization(session, None).slug == "acme"
    get_or_create_organization(session, "beta")
    with pytest.raises(InvalidInput, match=r"several organisations \(acme, beta\)"):
        service.resolve_organization(session, None)
    with pytest.raises(InvalidInput, match="fixright orgs add nope"):
        service.resolve_organization(session, "nope")
