"""`fixright users ...`, `fixright tokens ...`, `fixright orgs ...`."""

from __future__ import annotations

import sys

import typer
from sqlalchemy import select

from fixright.accounts import service
from fixright.accounts.models import Organization, User
from fixright.clikit import app_context, console
from fixright.output import Format, emit

users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
orgs_app = typer.Typer(help="Manage organisations.", no_args_is_help=True)


def _read_password(password_stdin: bool) -> str | None:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The user's e-mail, used to log in."),
    org: str = typer.Option(..., "--org", help="Organisation slug (created if missing)."),
    org_name: str | None = typer.Option(None, help="Display name for a new organisation."),
    role: str = typer.Option("member", help="admin or member."),
    operator: bool = typer.Option(False, help="Create the organisation as the portal operator."),
    password_stdin: bool = typer.Option(False, help="Read the password from stdin."),
    no_password: bool = typer.Option(False, help="Create without a password (API tokens only)."),
) -> None:
    """Add a user to an organisation."""
    app = app_context(ctx)
    password = None if no_password else _read_password(password_stdin)
    with app.session() as session:
        organization, created = service.get_or_create_organization(
            session, org, org_name, operator=operator
        )
        user = service.add_user(
            session, email=email, password=password, organization=organization, role=role
        )
        note = " (new organisation)" if created else ""
        console.print(f"added {user.email} as {user.role} of {organization.slug}{note}")


@users_app.command("list")
def users_list(
    ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format")
) -> None:
    """List users."""
    app = app_context(ctx)
    with app.session() as session:
        users = session.scalars(select(User).order_by(User.id)).all()
        rows = [
            {
                "email": u.email,
                "organization": u.organization.slug,
                "role": u.role,
                "disabled": u.disabled,
            }
            for u in users
        ]
    emit(rows, ["email", "organization", "role", "disabled"], fmt, title="Users")


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    email: str = typer.Option(..., "--email", help="The user the token acts as."),
    name: str = typer.Option("cli", help="A name to recognise the token by."),
    expires_in_days: int | None = typer.Option(None, help="Expire after this many days."),
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    app = app_context(ctx)
    with app.session() as session:
        user = service.get_user_by_email(session, email)
        _, token = service.create_token(session, user, name, expires_in_days=expires_in_days)
    typer.echo(token)


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
