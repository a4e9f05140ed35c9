"""`fixright report coverage`: covered and uncovered devices, lapses, yearly cost."""

from __future__ import annotations

from typing import Any

import typer

from fixright.clikit import app_context, console
from fixright.contracts.cli import parse_today
from fixright.contracts.service import LAPSE_WINDOWS, coverage_report
from fixright.inventory.service import resolve_organization
from fixright.output import Format, emit


def coverage_command(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    today: str | None = typer.Option(None, "--today", help="Pretend today is this ISO date."),
    devices: bool = typer.Option(False, "--devices", help="One row per device instead of totals."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Covered, uncovered, lapsing within 30/60/90 days, yearly cost, per service level."""
    day = parse_today(today)
    with app_context(ctx).session() as session:
        organization = resolve_organization(session, org)
        report = coverage_report(session, organization.id, day)
    if devices:
        rows: list[dict[str, Any]] = [
            {"serial": d.serial, "model": d.model, "platform": d.platform, "covered": "yes",
             "covered_until": until, "days_left": (until - day).days}
            for d, until in report.covered
        ] + [
            {"serial": d.serial, "model": d.model, "platform": d.platform, "covered": "no"}
            for d in report.uncovered
        ]
        emit(rows, ["serial", "model", "platform", "covered", "covered_until", "days_left"], fmt,
             title=f"Coverage of {organization.slug} on {day}")
        return
    data = {
        "organization": organization.slug, "today": day, "devices": report.devices,
        "covered": len(report.covered), "uncovered": len(report.uncovered),
        "lapsing": {str(n): len(report.lapsing[n]) for n in LAPSE_WINDOWS},
        "yearly_cost": report.yearly_cost,
        "per_service_level": [
            {"service_level": r.service_level, "devices": r.devices, "lines": r.lines,
             "yearly_cost": r.yearly_cost} for r in report.per_service_level
        ],
        "lines_on_unknown_serials": report.lines_on_unknown_serials,
    }
    emit(report.summary_rows(), ["measure", "value"], fmt, json_data=data,
         title=f"Coverage of {organization.slug} on {day}")
    if fmt is Format.table and report.uncovered:
        console.print(f"uncovered: {', '.join(d.serial for d in report.uncovered[:20])}"
                      + (" ..." if len(report.uncovered) > 20 else ""), highlight=False)
