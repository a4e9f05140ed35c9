"""One fetched document stored through the advisory import, with its feed state.

Each document is stored in its own transaction (see `service` on the
`Transaction` callable), so a refused document leaves the database as it was
for that document and the others are kept. Nothing here commits: the
transaction the caller's callable opens does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.advisories.formats import read_document
from fixright.advisories.records import ReadResult
from fixright.advisories.service import import_results
from fixright.errors import FixrightError, InvalidInput
from fixright.feeds.fetch import FetchPolicy
from fixright.feeds.models import FeedDocument

Transaction = Callable[[], AbstractContextManager[Session]]
Progress = Callable[[int, int], None]
"""Called as (documents done, documents to fetch) while a source syncs."""



@dataclass(frozen=True)
class Refusal:
    url: str
    reason: str

    def line(self) -> str:
        return f"{self.url}: {self.reason}"


@dataclass
class SyncSummary:
    """What a sync did, by document URL. `refused` holds one reason per URL."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    # Documents read but not imported because no product in them is one fixright knows.
    irrelevant: list[str] = field(default_factory=list)
    sources: int = 0

    def merge(self, other: SyncSummary) -> None:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.refused += other.refused
        self.irrelevant += other.irrelevant
        self.sources += other.sources

    def refuse(self, url: str, reason: str) -> None:
        self.refused.append(Refusal(url, reason))

    @property
    def ok(self) -> bool:
        return not self.refused

    def status(self) -> str:
        return (f"{len(self.new)} new, {len(self.changed)} changed, {len(self.unchanged)} "
                f"unchanged, {len(self.refused)} refused")


@dataclass
class SyncOptions:
    """How to fetch and what to trust. `keys` are extra OpenPGP public keys (data, name)."""

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    concurrency: int = 8
    keys: list[tuple[bytes, str]] = field(default_factory=list)
    check_signatures: bool = True
    require_signatures: bool = False
    actor: str = "feeds"
    progress: Progress | None = None
    openvuln_token_url: str = "https://id.cisco.com/oauth2/default/v1/token"
    openvuln_client_id: str | None = None
    openvuln_client_secret: str | None = None
    openvuln_page_size: int = 100


@dataclass(frozen=True)
class Fetched:
    """A document fetched and verified, ready to read and store."""

    url: str
    body: bytes
    feed_updated: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def document_states(session: Session, source_id: int) -> dict[str, FeedDocument]:
    """URL -> stored state of every document of a source (detached copies are fine to read)."""
    rows = session.scalars(select(FeedDocument).where(FeedDocument.source_id == source_id))
    states = {r.url: r for r in rows}
    session.expunge_all()
    return states


# -- storing one document ---------------------------------------------------------------


def _relevant(result: ReadResult) -> bool:
    return any(a.affected or a.fixed for a in result.advisories)


def store_document(transaction: Transaction, source_id: int, doc: Fetched,
                   summary: SyncSummary, *, actor: str, only_relevant: bool = False) -> None:
    """Read `doc` the way `advisories import` does and store it with its feed state, in one
    transaction. A document that cannot be read, or whose tracking id differs from the one
    stored for its URL, is refused (added to `summary.refused`) and nothing is written."""
    try:
        result = read_document(doc.body, doc.url)
    except InvalidInput as exc:
        summary.refuse(doc.url, exc.message.removeprefix(f"{doc.url}: "))
        return
    ids = sorted(a.advisory_id for a in result.advisories)
    if not ids:
        summary.refuse(doc.url, "no advisory in it")
        return
    if only_relevant and not _relevant(result):
        summary.irrelevant.append(doc.url)
        return
    tracking = ",".join(ids)[:400]
    try:
        with transaction() as session:
            state = session.scalar(select(FeedDocument).where(
                FeedDocument.source_id == source_id, FeedDocument.url == doc.url))
            if state is not None and state.tracking_id != tracking:
                raise _Refused(f"tracking id changed from {state.tracking_id!r} to "
                               f"{tracking!r} (refused: one URL, one document)")
            report = import_results(session, [result], actor=actor)
            if state is None:
                state = FeedDocument(source_id=source_id, url=doc.url, tracking_id=tracking)
                session.add(state)
            _set_state(state, doc)
            session.flush()
    except _Refused as exc:
        summary.refuse(doc.url, str(exc))
        return
    except FixrightError as exc:
        summary.refuse(doc.url, exc.message)
        return
    if report.created:
        summary.new.append(doc.url)
    elif report.updated:
        summary.changed.append(doc.url)
    else:
        summary.unchanged.append(doc.url)


def touch_document(transaction: Transaction, source_id: int, doc: Fetched) -> None:
    """Record that a document is unchanged as of this feed time (a 304, or the same bytes)."""
    with transaction() as session:
        state = session.scalar(select(FeedDocument).where(
            FeedDocument.source_id == source_id, FeedDocument.url == doc.url))
        if state is not None:
            if doc.feed_updated is not None:
                state.feed_updated = doc.feed_updated
            state.etag = doc.etag or state.etag
            state.last_modified = doc.last_modified or state.last_modified


def _set_state(state: FeedDocument, doc: Fetched) -> None:
    state.feed_updated = doc.feed_updated
    state.etag = doc.etag
    state.last_modified = doc.last_modified
    state.sha256 = doc.sha256
    state.fetched_at = datetime.now().astimezone()


class _Refused(Exception):
    pass


