"""`fixright users ...` and `fixright tokens ...`: accounts, roles, passwords, tokens.

The CLI acts with the database's own credentials, so it may manage every
organisation; each change is audited with actor `cli`.
"""

from __future__ import annotations

import sys

import typer

from fixright.access import service
from fixright.accounts import service as accounts
from fixright.accounts.models import USER_ROLES
from fixright.clikit import app_context, console
from fixright.output import Format, emit

users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The user's e-mail, used to log in."),
    org: str = typer.Option(..., "--org", help="Organisation slug (created if missing)."),
    org_name: str | None = typer.Option(None, help="Display name for a new organisation."),
    role: str = typer.Option("member", help=" or ".join(USER_ROLES) + "."),
    operator: bool = typer.Option(False, help="Create the organisation as the portal operator."),
    password_stdin: bool = typer.Option(False, help="Read the password from stdin."),
    no_password: bool = typer.Option(False, help="Create without a password (API tokens only)."),
) -> None:
    """Add a user to an organisation."""
    app = app_context(ctx)
    password = None if no_password else _read_password(password_stdin)
    with app.session() as session:
        organization, created = accounts.get_or_create_organization(
            session, org, org_name, operator=operator
        )
        user = service.add_user(session, None, email=email, password=password,
                                organization=organization, role=role)
        note = " (new organisation)" if created else ""
        console.print(f"added {user.email} as {user.role} of {organization.slug}{note}")


@users_app.command("list")
def users_list(
    ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format")
) -> None:
    """List users."""
    app = app_context(ctx)
    with app.session(writes=False) as session:
        rows = [
            {"email": u.email, "organization": u.organization.slug, "role": u.role,
             "disabled": u.disabled}
            for u in service.list_users(session, None)
        ]
    emit(rows, ["email", "organization", "role", "disabled"], fmt, title="Users")


@users_app.command("disable")
def users_disable(ctx: typer.Context, email: str) -> None:
    """Disable a user: its sessions end and its tokens answer 401 at once."""
    with app_context(ctx).session() as session:
        user = service.set_disabled(session, None, email, True)
    console.print(f"disabled {user.email}")


@users_app.command("enable")
def users_enable(ctx: typer.Context, email: str) -> None:
    """Enable a disabled user again."""
    with app_context(ctx).session() as session:
        user = service.set_disabled(session, None, email, False)
    console.print(f"enabled {user.email}")


@users_app.command("set-role")
def users_set_role(
    ctx: typer.Context, email: str,
    role: str = typer.Argument(..., help=", ".join(USER_ROLES)),
) -> None:
    """Change a user's role; its UI sessions end."""
    with app_context(ctx).session() as session:
        user = service.set_role(session, None, email, role)
    console.print(f"{user.email} is now {user.role}")


@users_app.command("passwd")
def users_passwd(
    ctx: typer.Context, email: str,
    password_stdin: bool = typer.Option(False, help="Read the password from stdin."),
) -> None:
    """Set a user's password; its UI sessions end."""
    password = _read_password(password_stdin)
    with app_context(ctx).session() as session:
        user = service.set_password(session, None, email, password)
    console.print(f"password changed for {user.email}")


@users_app.command("reset-link")
def users_reset_link(
    ctx: typer.Context, email: str,
    base_url: str = typer.Option(DEFAULT_PUBLIC_URL, envvar="FIXRIGHT_PUBLIC_URL",
                                 help="The portal's external URL."),
) -> None:
    """Print a one-time, expiring link at which the user sets a new password."""
    with app_context(ctx).session() as session:
        url = service.reset_link(session, None, email, base_url)
    typer.echo(url)


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    email: str = typer.Option(..., "--email", help="The user the token acts as."),
    name: str = typer.Option("cli", help="A name to recognise the token by."),
    expires_in_days: int | None = typer.Option(None, help="Expire after this many days."),
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    with app_context(ctx).session() as session:
        _, token = service.create_token(session, None, email, name, expires_in_days)
    typer.echo(token)


@tokens_app.command("list")
def tokens_list(
    ctx: typer.Context,
    email: str | None = typer.Option(None, "--email", help="Only this user's tokens."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """List tokens (never their secrets)."""
    with app_context(ctx).session(writes=False) as session:
        rows = [
            {"prefix": t.prefix, "user": t.user.email, "name": t.name,
             "created": t.created_at, "last_used": t.last_used, "expires": t.expires_at,
             "revoked": t.revoked}
            for t in service.list_tokens(session, None, email=email)
        ]
    emit(rows, ["prefix", "user", "name", "created", "last_used", "expires", "revoked"], fmt,
         title="API tokens")


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context,
    prefix: str = typer.Argument(..., help="The token's prefix (fxr_<prefix>_...) or the token."),
) -> None:
    """Revoke a token: requests using it get 401 at once."""
    parts = prefix.split("_")
    key = parts[1] if len(parts) >= 3 and parts[0] == accounts.TOKEN_PREFIX else prefix
    with app_context(ctx).session() as session:
        row = service.revoke_token(session, None, prefix=key)
    console.print(f"revoked {row.prefix} ({row.name}) of {row.user.email}")
