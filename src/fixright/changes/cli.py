"""`fixright report changes`: what changed in the exposure since a date.

This module also hands the root CLI the `report` sub-app with the command
added, since the reports layer below may not know about changes.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime

import typer

from fixright.changes.service import CHANGE_COLUMNS, list_changes
from fixright.clikit import app_context, err_console
from fixright.errors import InvalidInput
from fixright.inventory.service import resolve_organization
from fixright.output import Format, emit
from fixright.reports.cli import report_app


def parse_since(text: str) -> datetime:
    """An ISO date (midnight UTC) or date-time (UTC when it names no zone)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--since {text!r} is not an ISO date (YYYY-MM-DD) or date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@report_app.command("changes")
def changes_command(
    ctx: typer.Context,
    since: str = typer.Option(..., "--since", help="From this date (YYYY-MM-DD) or date-time on."),
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """What changed since a date: new exposures, resolved ones, fixes that appeared."""
    moment = parse_since(since)
    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        rows = list_changes(session, since=moment, organization_id=organization.id)
    emit((asdict(r) for r in rows), CHANGE_COLUMNS, fmt,
         title=f"Changes in {organization.slug} since {since}")
    if fmt is Format.table:
        err_console.print(f"{len(rows)} change(s)", highlight=False)
