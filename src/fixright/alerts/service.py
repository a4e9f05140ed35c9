"""Alert subscriptions, what is due to each, and the delivery log. Never commits.

A subscription keeps a cursor: the last change event it considered (for new
exposures and fixes) or the last date it told about (for lapsing contracts
and expiring acceptances). `collect_due` reads what lies past the cursor,
only in the subscription's own organisation, and composes one message per
subscription (several events make one digest); `record_delivery` logs the
outcome and moves the cursor. Sending happens in between, outside any
transaction (`fixright.alerts.channels`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixright.accounts.models import Organization
from fixright.advisories.models import Advisory
from fixright.advisories.severity import SEVERITIES, severity_rank
from fixright.alerts.messages import Item, Message, compose
from fixright.alerts.models import AlertDelivery, AlertSubscription
from fixright.audit import service as audit
from fixright.changes.diff import FIX_AVAILABLE, NEW_EXPOSURE
from fixright.changes.models import ChangeEvent
from fixright.changes.service import list_changes
from fixright.contracts.service import expiring
from fixright.errors import InvalidInput, NotFound
from fixright.inventory.models import Device
from fixright.triage.models import Triage

KINDS = ("new-exposure", "fix-available", "contract-lapsing", "acceptance-expiring")
DIGESTS = {"immediate": timedelta(0), "daily": timedelta(days=1), "weekly": timedelta(days=7)}
_EVENT_KIND = {"new-exposure": NEW_EXPOSURE, "fix-available": FIX_AVAILABLE}
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
MAX_ITEMS = 1000  # per message; the rest waits for the next one


@dataclass(frozen=True)
class Outgoing:
    """One message due to one subscription, and where its cursor goes once it is sent."""

    subscription_id: int
    organization_id: int
    channel: str
    target: str
    secret: str | None
    message: Message
    items: int
    event_cursor: int
    date_cursor: date | None


def _channel(target: str) -> str:
    if target.startswith(("https://", "http://")):
        return "webhook"
    if _EMAIL.match(target):
        return "email"
    raise InvalidInput(f"{target!r} is neither an e-mail address nor an http(s) webhook URL")


def add_subscription(session: Session, organization_id: int, *, kind: str, target: str,
                     actor: str, min_severity: str | None = None, kev_only: bool = False,
                     days: int | None = None, digest: str = "immediate") -> AlertSubscription:
    """Subscribe `target` (e-mail or webhook URL) to `kind` alerts of one organisation, audited.

    A webhook gets a fresh secret (read it back from the returned row once).
    Past change events are not replayed: the cursor starts at the newest.
    """
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if digest not in DIGESTS:
        raise InvalidInput(f"digest must be one of {', '.join(DIGESTS)}, not {digest!r}")
    if min_severity is not None and min_severity not in SEVERITIES:
        raise InvalidInput(f"min severity must be one of {', '.join(SEVERITIES)}")
    if kind in ("contract-lapsing", "acceptance-expiring"):
        if days is None or not 1 <= days <= 365:
            raise InvalidInput(f"{kind} needs --days N (1 to 365)")
        if min_severity or kev_only:
            raise InvalidInput(f"{kind} takes no severity or KEV filter")
    elif days is not None:
        raise InvalidInput(f"--days belongs to contract-lapsing and acceptance-expiring, not {kind}")
    channel = _channel(target.strip())
    newest = session.scalar(select(func.max(ChangeEvent.id))
                            .where(ChangeEvent.organization_id == organization_id)) or 0
    sub = AlertSubscription(
        organization_id=organization_id, kind=kind, channel=channel, target=target.strip(),
        secret=secrets.token_hex(32) if channel == "webhook" else None,
        min_severity=min_severity, kev_only=kev_only, days=days, digest=digest,
        event_cursor=newest, created_by=actor)
    session.add(sub)
    session.flush()
    audit.record(session, actor=actor, organization_id=organization_id,
                 action="alerts:subscription:add", subject=f"subscription {sub.id}",
                 data={"kind": kind, "channel": channel, "target": sub.target,
                       "min_severity": min_severity, "kev_only": kev_only, "days": days,
                       "digest": digest})
    return sub


def list_subscriptions(session: Session, organization_id: int) -> list[AlertSubscription]:
    return list(session.scalars(select(AlertSubscription)
                                .where(AlertSubscription.organization_id == organization_id)
                                .order_by(AlertSubscription.id)))


def get_subscription(session: Session, organization_id: int, subscription_id: int
                     ) -> AlertSubscription:
    sub = session.get(AlertSubscription, subscription_id)
    if sub is None or sub.organization_id != organization_id:
        raise NotFound(f"no alert subscription {subscription_id} in this organisation")
    return sub


def remove_subscription(session: Session, organization_id: int, subscription_id: int, *,
                        actor: str) -> None:
    """Delete one subscription of the organisation (its delivery log goes with it), audited."""
    sub = get_subscription(session, organization_id, subscription_id)
    audit.record(session, actor=actor, organization_id=organization_id,
                 action="alerts:subscription:remove", subject=f"subscription {sub.id}",
                 data={"kind": sub.kind, "channel": sub.channel, "target": sub.target})
    session.delete(sub)
    session.flush()


def deliveries(session: Session, organization_id: int, subscription_id: int | None = None,
               limit: int = 100) -> list[AlertDelivery]:
    query = select(AlertDelivery).where(AlertDelivery.organization_id == organization_id)
    if subscription_id is not None:
        query = query.where(AlertDelivery.subscription_id == subscription_id)
    return list(session.scalars(query.order_by(AlertDelivery.id.desc()).limit(limit)))


def _event_items(session: Session, sub: AlertSubscription) -> tuple[list[Item], int]:
    rows = list_changes(session, since=None, organization_id=sub.organization_id,
                        kinds=[_EVENT_KIND[sub.kind]], after_id=sub.event_cursor,
                        limit=MAX_ITEMS)
    cursor = rows[-1].id if rows else sub.event_cursor
    floor = severity_rank(sub.min_severity) if sub.min_severity else None
    # Links only to devices that still exist in the subscription's organisation.
    alive = set(session.scalars(select(Device.id).where(
        Device.organization_id == sub.organization_id,
        Device.id.in_({r.device_id for r in rows})))) if rows else set()
    items = [Item(device_id=r.device_id if r.device_id in alive else None, hostname=r.hostname,
                  serial=r.serial, model=r.model, version=r.version, advisory_id=r.advisory_id,
                  severity=r.severity, kev=r.kev, fix=r.fix)
             for r in rows
             if (floor is None or severity_rank(r.severity) >= floor)
             and (not sub.kev_only or r.kev)]
    return items, cursor


def _window(sub: AlertSubscription, today: date) -> tuple[date, date]:
    """Dates (exclusive start, inclusive end) not yet told about."""
    end = today + timedelta(days=sub.days or 0)
    start = sub.date_cursor if sub.date_cursor and sub.date_cursor >= today else today - timedelta(days=1)
    return start, end


def _lapse_items(session: Session, sub: AlertSubscription, today: date) -> tuple[list[Item], date]:
    start, end = _window(sub, today)
    devices = {d.serial.upper(): d for d in session.scalars(
        select(Device).where(Device.organization_id == sub.organization_id,
                             Device.retired_at.is_(None)))}
    items = []
    for line in expiring(session, sub.organization_id, today, sub.days or 0):
        if not start < line.end <= end or line.renewed:
            continue
        device = devices.get(line.serial.upper())
        items.append(Item(device_id=device.id if device else None,
                          hostname=device.hostname if device else None, serial=line.serial,
                          model=device.model if device else line.pid,
                          version=device.running_version if device else None,
                          contract=line.contract_number, date=line.end))
    return items, end


def _acceptance_items(session: Session, sub: AlertSubscription, today: date
                      ) -> tuple[list[Item], date]:
    start, end = _window(sub, today)
    rows = session.execute(
        select(Triage.expires, Device, Advisory.advisory_id, Advisory.severity)
        .join(Device, Device.id == Triage.device_id)
        .join(Advisory, Advisory.id == Triage.advisory_id)
        .where(Triage.organization_id == sub.organization_id, Triage.state == "accepted_risk",
               Triage.expires > start, Triage.expires <= end)
        .order_by(Triage.expires, Device.serial))
    items = [Item(device_id=d.id, hostname=d.hostname, serial=d.serial, model=d.model,
                  version=d.running_version, advisory_id=adv, severity=sev, date=exp)
             for exp, d, adv, sev in rows]
    return items, end


def due(sub: AlertSubscription, now: datetime) -> bool:
    """Whether a digest's period has passed since its last message (immediate: always)."""
    period = DIGESTS.get(sub.digest, timedelta(0))
    return sub.last_sent_at is None or now >= sub.last_sent_at + period


def collect_due(session: Session, *, now: datetime, public_url: str,
                organization_ids: list[int] | None = None) -> list[Outgoing]:
    """One message per subscription with something new past its cursor (and its digest due)."""
    query = select(AlertSubscription, Organization.slug).join(
        Organization, Organization.id == AlertSubscription.organization_id)
    if organization_ids is not None:
        query = query.where(AlertSubscription.organization_id.in_(organization_ids))
    today = now.date()
    out: list[Outgoing] = []
    for sub, slug in session.execute(query.order_by(AlertSubscription.id)).all():
        if not due(sub, now):
            continue
        event_cursor, date_cursor = sub.event_cursor, sub.date_cursor
        if sub.kind in _EVENT_KIND:
            items, event_cursor = _event_items(session, sub)
        elif sub.kind == "contract-lapsing":
            items, date_cursor = _lapse_items(session, sub, today)
        else:
            items, date_cursor = _acceptance_items(session, sub, today)
        if not items:
            if (event_cursor, date_cursor) != (sub.event_cursor, sub.date_cursor):
                # Nothing for this recipient (filtered out): move on without a message.
                sub.event_cursor, sub.date_cursor = event_cursor, date_cursor
            continue
        message = compose(organization=slug, kind=sub.kind, items=items, public_url=public_url,
                          digest=sub.digest)
        out.append(Outgoing(sub.id, sub.organization_id, sub.channel, sub.target, sub.secret,
                            message, len(items), event_cursor, date_cursor))
    return out


def test_message(session: Session, sub: AlertSubscription, public_url: str) -> Outgoing:
    """A sample message for `alerts test`: it names one of the organisation's devices."""
    org = session.get(Organization, sub.organization_id)
    device = session.scalar(select(Device).where(Device.organization_id == sub.organization_id)
                            .order_by(Device.id).limit(1))
    items = [Item(device_id=device.id, hostname=device.hostname, serial=device.serial,
                  model=device.model, version=device.running_version)] if device else []
    message = compose(organization=org.slug if org else "?", kind=sub.kind, items=items,
                      public_url=public_url, digest=sub.digest, test=True)
    return Outgoing(sub.id, sub.organization_id, sub.channel, sub.target, sub.secret, message,
                    len(items), sub.event_cursor, sub.date_cursor)


def record_delivery(session: Session, outgoing: Outgoing, *, status: str, attempts: int,
                    error: str | None, now: datetime, advance: bool = True) -> AlertDelivery:
    """Log one delivery and (unless a test) move the subscription's cursor past what it told.

    A failed delivery moves the cursor too: its events are in the delivery log
    with the error, and a dead target must not make every later run resend them.
    """
    sub = session.get(AlertSubscription, outgoing.subscription_id)
    if sub is None:  # removed while the message was in flight
        raise NotFound(f"alert subscription {outgoing.subscription_id} is gone")
    row = AlertDelivery(subscription_id=sub.id, organization_id=sub.organization_id, at=now,
                        channel=outgoing.channel, target=outgoing.target,
                        subject=outgoing.message.subject, items=outgoing.items,
                        attempts=attempts, status=status, error=error)
    session.add(row)
    if advance:
        sub.event_cursor = max(sub.event_cursor, outgoing.event_cursor)
        sub.date_cursor = outgoing.date_cursor
        sub.last_sent_at = now
    session.flush()
    return row
