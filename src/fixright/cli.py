"""The `fixright` command: global settings flags, and each domain's sub-app.

Start-up is kept short (`fixright --help` and `--version` in well under 0.3 s):
this module imports only Typer. Each domain's CLI module (and with it
SQLAlchemy, the models, netmiko, boto3 ...) is imported when one of its
commands runs or its own help is asked for; the root help lists every command
from the table below without importing any of them. The imports inside
functions here are that deliberate laziness, not a way around the layers.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from fixright import __version__

# name -> (module, attribute, one-line help). The attribute is a Typer app or a
# command function. Listing order is this table's.
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "users": ("fixright.access.cli", "users_app",
              "Users: list, add, disable, enable, roles, passwords, reset links."),
    "tokens": ("fixright.access.cli", "tokens_app", "API tokens: create, list, revoke."),
    "orgs": ("fixright.accounts.cli", "orgs_app", "Manage organisations."),
    "advisories": ("fixright.feeds.cli", "advisories_app",
                   "Security advisories: import, list, sync from feeds."),
    "check": ("fixright.check", "check", "Which advisories affect these devices, which release "
              "fixes them, and whether you may download it."),
    "report": ("fixright.changes.cli", "report_app",
               "Fleet reports: exposure, fixes, coverage, policies, changes."),
    "audit": ("fixright.audit.cli", "audit_app", "The hash-chained audit log."),
    "contracts": ("fixright.contracts.cli", "contracts_app",
                  "Service contracts and their coverage."),
    "policy": ("fixright.entitlement.cli", "policy_app",
               "Entitlement policies: who may download which image."),
    "devices": ("fixright.inventory.cli", "devices_app",
                "Devices: import show outputs, CSV and SSH; list; export."),
    "images": ("fixright.catalog.cli", "images_app", "Software images: add, list, verify."),
    "releases": ("fixright.catalog.cli", "releases_app", "Software releases: list, defer."),
    "hardware": ("fixright.hardware.cli", "hardware_app",
                 "The hardware catalogue: image families and the hardware that runs them."),
    "platforms": ("fixright.hardware.cli", "platforms_app",
                  "Ask the hardware catalogue about a device."),
    "lifecycle": ("fixright.lifecycle.cli", "lifecycle_app",
                  "Lifecycle dates (end of sale, of security support ...) of hardware."),
    "claims": ("fixright.claims.cli", "claims_app",
               "Security-fix claims for exposed devices a policy denies: create, list, state."),
    "triage": ("fixright.triage.cli", "triage_app",
               "Triage: per device and advisory, what was decided and why."),
    "alerts": ("fixright.alerts.cli", "alerts_app",
               "Alerts: who is told of new exposures, fixes, lapsing contracts and acceptances."),
    "jobs": ("fixright.jobs.cli", "jobs_app",
             "Scheduled work: re-check, alerts and digests (and feed syncs); the queue worker."),
}


def _is_database_error(exc: BaseException) -> bool:
    # By name: importing SQLAlchemy just to name its exception would cost every start.
    return any(cls.__name__ == "OperationalError" and cls.__module__ == "sqlalchemy.exc"
               for cls in type(exc).__mro__)


class LazyGroup(TyperGroup):
    """Root group: domain commands loaded on use; fixright errors become one line and an exit code."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *LAZY_COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute, short = LAZY_COMMANDS[cmd_name]
        if self._listing:
            return TyperCommand(name=cmd_name, help=short, short_help=short)
        target = getattr(importlib.import_module(module_name), attribute)
        command: Any
        if isinstance(target, typer.Typer):
            command = typer.main.get_group(target)
        else:
            holder = typer.Typer()
            holder.command(cmd_name)(target)
            command = typer.main.get_command(holder)
        command.name = cmd_name
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context type is private
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(1) from None
        except Exception as exc:
            from fixright.errors import FixrightError

            if isinstance(exc, FixrightError):
                _error_line(exc.message)
                raise typer.Exit(exc.exit_code) from None
            if _is_database_error(exc):
                orig = getattr(exc, "orig", None)
                reason = str(orig).strip().splitlines()[0] if orig else str(exc)
                _error_line(f"database error: {reason}")
                raise typer.Exit(1) from None
            raise
        finally:
            close = getattr(ctx.obj, "close", None)
            if callable(close):
                close()


def _error_line(message: str) -> None:
    from fixright.clikit import error_line

    error_line(message)


app = typer.Typer(
    cls=LazyGroup,
    help="fixright: know your devices, their advisories and fixes, and who may download them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    # Plain click help at the root: rendering it with rich costs 0.3 s of imports.
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


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
    # Lazy: settings (pydantic) and the context (SQLAlchemy) only once a command runs.
    from fixright.clikit import AppContext
    from fixright.config import load_settings

    ctx.obj = AppContext(
        settings=load_settings(
            data_dir=data_dir, database_url=database_url, storage_url=storage_url
        )
    )


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply all database migrations."""
    from fixright.clikit import app_context, console

    app_ctx = app_context(ctx)
    engine = app_ctx.engine(migrate=True)
    console.print(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The new backup file (never overwritten)."),
) -> None:
    """Copy the SQLite database to FILE while the server runs (for PostgreSQL: the pg_dump line)."""
    from fixright import backup
    from fixright.clikit import app_context, console, fail

    settings = app_context(ctx).settings
    url = settings.resolved_database_url()
    source = backup.sqlite_path(url)
    if source is None:
        fail(backup.postgres_hint(url, file, restore=False))
        return
    if not source.is_file():
        fail(f"no database at {source}")
    info = backup.backup(source, file)
    console.print(f"backed up {source} to {info.path}: {info.bytes} bytes, revision "
                  f"{info.revision}, {info.devices} devices, {info.audit_events} audit events",
                  highlight=False, markup=False)


@db_app.command("restore")
def db_restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A backup made by `fixright db backup`."),
    yes: bool = typer.Option(False, "--yes", help="Really replace the configured database."),
) -> None:
    """Replace the SQLite database with FILE (stop the server first), then migrate and verify."""
    from fixright import backup
    from fixright.audit import service as audit
    from fixright.clikit import app_context, console, fail

    app_ctx = app_context(ctx)
    url = app_ctx.settings.resolved_database_url()
    target = backup.sqlite_path(url)
    if target is None:
        fail(backup.postgres_hint(url, file, restore=True))
        return
    info = backup.describe(file)
    if not yes:
        fail(f"this replaces everything in {target} with {file} (revision {info.revision}, "
             f"{info.devices} devices, {info.audit_events} audit events); stop the server, "
             "then run again with --yes")
    if app_ctx.settings.database_url is None:
        app_ctx.settings.ensure_data_dir()
    backup.restore(file, target)
    app_ctx.engine(migrate=True)  # a backup of an older revision is brought up to date
    with app_ctx.session() as session:
        result = audit.verify_chain(session)
        if result.ok:
            audit.record(session, actor="cli", organization_id=None, action="db:database:restore",
                         subject=str(target), data={"file": str(file), "revision": info.revision,
                                                    "devices": info.devices})
    console.print(f"restored {target} from {file}: {info.devices} devices, "
                  f"{info.audit_events} audit events; {result.message()}",
                  highlight=False, markup=False)
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(False, help="Load demo data into an empty database first."),
    workers: int = typer.Option(1, help="Worker processes."),
    server: str = typer.Option("granian", help="granian (serves files with sendfile, ~4x "
                               "faster downloads) or uvicorn (the `uvicorn` extra)."),
    root_path: str | None = typer.Option(
        None, envvar="FIXRIGHT_ROOT_PATH",
        help="The sub-path the proxy serves fixright under, e.g. /fixright."),
    with_jobs: bool = typer.Option(
        False, "--with-jobs", help="Also run the jobs inside the server: a task-queue worker "
        "on PostgreSQL (like `jobs worker`), `jobs run` every FIXRIGHT_JOBS_INTERVAL_MINUTES "
        "on SQLite (instead of a systemd timer or cron)."),
) -> None:
    """Migrate the database and run the web portal and API."""
    from fixright.web.serve import run_server

    run_server(ctx, host=host, port=port, demo=demo, workers=workers, server=server,
               root_path=root_path, with_jobs=with_jobs)


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
