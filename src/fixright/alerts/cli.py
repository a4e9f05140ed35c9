"""`fixright alerts add|list|remove|test`: who in an organisation is told what, and how."""

from __future__ import annotations

import typer

from fixright.alerts import service
from fixright.alerts.channels import deliver
from fixright.clikit import app_context, console, err_console
from fixright.db import utcnow
from fixright.errors import InvalidInput
from fixright.inventory.service import resolve_organization
from fixright.output import Format, emit

alerts_app = typer.Typer(help="Alerts: who is told of new exposures, fixes, lapsing contracts "
                         "and expiring acceptances.", no_args_is_help=True)
_ORG = typer.Option(None, "--org", help="Organisation slug (default: the only one).")
COLUMNS = ["id", "kind", "channel", "target", "min_severity", "kev_only", "days", "digest",
           "last_sent_at", "created_by"]


@alerts_app.command("add")
def add(
    ctx: typer.Context,
    kind: str = typer.Option(..., "--kind", help=f"One of {', '.join(service.KINDS)}."),
    email: str | None = typer.Option(None, "--email", help="Send e-mail to this address."),
    webhook: str | None = typer.Option(None, "--webhook", help="POST signed JSON to this URL."),
    min_severity: str | None = typer.Option(None, "--min-severity",
                                            help="Only advisories this severe or worse."),
    kev_only: bool = typer.Option(False, "--kev-only", help="Only advisories with a KEV-listed CVE."),
    days: int | None = typer.Option(None, "--days", help="contract-lapsing, acceptance-expiring: "
                                    "this many days ahead."),
    digest: str = typer.Option("immediate", "--digest", help="immediate, daily or weekly."),
    org: str | None = _ORG,
) -> None:
    """Subscribe an e-mail address or a webhook to one kind of alert (audited)."""
    if (email is None) == (webhook is None):
        raise InvalidInput("give one of --email or --webhook")
    with app_context(ctx).session() as session:
        organization = resolve_organization(session, org)
        sub = service.add_subscription(
            session, organization.id, kind=kind, target=email or webhook or "", actor="cli",
            min_severity=min_severity, kev_only=kev_only, days=days, digest=digest)
        sub_id, secret = sub.id, sub.secret
    console.print(f"{organization.slug}: alert {sub_id} added", highlight=False)
    if secret:
        console.print(f"webhook secret (shown once): {secret}", highlight=False, markup=False)


@alerts_app.command("list")
def list_(ctx: typer.Context, org: str | None = _ORG,
          fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """The organisation's subscriptions."""
    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        rows = [{c: getattr(s, c) for c in COLUMNS}
                for s in service.list_subscriptions(session, organization.id)]
    emit(rows, COLUMNS, fmt, title=f"Alerts of {organization.slug}")


@alerts_app.command("remove")
def remove(ctx: typer.Context, subscription_id: int = typer.Argument(...),
           org: str | None = _ORG) -> None:
    """Remove one subscription (audited)."""
    with app_context(ctx).session() as session:
        organization = resolve_organization(session, org)
        service.remove_subscription(session, organization.id, subscription_id, actor="cli")
    console.print(f"{organization.slug}: alert {subscription_id} removed", highlight=False)


@alerts_app.command("test")
def test(ctx: typer.Context, subscription_id: int = typer.Argument(...),
         org: str | None = _ORG) -> None:
    """Send a sample message now (logged); exit 1 when it could not be delivered."""
    app = app_context(ctx)
    with app.session(writes=False) as session:
        organization = resolve_organization(session, org)
        sub = service.get_subscription(session, organization.id, subscription_id)
        outgoing = service.test_message(session, sub, app.settings.public_url)
    outcome = deliver(app.settings.model_copy(update={"alert_attempts": 1}), outgoing.channel, outgoing.target, outgoing.secret,
                      outgoing.message)
    with app.session() as session:
        service.record_delivery(session, outgoing, status=outcome.status,
                                attempts=outcome.attempts, error=outcome.error, now=utcnow(),
                                advance=False)
    if outcome.status != "sent":
        err_console.print(f"error: not delivered after {outcome.attempts} attempt(s): "
                          f"{outcome.error}", highlight=False, markup=False)
        raise typer.Exit(1)
    console.print(f"sent to {outgoing.target}", highlight=False, markup=False)
