"""`fixright report claims`: how often and how fast security-fix claims are granted."""

from __future__ import annotations

import typer

from fixright.claims import service
from fixright.clikit import app_context
from fixright.inventory.service import resolve_organization
from fixright.output import Format, emit

COLUMNS = ["claims", "drafted", "sent", "granted", "refused", "granted_pct",
           "median_days_to_grant"]


def claims_command(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    all_orgs: bool = typer.Option(False, "--all", help="Every organisation (operators)."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Claims by state, the share granted among decided ones, median days from sent to granted."""
    with app_context(ctx).session(writes=False) as session:
        org_id = None if all_orgs else resolve_organization(session, org).id
        stats = service.claim_stats(service.list_claims(session, org_id))
    row = {"claims": stats.total, **stats.by_state,
           "granted_pct": (round(100 * stats.granted_share, 1)
                           if stats.granted_share is not None else None),
           "median_days_to_grant": stats.median_days_to_grant}
    emit([row], COLUMNS, fmt, title="Security-fix claims", json_data=row)
