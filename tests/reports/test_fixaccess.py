"""The fix access page's service: cells summed over owners, and a warm answer never stale."""

from __future__ import annotations

from sqlalchemy import select
from tests.entitlement.conftest import TODAY, world  # noqa: F401  (fixture used by name)

from fixright.entitlement.presets import PRESETS, load_preset
from fixright.inventory.models import Device
from fixright.reports import fixaccess


def _summary(columns: list[fixaccess.Column]) -> list[tuple[object, ...]]:
    return [(c.policy, sorted(c.counts.items()), sorted((k, sorted(v))
                                                        for k, v in c.devices.items()))
            for c in columns]


def test_a_warm_answer_follows_every_change_of_the_fleet(session, world, monkeypatch  # noqa: F811
                                                         ) -> None:
    scope = fixaccess.Scope("acme", "acme", (world["acme"],))
    policies = [load_preset(p) for p in PRESETS]

    def both() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        warm = _summary(fixaccess.compare(session, scope, policies, today=TODAY))
        monkeypatch.setattr(fixaccess, "MEMOISE", False)
        fresh = _summary(fixaccess.compare(session, scope, policies, today=TODAY))
        monkeypatch.setattr(fixaccess, "MEMOISE", True)
        return warm, fresh

    first, fresh = both()
    assert first == fresh
    columns = fixaccess.compare(session, scope, policies, today=TODAY)
    assert all(c.total == columns[0].total > 0 for c in columns)
    # A device upgraded in place (same row, same count of rows) changes the answer.
    allowed = columns[[c.policy for c in columns].index("lifetime-updates")].devices["allowed"]
    device = session.get(Device, allowed[0])
    device.running_version = "15.2(7)E99"
    session.flush()
    second, fresh = both()
    assert second == fresh and second != first
    # Retiring a device takes it out.
    device.retired_at = session.scalar(select(Device.first_seen).where(Device.id == device.id))
    session.flush()
    third, fresh = both()
    assert third == fresh
    assert all(device.id not in ids for c in fixaccess.compare(session, scope, policies,
                                                                today=TODAY)
               for ids in c.devices.values())


def test_the_whole_portal_sums_the_owners(session, world) -> None:  # noqa: F811
    policies = [load_preset("contract-only")]
    every = fixaccess.scope_for(session, organization_id=world["acme"], is_operator=True,
                                slug=None)
    assert set(every.organization_ids) >= {world["acme"], world["other"]}
    whole = fixaccess.compare(session, every, policies, today=TODAY)[0]
    parts = [fixaccess.compare(session, fixaccess.Scope(str(o), None, (o,)), policies,
                               today=TODAY)[0] for o in every.organization_ids]
    for cell in ("allowed", "needs_contract", "refused", "no_fix", "triaged"):
        assert whole.counts.get(cell, 0) == sum(p.counts.get(cell, 0) for p in parts)
    owner = fixaccess.scope_for(session, organization_id=world["acme"], is_operator=False,
                                slug="other")
    assert owner.organization_ids == (world["acme"],)  # an owner's choice is ignored
