"""Imports and publications leave one audit event each, and the chain stays intact."""

from __future__ import annotations

from sqlalchemy import select

from fixright.audit import service as audit
from fixright.audit.models import AuditEvent

CSV = """serial,vendor,os_family,model,running_version,licensed_feature_set,hostname
FOC2118X0QA,cisco,ios,WS-C2960X-48FPD-L,15.2(2)E3,lanbasek9,acc-01
FOC2118X1QB,cisco,ios,WS-C2960X-48FPD-L,15.2(2)E3,lanbasek9,acc-02
"""


def _events(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.seq)))


def test_device_import_is_one_event_and_a_no_op_reimport_none(cli, session, tmp_path) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0
    path = tmp_path / "devices.csv"
    path.write_text(CSV)
    assert cli("devices", "import", str(path), "--org", "acme").exit_code == 0
    events = _events(session, "inventory:devices:import")
    assert len(events) == 1
    assert events[0].actor == "cli"
    assert events[0].data["created"] == 2
    assert sorted(events[0].data["serials"]) == ["FOC2118X0QA", "FOC2118X1QB"]
    assert cli("devices", "import", str(path), "--org", "acme").exit_code == 0
    assert len(_events(session, "inventory:devices:import")) == 1  # nothing changed
    assert audit.verify_chain(session).ok


def test_image_and_advisory_publication_are_audited(cli, session, tmp_path, shared_data) -> None:
    image = tmp_path / "c2960x-universalk9-mz.152-7.E8.bin"
    image.write_bytes(b"\x00" * 5000)
    assert cli("images", "add", str(image)).exit_code == 0
    assert cli("images", "add", str(image)).exit_code == 0  # same bytes: no new event
    added = _events(session, "catalog:image:add")
    assert [e.subject for e in added] == [image.name]
    assert added[0].data["size"] == 5000 and added[0].organization_id is None
    result = cli("advisories", "import", str(shared_data / "advisories/openvuln/all.json"))
    assert result.exit_code == 0, result.output
    imported = _events(session, "advisories:documents:import")
    assert len(imported) == 1
    assert "cisco-sa-snmp-dos-sdxnSUcW" in imported[0].data["created"]
    assert audit.verify_chain(session).ok
