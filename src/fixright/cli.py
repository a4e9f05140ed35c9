"""The `fixright` command: global settings flags, and each domain's sub-app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from fixright import __version__
from fixright.access.cli import tokens_app, users_app
from fixright.accounts.cli import orgs_app
from fixright.audit.cli import audit_app
from fixright.clikit import AppContext, ErrorMappingGroup, app_context, console
from fixright.config import load_settings
from fixright.contracts.cli import contracts_app
from fixright.demo import load_demo
from fixright.errors import InvalidInput

app = typer.Typer(
    cls=ErrorMappingGroup,
    help="fixright: know your devices, their advisories and fixes, and who may download them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)

app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(orgs_app, name="orgs")
# Domain sub-apps are mounted below, one line each.
# -- domain mounts --
from fixright.advisories.cli import advisories_app  # noqa: E402

app.add_typer(advisories_app, name="advisories")
from fixright.check import check  # noqa: E402

app.command("check")(check)
from fixright.reports.cli import report_app  # noqa: E402

app.add_typer(report_app, name="report")
app.add_typer(audit_app, name="audit")
app.add_typer(contracts_app, name="contracts")
from fixright.entitlement.cli import policy_app  # noqa: E402

app.add_typer(policy_app, name="policy")
from fixright.inventory.cli import devices_app  # noqa: E402

app.add_typer(devices_app, name="devices")
from fixright.catalog.cli import images_app, releases_app  # noqa: E402

app.add_typer(images_app, name="images")
app.add_typer(releases_app, name="releases")
from fixright.hardware.cli import hardware_app, platforms_app  # noqa: E402

app.add_typer(hardware_app, name="hardware")
app.add_typer(platforms_app, name="platforms")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fixright {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Path | None = typer.Option(
        None, envvar="FIXRIGHT_DATA_DIR", help="Where the database, blobs and secret key live."
    ),
    database_url: str | None = typer.Option(
        None, envvar="FIXRIGHT_DATABASE_URL", help="SQLAlchemy URL (default: SQLite in data dir)."
    ),
    storage_url: str | None = typer.Option(
        None, envvar="FIXRIGHT_STORAGE_URL", help="file:///path or s3://bucket/prefix."
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    ctx.obj = AppContext(
        settings=load_settings(
            data_dir=data_dir, database_url=database_url, storage_url=storage_url
        )
    )


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply all database migrations."""
    app_ctx = app_context(ctx)
    engine = app_ctx.engine(migrate=True)
    console.print(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(False, help="Load demo data into an empty database first."),
    workers: int = typer.Option(1, help="Worker processes."),
    server: str = typer.Option("granian", help="granian (serves files with sendfile, ~3x faster downloads) or uvicorn."),
) -> None:
    """Migrate the database and run the web portal and API."""
    if server not in ("granian", "uvicorn"):
        raise InvalidInput(f"--server must be granian or uvicorn, not {server!r}")
    app_ctx = app_context(ctx)
    settings = app_ctx.settings
    app_ctx.engine(migrate=True)  # fail fast, with one line, before binding the port
    settings.resolved_secret_key()
    if demo:
        for line in load_demo(app_ctx):
            console.print(line, highlight=False)
    # Workers read settings from the environment, so pass ours down.
    os.environ["FIXRIGHT_DATA_DIR"] = str(settings.data_dir)
    os.environ["FIXRIGHT_DATABASE_URL"] = settings.resolved_database_url()
    os.environ["FIXRIGHT_STORAGE_URL"] = settings.resolved_storage_url()
    if demo:
        os.environ["FIXRIGHT_DEMO"] = "1"
    console.print(f"fixright listening on http://{host}:{port}/", highlight=False)
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        Granian(
            "fixright.web.app:create_app_from_env",
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            factory=True,
        ).serve()
    else:
        import uvicorn

        uvicorn.run(
            "fixright.web.app:create_app_from_env",
            host=host,
            port=port,
            workers=workers,
            factory=True,
            log_level="warning",
        )


def main() -> None:
    try:
        try:
            app(prog_name="fixright")
        finally:
            # Output is buffered: a closed pipe shows up here, not at exit.
            sys.stdout.flush()
    except BrokenPipeError:
        # `fixright report ... | head` closed the pipe: the reader has what it
        # wanted. Point stdout at /dev/null so the interpreter's final flush
        # cannot raise again, and exit like a process killed by SIGPIPE.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)


if __name__ == "__main__":
    main()
