"""`devices retire|delete`: a retired device keeps its history but leaves lists,
exposure, policy comparison and owns_device; a deleted one is gone (audited)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import select
from tests.shared import SHOW

from fixright.advisories import fleet as advisories
from fixright.audit.models import AuditEvent
from fixright.db import make_session_factory
from fixright.inventory import service
from fixright.inventory.models import Device


def _import(cli, tmp_path: Path) -> list[dict]:
    assert cli("orgs", "add", "acme").exit_code == 0
    folder = tmp_path / "outputs"
    folder.mkdir()
    for rel in ("cisco_ios/show_version/cisco_ios_show_version.raw",
                "cisco_ios/show_version/cisco_ios_show_version1.raw"):
        shutil.copy(SHOW / rel, folder / Path(rel).name)
    assert cli("devices", "import", str(folder), "--skip-bad").exit_code == 0
    listed = cli("devices", "list", "--format", "json")
    return list(json.loads(listed.stdout))


def test_retire_keeps_history_and_leaves_reports(cli, engine, tmp_path) -> None:
    devices = _import(cli, tmp_path)
    assert len(devices) >= 2
    gone, kept = devices[0], devices[1]
    result = cli("devices", "retire", gone["serial"])
    assert result.exit_code == 0, result.output
    listed = json.loads(cli("devices", "list", "--format", "json").stdout)
    assert gone["id"] not in {d["id"] for d in listed} and kept["id"] in {d["id"] for d in listed}
    everything = json.loads(cli("devices", "list", "--retired", "--format", "json").stdout)
    assert gone["id"] in {d["id"] for d in everything}
    with make_session_factory(engine)() as s:
        org = service.resolve_organization(s, "acme")
        assert service.get_device(s, org.id, gone["id"]).retired_at is not None  # kept
        keys = {k.device_id for k in advisories.device_keys(s, org.id)}
        assert gone["id"] not in keys and kept["id"] in keys
        assert gone["serial"] not in {
            d.serial for d in s.scalars(select(Device).where(Device.retired_at.is_(None)))}
        actions = list(s.scalars(select(AuditEvent.action)))
    assert "inventory:device:retire" in actions


def test_delete_removes_the_row_and_is_audited(cli, engine, tmp_path) -> None:
    devices = _import(cli, tmp_path)
    victim = devices[0]
    result = cli("devices", "delete", str(victim["id"]))
    assert result.exit_code == 0, result.output
    assert cli("devices", "delete", str(victim["id"])).exit_code != 0  # not found now
    with make_session_factory(engine)() as s:
        assert s.get(Device, victim["id"]) is None
        event = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "inventory:device:delete")).one()
    assert event.data["id"] == victim["id"]


def test_a_retired_device_listed_again_is_back_in_service(cli, engine, tmp_path) -> None:
    devices = _import(cli, tmp_path)
    back = devices[0]
    assert cli("devices", "retire", back["serial"]).exit_code == 0
    again = cli("devices", "import", str(tmp_path / "outputs"), "--skip-bad")
    assert again.exit_code == 0, again.output
    assert f"{back['serial']}: in_service no -> yes" in " ".join(again.output.split())
    listed = json.loads(cli("devices", "list", "--format", "json").stdout)
    assert back["id"] in {d["id"] for d in listed}  # the same row, history kept
    with make_session_factory(engine)() as s:
        assert s.get(Device, back["id"]).retired_at is None


def test_a_box_another_owner_took_over_does_not_come_back(cli, engine, tmp_path) -> None:
    devices = _import(cli, tmp_path)
    sold = devices[0]
    for device in devices:  # the whole folder changes hands
        assert cli("devices", "retire", device["serial"], "--org", "acme").exit_code == 0
    assert cli("orgs", "add", "buyer").exit_code == 0
    assert cli("devices", "import", str(tmp_path / "outputs"), "--skip-bad",
               "--org", "buyer").exit_code == 0
    refused = cli("devices", "import", str(tmp_path / "outputs"), "--skip-bad", "--org", "acme")
    assert refused.exit_code == 2
    assert sold["serial"] in refused.output and "another organisation" in refused.output
    with make_session_factory(engine)() as s:
        assert s.get(Device, sold["id"]).retired_at is not None
