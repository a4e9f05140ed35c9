"""`fixright advisories sync` and `fixright advisories sources add|list|remove`.

The feeds package sits above advisories, so these commands join the
advisories group here: `advisories_app` below carries the advisories
commands plus these, and the root CLI mounts it as `fixright advisories`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fixright.advisories.cli import advisories_app as _advisories
from fixright.changes.service import recheck
from fixright.clikit import app_context, console, err_console, error_line, fail
from fixright.feeds import service
from fixright.feeds.fetch import FetchPolicy
from fixright.feeds.signatures import Keyring, available
from fixright.output import Format, emit
from fixright.safe_open import read_regular

advisories_app = typer.Typer(
    help="Security advisories: import, list, and sync from CSAF providers, openVuln and CVE lists; "
         "KEV and EPSS feeds.",
    no_args_is_help=True,
)
# The advisories package's own commands, unchanged; the group is built anew so that
# module's app is not altered by importing this one.
advisories_app.registered_commands = list(_advisories.registered_commands)
advisories_app.registered_groups = list(_advisories.registered_groups)

sources_app = typer.Typer(help="Registered advisory sources: add, list, remove.",
                          no_args_is_help=True)
advisories_app.add_typer(sources_app, name="sources")

_MB = 1024 * 1024
_SHOWN = 20


def _options(
    keys: list[Path], allow_http: bool, max_size: float, timeout: float, concurrency: int,
    retries: int, require_signatures: bool, no_signatures: bool, token_url: str | None,
) -> service.SyncOptions:
    if max_size <= 0 or timeout <= 0 or concurrency < 1 or retries < 0:
        fail("--max-size, --timeout and --concurrency must be positive, --retries not negative")
    if require_signatures and no_signatures:
        fail("--require-signatures and --no-signatures contradict each other")
    if (keys or not no_signatures) and (missing := available()) is not None:
        fail(f"{missing} (or sync with --no-signatures)")
    options = service.SyncOptions(
        policy=FetchPolicy(allow_http=allow_http, max_bytes=int(max_size * _MB),
                           deadline=timeout, timeout=min(timeout, 15.0), retries=retries),
        concurrency=concurrency,
        keys=[(read_regular(k), str(k)) for k in keys],
        check_signatures=not no_signatures,
        require_signatures=require_signatures,
        actor="cli",
        openvuln_client_id=os.environ.get("FIXRIGHT_OPENVULN_CLIENT_ID"),
        openvuln_client_secret=os.environ.get("FIXRIGHT_OPENVULN_CLIENT_SECRET"),
    )
    if token_url:
        options.openvuln_token_url = token_url
    if options.keys:
        # A key file that holds no key is bad usage, said before anything is fetched.
        with Keyring() as ring:
            for data, name in options.keys:
                ring.add(data, name)
    return options


@advisories_app.command("sync")
def sync(
    ctx: typer.Context,
    sources: list[str] = typer.Argument(
        None, help="provider-metadata.json or aggregator.json URLs, an openVuln API URL "
                   "(with --kind openvuln), or a cvelistV5 folder or ZIP; none: every "
                   "registered source."),
    kind: str | None = typer.Option(None, help="csaf, openvuln or cve5 (default: csaf for a "
                                              "URL, cve5 for a path)."),
    key: list[Path] = typer.Option([], "--key", help="An OpenPGP public key file to trust too "
                                                     "(repeatable)."),
    allow_http: bool = typer.Option(False, "--allow-http", help="Permit plain http to "
                                    "non-loopback hosts (air-gapped mirrors)."),
    max_size: float = typer.Option(20.0, help="Largest document in MB; larger ones are refused "
                                   "unread."),
    timeout: float = typer.Option(60.0, help="Seconds one document may take, retries included."),
    concurrency: int = typer.Option(8, help="Documents fetched at once."),
    retries: int = typer.Option(3, help="Retries (with backoff) after a 5xx or a time-out."),
    require_signatures: bool = typer.Option(False, "--require-signatures",
                                            help="Refuse documents without an .asc signature."),
    no_signatures: bool = typer.Option(False, "--no-signatures",
                                       help="Do not check OpenPGP signatures (hashes still are)."),
    openvuln_token_url: str | None = typer.Option(
        None, envvar="FIXRIGHT_OPENVULN_TOKEN_URL", help="OAuth2 token URL for openVuln."),
) -> None:
    """Fetch advisories from their publishers and import the new and changed ones.

    CSAF providers are followed the way CSAF 2.0 distributes documents (ROLIE
    feeds, changes.csv/index.txt); each document's .sha512/.sha256 and, where
    published, its .asc signature are checked. Only documents changed since
    the last sync are fetched. Exit 0 when everything fetched was stored, 1
    when a document was refused (each listed with its reason)."""
    options = _options(key, allow_http, max_size, timeout, concurrency, retries,
                       require_signatures, no_signatures, openvuln_token_url)
    app = app_context(ctx)
    now = datetime.now(UTC)
    with Progress(TextColumn("syncing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True,
                  disable=not err_console.is_terminal) as bar:
        task = bar.add_task("sync", total=None)
        options.progress = lambda done, total: bar.update(task, completed=done, total=total)
        if sources:
            summary = service.SyncSummary()
            for url in sources:
                summary.merge(service.sync_source(app.session, url, kind, options, now))
        else:
            summary = service.sync_due(app.session, now, options, interval=timedelta(0))
    if summary.new or summary.changed:
        # As after an import: the fleet is matched again and what changed is recorded.
        with app.session() as session:
            recheck(session, cause="advisories sync (cli)")
    for label, urls in (("new", summary.new), ("changed", summary.changed)):
        for url in urls[:_SHOWN]:
            console.print(f"{label} {url}", highlight=False, markup=False)
        if len(urls) > _SHOWN:
            console.print(f"... and {len(urls) - _SHOWN} more {label}", highlight=False)
    for refusal in summary.refused:
        error_line(f"refused {refusal.line()}")
    irrelevant = f", {len(summary.irrelevant)} not about known products" if summary.irrelevant else ""
    console.print(f"{summary.sources} source(s): {summary.status()}{irrelevant}", highlight=False)
    if not summary.ok:
        raise typer.Exit(1)


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="provider-metadata.json / aggregator.json URL, openVuln "
                              "API URL, or cvelistV5 folder/ZIP."),
    kind: str | None = typer.Option(None, help="csaf, openvuln or cve5."),
    allow_http: bool = typer.Option(False, "--allow-http", help="Permit a plain http URL."),
) -> None:
    """Register a source for `advisories sync` and scheduled syncs."""
    with app_context(ctx).session() as session:
        row = service.add_source(session, url, kind, allow_http=allow_http)
        console.print(f"source {row.url} ({row.kind})", highlight=False, markup=False)


@sources_app.command("list")
def sources_list(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Registered sources, with their last sync."""
    with app_context(ctx).session(writes=False) as session:
        rows = [{"url": s.url, "kind": s.kind, "last_sync": s.last_sync,
                 "last_status": s.last_status} for s in service.list_sources(session)]
    emit(rows, ["url", "kind", "last_sync", "last_status"], fmt, title="Advisory sources")


@sources_app.command("remove")
def sources_remove(ctx: typer.Context, url: str = typer.Argument(...)) -> None:
    """Forget a source and what was fetched from it (its advisories stay)."""
    with app_context(ctx).session() as session:
        service.remove_source(session, url)
    console.print(f"removed {url}", highlight=False, markup=False)
