"""What an alert says: one subject, a plain-text body and a JSON payload. PURE.

Every item names the device the way its owner finds it (hostname, serial,
model, running version) and what it is about (advisory id and severity, or a
contract, or an accepted risk), with a link into the portal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

KIND_TITLES = {
    "new-exposure": "new exposure(s)",
    "fix-available": "fix(es) now available",
    "contract-lapsing": "contract line(s) lapsing",
    "acceptance-expiring": "accepted risk(s) expiring",
}


@dataclass(frozen=True)
class Item:
    """One thing to tell: a device and what happened to it."""

    device_id: int | None
    hostname: str | None
    serial: str
    model: str | None
    version: str | None
    advisory_id: str | None = None
    severity: str | None = None
    kev: bool = False
    fix: str | None = None
    contract: str | None = None
    date: date | None = None  # the lapse or expiry date

    def line(self, public_url: str) -> str:
        who = " ".join(p for p in (self.hostname or "(no hostname)", self.serial,
                                   self.model or "", self.version or "") if p)
        what = []
        if self.advisory_id:
            what.append(f"{self.advisory_id} ({self.severity or 'unknown'}"
                        f"{', KEV' if self.kev else ''})")
        if self.fix:
            what.append(f"fix: {self.fix}")
        if self.contract:
            what.append(f"contract {self.contract}")
        if self.date:
            what.append(f"on {self.date.isoformat()}")
        link = f" {device_link(public_url, self.device_id)}" if self.device_id else ""
        return f"- {who}: {', '.join(what)}{link}"


def device_link(public_url: str, device_id: int) -> str:
    return f"{public_url.rstrip('/')}/devices/{device_id}"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    payload: dict[str, Any]


def compose(*, organization: str, kind: str, items: Sequence[Item], public_url: str,
            digest: str, test: bool = False) -> Message:
    """The message for `items` of one subscription (a digest is the same, with more items)."""
    title = KIND_TITLES.get(kind, kind)
    prefix = "[test] " if test else ""
    subject = f"{prefix}fixright: {len(items)} {title} in {organization}"
    lines = [f"{len(items)} {title} in {organization}"
             + (f" ({digest} digest)" if digest != "immediate" else "") + ":", ""]
    lines += [item.line(public_url) for item in items]
    lines += ["", f"Portal: {public_url.rstrip('/')}/"]
    payload = {
        "organization": organization, "kind": kind, "digest": digest, "test": test,
        "count": len(items), "portal": public_url.rstrip("/") + "/",
        "items": [{**{k: v.isoformat() if isinstance(v, date) else v
                      for k, v in asdict(i).items()},
                   "link": device_link(public_url, i.device_id) if i.device_id else None}
                  for i in items],
    }
    return Message(subject=subject[:300], text="\n".join(lines) + "\n", payload=payload)
