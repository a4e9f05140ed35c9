"""Hashing and verifying the audit chain. PURE: plain data in, plain data out.

Every event carries the hash of the one before (`prev_hash`, "0"*64 for the
first) and its own hash: sha256 over the canonical JSON of
[seq, at, actor, organization_id, action, subject, data, prev_hash], where
`at` is UTC ISO 8601 with microseconds and a `Z`, and the JSON has sorted
keys, no spaces and raw UTF-8. Editing, inserting or deleting any event but
the last changes a hash that a later event relies on; `verify` names the
first event where the chain breaks. (Deleting the newest events leaves a
shorter valid chain: compare the head hash `audit verify` prints with one
kept elsewhere.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return canonical_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"audit data cannot hold {type(value).__name__} values")


def normalize_data(data: Any) -> Any:
    """`data` as it will read back from a JSON column (dates as ISO text, tuples as lists)."""
    return json.loads(json.dumps(data, default=_default, ensure_ascii=False))


def canonical_time(at: datetime) -> str:
    """UTC, microseconds, `Z`; a naive time (SQLite reads them back so) is taken as UTC."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


@dataclass(frozen=True)
class EventRecord:
    """One audit event as stored."""

    seq: int
    at: datetime
    actor: str
    organization_id: int | None
    action: str
    subject: str
    data: Any
    prev_hash: str
    hash: str = ""


def event_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    organization_id: int | None,
    action: str,
    subject: str,
    data: Any,
    prev_hash: str,
) -> str:
    """The sha256 hex digest that chains this event to `prev_hash`."""
    payload = [seq, canonical_time(at), actor, organization_id, action, subject,
               normalize_data(data), prev_hash]
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_of(event: EventRecord) -> str:
    return event_hash(seq=event.seq, at=event.at, actor=event.actor,
                      organization_id=event.organization_id, action=event.action,
                      subject=event.subject, data=event.data, prev_hash=event.prev_hash)


@dataclass(frozen=True)
class VerifyResult:
    """`ok`, how many events were checked, the head hash, and the first bad event."""

    ok: bool
    count: int
    head: str
    bad_seq: int | None = None
    reason: str | None = None

    def message(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.count} events, head {self.head}"
        return f"audit chain broken at event {self.bad_seq}: {self.reason}"


def verify(events: Iterable[EventRecord]) -> VerifyResult:
    """Check events (in seq order): numbering, links and hashes. Stops at the first break."""
    expected_seq = 1
    prev = GENESIS
    count = 0
    for event in events:
        if event.seq != expected_seq:
            missing = (f"events {expected_seq}..{event.seq - 1} are missing"
                       if event.seq > expected_seq else f"expected seq {expected_seq}")
            return VerifyResult(False, count, prev, event.seq, missing)
        if event.prev_hash != prev:
            return VerifyResult(False, count, prev, event.seq,
                                "its prev_hash does not match the hash of the event before")
        if hash_of(event) != event.hash:
            return VerifyResult(False, count, prev, event.seq,
                                "its content does not match its hash (edited)")
        prev = event.hash
        expected_seq += 1
        count += 1
    return VerifyResult(True, count, prev)
