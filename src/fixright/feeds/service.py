"""Feed sources and syncing: each fetched document stored through the advisory import.

Transactions: a sync fetches over the network for minutes, so it never holds
one transaction throughout (on SQLite that would block every writer). The
functions that sync take a `Transaction`, a callable opening one transaction
as a context manager that commits when the block ends and rolls back when it
raises (the CLI passes `AppContext.session`, a job runner its own
`session_scope`). Each document is stored in its own transaction, together
with its feed state, so a refused or failing document leaves the database as
it was for that document and the others are kept. The functions here never
commit; the caller's transaction does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fixright.errors import FixrightError, InvalidInput, NotFound
from fixright.feeds import csaf, cve, openvuln
from fixright.feeds.fetch import FetchError, check_url
from fixright.feeds.models import KINDS, FeedDocument, FeedSource
from fixright.feeds.store import Refusal, SyncOptions, SyncSummary, Transaction

__all__ = ["Refusal", "SyncOptions", "SyncSummary", "Transaction", "add_source", "list_sources",
           "next_sync", "remove_source", "sync_due", "sync_source"]

DEFAULT_INTERVAL = timedelta(hours=1)


# -- sources --------------------------------------------------------------------------


def guess_kind(url: str) -> str:
    """`cve5` for a local folder or ZIP, else `csaf` (openVuln is named explicitly)."""
    return "cve5" if "://" not in url else "csaf"


def _check_source(url: str, kind: str, allow_http: bool) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"source kind {kind!r}: expected one of {', '.join(KINDS)}")
    if kind == "cve5":
        path = Path(url).expanduser()
        if not (path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip")):
            raise InvalidInput(f"{url}: not a folder or a .zip file (CVE records)")
        return str(path.resolve())
    try:
        check_url(url, allow_http)
    except FetchError as exc:
        raise InvalidInput(f"{exc.url}: {exc.reason}") from None
    return url


def add_source(session: Session, url: str, kind: str | None = None, *,
               allow_http: bool = False) -> FeedSource:
    """Register a source (idempotent); the URL is checked, not fetched."""
    kind = kind or guess_kind(url)
    url = _check_source(url, kind, allow_http)
    row = session.scalar(select(FeedSource).where(FeedSource.url == url))
    if row is None:
        row = FeedSource(url=url, kind=kind)
        session.add(row)
        session.flush()
    elif row.kind != kind:
        raise InvalidInput(f"{url}: registered already as a {row.kind} source")
    return row


def list_sources(session: Session) -> list[FeedSource]:
    return list(session.scalars(select(FeedSource).order_by(FeedSource.id)))


def next_sync(source: FeedSource, next_run: datetime | None, run_every: timedelta, *,
              interval: timedelta = DEFAULT_INTERVAL) -> datetime | None:
    """When the scheduled `jobs run` will next sync `source`, or None when no run is scheduled.

    `sync_due` syncs a source once `interval` has passed since its last sync, and only
    a jobs run calls it: so the answer is the first run (`next_run`, then every
    `run_every`) at or after that moment.
    """
    if next_run is None:
        return None
    due = next_run if source.last_sync is None else source.last_sync + interval
    if due <= next_run:
        return next_run
    return next_run + ceil((due - next_run) / run_every) * run_every


def remove_source(session: Session, url: str) -> None:
    """Forget a source and its document states (the advisories stay)."""
    row = session.scalar(select(FeedSource).where(FeedSource.url == url))
    if row is None:
        raise NotFound(f"{url}: no such source")
    session.execute(delete(FeedDocument).where(FeedDocument.source_id == row.id))
    session.delete(row)


# -- syncing ---------------------------------------------------------------------------


def sync_source(transaction: Transaction, url: str, kind: str | None, options: SyncOptions,
                now: datetime) -> SyncSummary:
    """Sync one source (registered on first use), then record when and how it went."""
    kind = kind or guess_kind(url)
    with transaction() as session:
        source = add_source(session, url, kind, allow_http=options.policy.allow_http)
        source_id, source_url, last_sync = source.id, source.url, source.last_sync
    summary = _sync_kind(transaction, source_id, source_url, kind, last_sync, options)
    summary.sources = 1
    with transaction() as session:
        row = session.get(FeedSource, source_id)
        if row is not None:
            row.last_sync = now
            row.last_status = summary.status()
    return summary


def _sync_kind(transaction: Transaction, source_id: int, url: str, kind: str,
               last_sync: datetime | None, options: SyncOptions) -> SyncSummary:
    if kind == "csaf":
        return csaf.sync(transaction, source_id, url, options)
    if kind == "openvuln":
        return openvuln.sync(transaction, source_id, url, last_sync, options)
    return cve.sync(transaction, source_id, url, options)


def sync_due(transaction: Transaction, now: datetime, options: SyncOptions | None = None, *,
             interval: timedelta = DEFAULT_INTERVAL) -> SyncSummary:
    """Sync every registered source whose last sync is `interval` or more before `now`.

    `transaction()` must open one transaction as a context manager (commit at
    the end of the block, roll back on an exception), e.g. `app.session` or
    `lambda: session_scope(factory)`; it is called once per document, so each
    document is stored, or refused, on its own, and no transaction is held
    while waiting on the network. Never raises for one source's failure: it
    is in the summary's `refused`, and the other sources still sync.
    """
    options = options or SyncOptions()
    with transaction() as session:
        due = [(s.url, s.kind) for s in list_sources(session)
               if s.last_sync is None or s.last_sync + interval <= now]
    summary = SyncSummary()
    for url, kind in due:
        try:
            summary.merge(sync_source(transaction, url, kind, options, now))
        except FixrightError as exc:
            summary.refuse(url, exc.message.removeprefix(f"{url}: "))
    return summary
