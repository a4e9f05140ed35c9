"""`fixright report lifecycle`: devices by lifecycle milestone (next one, and those passed)."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.clikit import app_context
from fixright.contracts.cli import parse_today
from fixright.inventory.models import Device
from fixright.inventory.service import resolve_organization
from fixright.lifecycle import service as lifecycle
from fixright.lifecycle.records import milestones
from fixright.output import Format, emit

COLUMNS = ["serial", "hostname", "model", "platform", "next_milestone", "next_date",
           "passed", "bulletin_url"]


def lifecycle_report(session: Session, organization_id: int, today: date
                     ) -> list[dict[str, Any]]:
    """Per device with known dates: next milestone and its date, milestones passed; the
    soonest next milestone first, devices past every milestone last."""
    index = lifecycle.load_index(session)
    rows = []
    for serial, hostname, model, platform in session.execute(
            select(Device.serial, Device.hostname, Device.model, Device.platform)
            .where(Device.organization_id == organization_id, Device.retired_at.is_(None))
            .order_by(Device.serial)):
        found = index.for_device(model, platform)
        if found is None:
            continue
        steps = milestones(found.record, today)
        upcoming = next((m for m in steps if not m.passed), None)
        rows.append({
            "serial": serial, "hostname": hostname, "model": model, "platform": platform,
            "next_milestone": upcoming.words if upcoming else None,
            "next_date": upcoming.day if upcoming else None,
            "passed": [f"{m.words} {m.day.isoformat()}" for m in steps if m.passed],
            "bulletin_url": found.record.bulletin_url,
        })
    rows.sort(key=lambda r: (r["next_date"] is None, r["next_date"] or date.max, r["serial"]))
    return rows


def lifecycle_command(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    today: str | None = typer.Option(None, "--today", help="Pretend today is this ISO date."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Devices by lifecycle milestone: the next one and its date, the ones passed."""
    day = parse_today(today)
    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        rows = lifecycle_report(session, organization.id, day)
    if fmt is Format.csv or fmt is Format.table:
        rows = [r | {"passed": "; ".join(r["passed"])} for r in rows]
    emit(rows, COLUMNS, fmt, title=f"Lifecycle of {organization.slug}")
