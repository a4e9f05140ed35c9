"""`fixright audit verify|list`."""

from __future__ import annotations

from datetime import datetime

import typer

from fixright.accounts.service import get_organization
from fixright.audit import service
from fixright.clikit import app_context, console, err_console
from fixright.errors import InvalidInput
from fixright.output import Format, emit

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Re-hash the whole log; exit 1 naming the first bad event if the chain is broken."""
    app = app_context(ctx)
    with app.session() as session:
        result = service.verify_chain(session)
    if not result.ok:
        err_console.print(f"[bold red]error:[/] {result.message()}", highlight=False)
        raise typer.Exit(1)
    console.print(result.message(), highlight=False)


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} {value!r} is not an ISO date or date-time") from None


@audit_app.command("list")
def audit_list(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only this organisation's events."),
    action: str | None = typer.Option(None, help="Action prefix, e.g. entitlement:"),
    actor: str | None = typer.Option(None, help="Exact actor, e.g. user:a@example.com"),
    since: str | None = typer.Option(None, help="From this ISO date/time (inclusive)."),
    until: str | None = typer.Option(None, help="Before this ISO date/time."),
    limit: int = typer.Option(50, min=1, help="At most this many events, newest first."),
    offset: int = typer.Option(0, min=0),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """List audit events, newest first."""
    app = app_context(ctx)
    with app.session() as session:
        org_id = get_organization(session, org).id if org else None
        events = service.list_events(
            session, org_id, action=action, actor=actor, since=_when(since, "--since"),
            until=_when(until, "--until"), limit=limit, offset=offset,
        )
        rows = [
            {"seq": e.seq, "at": e.at, "actor": e.actor, "organization_id": e.organization_id,
             "action": e.action, "subject": e.subject, "data": e.data, "hash": e.hash}
            for e in events
        ]
    columns = ["seq", "at", "actor", "organization_id", "action", "subject", "hash"]
    if fmt is not Format.table:
        columns.insert(6, "data")
    emit(rows, columns, fmt, title="Audit events")
