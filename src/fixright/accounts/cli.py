"""`fixright orgs ...` (users and tokens: `fixright.access.cli`)."""

from __future__ import annotations

import typer
from sqlalchemy import select

from fixright.accounts import service
from fixright.accounts.models import Organization
from fixright.clikit import app_context, console
from fixright.output import Format, emit

orgs_app = typer.Typer(help="Manage organisations.", no_args_is_help=True)


@orgs_app.command("add")
def orgs_add(
    ctx: typer.Context,
    slug: str,
    name: str | None = typer.Option(None),
    operator: bool = typer.Option(False, help="This organisation runs the portal."),
) -> None:
    """Add an organisation."""
    app = app_context(ctx)
    with app.session() as session:
        org, created = service.get_or_create_organization(session, slug, name, operator=operator)
    console.print(f"{'added' if created else 'exists:'} {org.slug}")


@orgs_app.command("list")
def orgs_list(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """List organisations."""
    app = app_context(ctx)
    with app.session() as session:
        rows = [
            {"slug": o.slug, "name": o.name, "role": o.role}
            for o in session.scalars(select(Organization).order_by(Organization.id))
        ]
    emit(rows, ["slug", "name", "role"], fmt, title="Organisations")
