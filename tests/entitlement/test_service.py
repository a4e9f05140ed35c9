"""The entitlement service on a real fleet: shared show outputs, shared Cisco advisories,
catalog images, a contract CSV; decisions audited and scoped to the asking organisation."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select
from tests.contracts.contracts_fleet import ASR, C4948, register_fleet
from tests.entitlement.conftest import ASR_IMG, CONTRACTS, SG2, SG2_IP, TODAY

from fixright.audit import service as audit
from fixright.catalog.backends import storage_from_url
from fixright.catalog.service import add_image
from fixright.contracts.csvio import read_contract_csv
from fixright.contracts.service import import_rows
from fixright.entitlement import service
from fixright.entitlement.models import PolicyRow
from fixright.entitlement.presets import PRESETS
from fixright.errors import Conflict, InvalidInput, NotFound


def _decide(session, world, image, policy, org="acme", today=TODAY):
    return service.decide(session, world[org], image, actor="test", policy=policy, today=today,
                          organization=org)


def test_expired_contract_and_a_fix_from_the_real_advisories(session, world) -> None:
    verdicts = {p: _decide(session, world, SG2, p) for p in PRESETS}
    assert {p: v.allowed for p, v in verdicts.items()} == {
        "contract-only": False, "contract-plus-security": True, "lifetime-updates": True,
        "perpetual-fallback": False, "open": True}
    denied = verdicts["contract-only"].grants[0].failures[0]
    assert denied.message == ("no active contract covers a WS-C4948E you own: contract 91234 "
                              "on CAT1451S15C ended 2024-03-01")
    # 12.2(54)SG1 is affected by cisco-sa-snmp-dos-sdxnSUcW (High); SG2 in its train fixes it
    security = verdicts["contract-plus-security"]
    assert (security.grant, security.device_serial) == ("security fix", C4948)
    assert any("cisco-sa-snmp-dos-sdxnSUcW" in r for r in security.reasons)
    # every decision was logged, chained, under acme
    session.commit()
    events = audit.list_events(session, world["acme"], action="entitlement:download:decide")
    assert len(events) == len(PRESETS)
    assert events[0].data["policy"] == "open" and events[0].data["today"] == "2025-06-01"
    assert audit.verify_chain(session).ok


def test_licence_below_the_image(session, world) -> None:
    verdict = _decide(session, world, SG2_IP, "lifetime-updates")
    assert not verdict.allowed
    failure = verdict.grants[0].failures[0]
    assert "licensed for entservices, which does not include ipservicesk9" in failure.message


def test_lapsed_contract_ends_contract_downloads(session, world) -> None:
    before = _decide(session, world, ASR_IMG, "contract-only")
    after = _decide(session, world, ASR_IMG, "contract-only", today=date(2025, 7, 16))
    assert before.allowed and before.device_serial == ASR
    assert not after.allowed
    assert "contract 91234 on SSI1289001MH ended 2025-07-15" in after.grants[0].failures[0].message
    # the universal image is within the ASR's recorded licence: lifetime updates still allow it
    assert _decide(session, world, ASR_IMG, "lifetime-updates", today=date(2025, 7, 16)).allowed


def test_other_organisation_sees_nothing_of_acme(session, world) -> None:
    """'other' registers acme's contract number on acme's serial, but owns no device."""
    import_rows(session, world["other"], read_contract_csv(
        (CONTRACTS.splitlines()[0] + f"\n5,24X7X4,{ASR},ASR1001,2025-01-01,2027-01-01,1,USD\n")
        .encode()).rows)
    for preset in PRESETS:
        verdict = _decide(session, world, ASR_IMG, preset, org="other")
        assert not verdict.allowed
        assert verdict.grants[0].failures[0].condition == "owns_device"
    facts = service.gather_facts(session, world["other"], service.resolve_image(session, ASR_IMG))
    assert facts.devices == () and facts.fixes == {}
    # and acme's decision does not use other's contract 5 (acme's own ended 2025-07-15)
    late = _decide(session, world, ASR_IMG, "contract-only", today=date(2026, 1, 1))
    assert not late.allowed and "contract 5" not in late.explain()


def test_unknown_image_or_policy(session, world) -> None:
    with pytest.raises(NotFound, match="no image named 'nope.bin'"):
        _decide(session, world, "nope.bin", "open")
    with pytest.raises(NotFound, match="no policy 'closed'"):
        _decide(session, world, SG2, "closed")


def test_active_policy_storage(session, world) -> None:
    name, policy = service.active_policy(session)
    assert name == "lifetime-updates" and policy.name == "lifetime-updates"
    service.set_active_policy(session, "contract-only", actor="test")
    assert service.active_policy(session)[0] == "contract-only"
    assert service.decide(session, world["acme"], SG2, actor="t", today=TODAY).policy == \
        "contract-only"
    custom = ('name = "ours"\ndescription = "owners of a device under contract"\n'
              '[[grant]]\nname = "c"\ncontract_active = true\n')
    service.set_active_policy(session, custom, source="ours.toml")
    assert service.active_policy(session)[0] == "ours"
    assert session.scalar(select(func.count()).where(PolicyRow.active.is_(True))) == 1
    session.commit()
    before = session.scalar(select(func.count()).select_from(PolicyRow))
    with pytest.raises(InvalidInput, match=r"ours.toml: line 5: unknown condition 'contract_activ'"):
        service.set_active_policy(session, custom.replace("contract_active", "contract_activ"),
                                  source="ours.toml")
    with pytest.raises(Conflict, match="preset name"):
        service.set_active_policy(session, custom.replace('"ours"', '"open"'), source="x.toml")
    with pytest.raises(InvalidInput, match="needs a top-level name"):
        service.set_active_policy(session, '[[grant]]\npublic = true\n', source="x.toml")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PolicyRow)) == before
    assert service.active_policy(session)[0] == "ours"


def test_cli_policy_commands(cli, engine, shared_data, tmp_path) -> None:
    from fixright.db import make_session_factory

    with make_session_factory(engine)() as s:
        acme = register_fleet(s, shared_data, "acme")
        storage = storage_from_url(f"file://{tmp_path / 'data' / 'blobs'}")
        add_image(s, storage, io.BytesIO(b"x" * 100), filename=SG2, kind="maintenance")
        import_rows(s, acme, read_contract_csv(CONTRACTS.encode()).rows)
        s.commit()
    shown = cli("policy", "show", "--format", "json")
    assert json.loads(shown.stdout)["name"] == "lifetime-updates"
    check = cli("policy", "check", "--image", SG2, "--policy", "contract-only", "--today",
                "2025-06-01")
    assert check.exit_code == 0
    assert "denied by policy 'contract-only'" in check.stdout
    assert "contract 91234 on CAT1451S15C ended 2024-03-01" in check.stdout
    compared = json.loads(cli("policy", "compare", "--image", "1", "--today", "2025-06-01",
                              "--format", "json").stdout)
    assert [d["policy"] for d in compared] == list(PRESETS)
    assert [d["allowed"] for d in compared] == [False, False, True, False, True]
    bad = tmp_path / "typo.toml"
    bad.write_text('name = "typo"\n[[grant]]\nowns_devise = true\n')
    refused = cli("policy", "set", str(bad))
    assert refused.exit_code == 2
    assert "typo.toml: line 3: unknown condition 'owns_devise'" in refused.stderr
    assert "did you mean 'owns_device'" in refused.stderr
    assert cli("policy", "set", "open").exit_code == 0
    assert "open:" in cli("policy", "show").stdout
    missing = cli("policy", "check", "--image", "nope.bin")
    assert missing.exit_code == 1 and "no image named 'nope.bin'" in missing.stderr
    assert cli("audit", "verify").exit_code == 0
