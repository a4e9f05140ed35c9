"""`fixright contracts import|list|expiring`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import typer

from fixright.changes.service import recheck
from fixright.clikit import app_context, console, err_console
from fixright.contracts import service
from fixright.contracts.csvio import read_contract_csv
from fixright.errors import InvalidInput
from fixright.inventory.service import resolve_organization
from fixright.output import Format, emit
from fixright.safe_open import read_regular

contracts_app = typer.Typer(help="Service contracts and their coverage.", no_args_is_help=True)

_ORG = typer.Option(None, "--org", help="Organisation slug (default: the only one).")
_TODAY = typer.Option(None, "--today", help="Pretend today is this ISO date.")
_SPAN = re.compile(r"^(\d+)\s*([dwmy]?)$")
_UNIT_DAYS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}


def parse_span(text: str) -> int:
    """Days in "90d", "12w", "6m" (30 days each), "1y" or a bare number of days."""
    match = _SPAN.match(text.strip().lower())
    if not match:
        raise InvalidInput(f"--within {text!r}: use a number of days like 90d, 12w, 6m or 1y")
    return int(match.group(1)) * _UNIT_DAYS[match.group(2)]


def parse_today(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--today {text!r} is not an ISO date (YYYY-MM-DD)") from None


@contracts_app.command("import")
def import_(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help=(
        "CSV, one row per covered serial. Columns (by header, any order): contract number, "
        "service level, serial, product id, start, end; optional list price, currency, "
        "provider. Dates YYYY-MM-DD. See docs/policies.md.")),
    org: str | None = _ORG,
    provider: str | None = typer.Option(None, help="Provider for contracts without one."),
    replace: bool = typer.Option(False, "--replace", help=(
        "Remove stored lines of the contracts in the file that the file no longer lists.")),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Import contracts and coverage lines (all-or-nothing; re-import is idempotent)."""
    data = read_regular(path)
    parsed = read_contract_csv(data, source=str(path))
    app = app_context(ctx)
    with app.session() as session:
        organization = resolve_organization(session, org)
        report = service.import_rows(session, organization.id, parsed.rows, provider=provider,
                                     source=path.name, actor="cli", replace=replace)
        recheck(session, [organization.id], cause="contracts import (cli)")
    report.ignored_columns = parsed.ignored_columns
    unknown = [{"row": r.row, "contract": r.contract_number, "serial": r.serial,
                "product_id": r.product_id} for r in report.unknown_serials]
    if fmt is Format.json:
        emit([], [], fmt, json_data={**report.summary(), "unknown": unknown,
                                      "ignored_columns": parsed.ignored_columns})
        return
    console.print(f"{organization.slug}: {report.sentence()}", highlight=False)
    if parsed.ignored_columns:
        console.print(f"ignored columns: {', '.join(parsed.ignored_columns)}", highlight=False)
    if unknown:
        err_console.print(
            f"{len(unknown)} line(s) name serials with no registered device (kept):",
            highlight=False)
        emit(unknown, ["row", "contract", "serial", "product_id"], fmt, console=err_console)


@contracts_app.command("list")
def list_(
    ctx: typer.Context,
    org: str | None = _ORG,
    today: str | None = _TODAY,
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """List contracts with their span, line count, cost and status."""
    day = parse_today(today)
    app = app_context(ctx)
    with app.session() as session:
        organization = resolve_organization(session, org)
        rows = [
            {"number": c.number, "provider": c.provider, "service_level": c.service_level,
             "start": c.start, "end": c.end, "lines": c.lines, "cost": c.cost,
             "currency": c.currency, "status": c.status(day)}
            for c in service.list_contracts(session, organization.id)
        ]
    emit(rows, ["number", "provider", "service_level", "start", "end", "lines", "cost",
                "currency", "status"], fmt, title=f"Contracts of {organization.slug}")


@contracts_app.command("expiring")
def expiring(
    ctx: typer.Context,
    within: str = typer.Option("90d", help="Window: 90d, 12w, 6m, 1y."),
    org: str | None = _ORG,
    today: str | None = _TODAY,
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Coverage lines ending within the window, soonest first; `renewed` if coverage continues."""
    days = parse_span(within)
    day = parse_today(today)
    app = app_context(ctx)
    with app.session() as session:
        organization = resolve_organization(session, org)
        rows = [
            {"contract": e.contract_number, "service_level": e.service_level,
             "serial": e.serial, "product_id": e.pid, "end": e.end, "days_left": e.days_left,
             "renewed": "yes" if e.renewed else "no"}
            for e in service.expiring(session, organization.id, day, days)
        ]
    emit(rows, ["contract", "service_level", "serial", "product_id", "end", "days_left",
                "renewed"], fmt, title=f"Coverage ending within {days} days")
