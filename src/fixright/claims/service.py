"""Create claims, move them through their states, list and count them. Never commits."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from datetime import date, datetime
from importlib.resources import files
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixright.accounts.models import Organization
from fixright.advisories.fleet import exposure_for_devices
from fixright.advisories.results import DeviceKey
from fixright.audit import service as audit
from fixright.catalog.models import Image, Release
from fixright.claims.models import Claim
from fixright.contracts.service import coverage_by_serial
from fixright.db import utcnow
from fixright.entitlement import service as entitlement
from fixright.entitlement.facts import (
    AdvisoryFix,
    CoverageFacts,
    DeviceFacts,
    EntitlementFacts,
    ImageFacts,
)
from fixright.entitlement.policy import Decision, evaluate
from fixright.errors import Conflict, InvalidInput, NotFound
from fixright.hardware import active_catalogue
from fixright.inventory.compatibility import families_of
from fixright.inventory.models import Device
from fixright.versions import train_of

DRAFTED, SENT, GRANTED, REFUSED = "drafted", "sent", "granted", "refused"
STATES = (DRAFTED, SENT, GRANTED, REFUSED)
# Where a claim may go from each state.
NEXT = {DRAFTED: (SENT, REFUSED), SENT: (GRANTED, REFUSED), GRANTED: (), REFUSED: ()}


def promises() -> dict[str, Any]:
    """The vendors' published wording of their security-fix promise (shipped data, sourced)."""
    text = files("fixright.claims").joinpath("data", "promises.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def find_device(session: Session, organization_id: int, ref: str | int) -> Device:
    """A device of the organisation by id or serial; `NotFound` otherwise (also another's)."""
    query = select(Device).where(Device.organization_id == organization_id)
    text = str(ref).strip()
    if text.isdigit():
        device = session.scalar(query.where(Device.id == int(text)))
        if device is not None:
            return device
    device = session.scalar(query.where(func.upper(Device.serial) == text.upper()))
    if device is None:
        raise NotFound(f"no device {text[:64]!r}")
    return device


def _decision(session: Session, device: Device, fix_text: str, fix_norm: str,
              advisory: AdvisoryFix,
              today: date) -> tuple[str, Decision]:
    """The active policy's decision on the fix release for this device alone."""
    name, policy = entitlement.active_policy(session)
    catalogue = active_catalogue()
    families = families_of(catalogue, device)
    row = session.execute(
        select(Image, Release).join(Release, Image.release_id == Release.id)
        .where(Release.os_family == device.os_family, Release.version_normalized == fix_norm)
        .order_by(Image.id)).all()
    picked = next(((i, r) for i, r in row
                   if i.platform.lower() in families or i.platform.lower() == device.platform), None)
    if picked is not None:
        image = entitlement.image_facts(session, picked[0], [advisory.advisory_id])
    else:
        image = ImageFacts(0, f"{device.platform} {fix_text} (not in catalog)", device.platform,
                           device.licensed_feature_set, fix_text,
                           train_of(device.os_family, fix_text), "maintenance", today)
    lines = coverage_by_serial(session, device.organization_id, [device.serial]).get(
        device.serial.upper(), [])
    facts_device = DeviceFacts(
        device_id=device.id, serial=device.serial, model=device.model or None,
        platform=device.platform, running_version=device.running_version,
        running_train=train_of(device.os_family, device.running_version),
        licensed_feature_set=device.licensed_feature_set,
        coverage=tuple(CoverageFacts(c.contract_number, c.start, c.end, c.service_level)
                       for c in lines),
        families=tuple(sorted(families)))
    facts = EntitlementFacts(today, str(device.organization_id), image, (facts_device,),
                             {device.id: (advisory,)})
    return name, evaluate(policy, facts)


def create_claim(session: Session, organization_id: int, device_ref: str | int,
                 advisory_id: str, *, actor: str, today: date | None = None) -> Claim:
    """A drafted claim for an exposed device the active policy denies its fix (audited).

    `Conflict` when the device is not exposed to the advisory, no fixed release is
    known in its train, or the policy already lets it download the fix.
    """
    today = today or date.today()
    device = find_device(session, organization_id, device_ref)
    key = DeviceKey(device.id, device.os_family or None, device.running_version or None,
                    device.platform or None, device.model or None)
    exposure = exposure_for_devices(session, [key])[device.id]
    hit = next((h for h in exposure.advisories
                if h.advisory_id.lower() == advisory_id.strip().lower()), None)
    if hit is None:
        raise Conflict(f"{device.serial} is not exposed to {advisory_id[:100]}: no claim to make")
    fix = hit.first_fixed.version
    if fix is None:
        raise Conflict(f"no fixed release of {hit.advisory_id} is known in the train "
                       f"{device.running_version} belongs to; a claim needs one to ask for")
    policy_name, decision = _decision(session, device, fix.text, fix.normalized,
                                      AdvisoryFix(hit.advisory_id, hit.severity), today)
    if decision.allowed:
        raise Conflict(f"under the active policy {policy_name} this device may download "
                       f"{fix.text} ({decision.grant}): no claim needed")
    org = session.get(Organization, organization_id)
    promise = promises().get((device.vendor or "").lower())
    packet = {
        "date": today.isoformat(),
        "owner": org.name if org else str(organization_id),
        "device": {"serial": device.serial, "pid": device.model or None,
                   "hostname": device.hostname, "vendor": device.vendor,
                   "os_family": device.os_family, "running_release": device.running_version},
        "advisory": {"id": hit.advisory_id, "title": hit.title, "severity": hit.severity,
                     "cves": list(hit.cves), "url": hit.url},
        "first_fixed_release": {"version": fix.text, "inferred": hit.first_fixed.inferred,
                                "train": fix.train},
        "policy": {"name": policy_name, "decision": decision.explain()},
        "promise": promise,
    }
    claim = Claim(organization_id=organization_id, device_id=device.id,
                  advisory_id=hit.advisory_id, serial=device.serial, state=DRAFTED,
                  packet=packet)
    session.add(claim)
    session.flush()
    claim.packet = {"claim": claim.id, **packet}
    audit.record(session, actor=actor, organization_id=organization_id,
                 action="claims:claim:create", subject=f"claim {claim.id}",
                 data={"serial": device.serial, "advisory": hit.advisory_id,
                       "fix": fix.text, "policy": policy_name})
    session.flush()
    return claim


def get_claim(session: Session, organization_id: int, claim_id: int) -> Claim:
    """One claim of the organisation; `NotFound` for another's or an unknown id."""
    claim = session.scalar(select(Claim).where(Claim.id == claim_id,
                                               Claim.organization_id == organization_id))
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    return claim


def set_state(session: Session, organization_id: int, claim_id: int, state: str, *,
              actor: str, note: str | None = None, at: datetime | None = None) -> Claim:
    """Move a claim on (drafted -> sent -> granted | refused), audited."""
    claim = get_claim(session, organization_id, claim_id)
    state = state.strip().lower()
    if state not in STATES:
        raise InvalidInput(f"state {state[:20]!r}: use one of {', '.join(STATES)}")
    if state not in NEXT[claim.state]:
        allowed = ", ".join(NEXT[claim.state]) or "nothing (it is final)"
        raise Conflict(f"claim {claim.id} is {claim.state}; it can become {allowed}")
    moment = at or utcnow()
    previous, claim.state = claim.state, state
    if state == SENT:
        claim.sent_at = moment
    else:
        claim.decided_at = moment
    if note:
        claim.note = note[:1000]
    audit.record(session, actor=actor, organization_id=organization_id,
                 action="claims:claim:state", subject=f"claim {claim.id}",
                 data={"from": previous, "to": state, "note": note})
    session.flush()
    return claim


def list_claims(session: Session, organization_id: int | None) -> list[Claim]:
    """The organisation's claims (every organisation's when None), newest first."""
    query = select(Claim).order_by(Claim.id.desc())
    if organization_id is not None:
        query = query.where(Claim.organization_id == organization_id)
    return list(session.scalars(query))


def claim_row(claim: Claim) -> dict[str, Any]:
    packet = claim.packet
    return {"id": claim.id, "state": claim.state, "serial": claim.serial,
            "pid": packet.get("device", {}).get("pid"), "advisory": claim.advisory_id,
            "fix": packet.get("first_fixed_release", {}).get("version"),
            "created": claim.created_at, "sent": claim.sent_at, "decided": claim.decided_at}


@dataclass(frozen=True)
class ClaimStats:
    total: int
    by_state: dict[str, int]
    granted_share: float | None
    """Granted among decided claims (granted + refused); None before any decision."""
    median_days_to_grant: float | None
    """Median days from sent to granted."""


def claim_stats(claims: list[Claim]) -> ClaimStats:
    """How often and how fast claims are granted."""
    by_state = {s: sum(1 for c in claims if c.state == s) for s in STATES}
    decided = by_state[GRANTED] + by_state[REFUSED]
    days = [(c.decided_at - c.sent_at).total_seconds() / 86400 for c in claims
            if c.state == GRANTED and c.sent_at and c.decided_at]
    return ClaimStats(len(claims), by_state,
                      by_state[GRANTED] / decided if decided else None,
                      round(statistics.median(days), 1) if days else None)


def claimable(session: Session, device: Device, hits: Any, today: date | None = None
              ) -> list[Any]:
    """The advisory hits of `device` a claim could be drafted for now: a fix is known in its
    train, the active policy denies it, and no claim for it is open."""
    today = today or date.today()
    taken = set(session.scalars(select(Claim.advisory_id).where(
        Claim.organization_id == device.organization_id, Claim.device_id == device.id,
        Claim.state.in_((DRAFTED, SENT, GRANTED)))))
    found = []
    for hit in hits:
        fix = hit.first_fixed.version
        if fix is None or hit.advisory_id in taken:
            continue
        _name, decision = _decision(session, device, fix.text, fix.normalized,
                                    AdvisoryFix(hit.advisory_id, hit.severity), today)
        if not decision.allowed:
            found.append(hit)
    return found


def device_claims(session: Session, organization_id: int, device_id: int) -> list[Claim]:
    return list(session.scalars(select(Claim).where(
        Claim.organization_id == organization_id, Claim.device_id == device_id)
        .order_by(Claim.id.desc())))
