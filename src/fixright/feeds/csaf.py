"""Syncing a CSAF trusted provider (or every provider an aggregator lists).

Order of work: the provider-metadata, then each distribution's ROLIE feeds
and `changes.csv` (or `index.txt` when there is none). Documents whose feed
time is not newer than the stored one are not requested at all; the rest are
fetched by a bounded thread pool with `If-None-Match`/`If-Modified-Since`,
checked against their `.sha512`/`.sha256` and, where an `.asc` is published,
their OpenPGP signature, then stored one by one (one transaction each) by the
calling thread, which alone touches the database.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from fixright.errors import InvalidInput
from fixright.feeds.fetch import Fetcher, FetchError
from fixright.feeds.models import FeedDocument
from fixright.feeds.provider import (
    HASH_ALGORITHMS,
    Distribution,
    Entry,
    PublicKey,
    document_kind,
    parse_aggregator,
    parse_changes_csv,
    parse_hash_file,
    parse_index_txt,
    parse_provider_metadata,
    parse_rolie_feed,
)
from fixright.feeds.signatures import Keyring, SignatureError, available
from fixright.feeds.store import (
    Fetched,
    Refusal,
    SyncOptions,
    SyncSummary,
    Transaction,
    document_states,
    store_document,
    touch_document,
)

_SMALL = 64 * 1024  # hash files and signatures
_KEY_BYTES = 1024 * 1024


def sync(transaction: Transaction, source_id: int, url: str, options: SyncOptions) -> SyncSummary:
    """Sync the provider-metadata.json or aggregator.json at `url`."""
    summary = SyncSummary()
    with Fetcher(options.policy) as fetcher:
        try:
            start = fetcher.get(url)
            assert start is not None
            kind = document_kind(start.body, url)
            providers: list[tuple[str, bytes | None]] = (
                [(url, start.body)] if kind == "provider"
                else [(u, None) for u in parse_aggregator(start.body, url)])
        except FetchError as exc:
            summary.refuse(exc.url, exc.reason)
            return summary
        except InvalidInput as exc:
            summary.refuse(url, exc.message.removeprefix(f"{url}: "))
            return summary
        with transaction() as session:
            states = document_states(session, source_id)
        for provider_url, body in providers:
            _sync_provider(transaction, source_id, fetcher, provider_url, body, states,
                           options, summary)
    return summary


def _sync_provider(transaction: Transaction, source_id: int, fetcher: Fetcher, url: str,
                   body: bytes | None, states: dict[str, FeedDocument], options: SyncOptions,
                   summary: SyncSummary) -> None:
    try:
        if body is None:
            answer = fetcher.get(url)
            assert answer is not None
            body = answer.body
        meta = parse_provider_metadata(body, url)
    except FetchError as exc:
        summary.refuse(exc.url, exc.reason)
        return
    except InvalidInput as exc:
        summary.refuse(url, exc.message.removeprefix(f"{url}: "))
        return
    entries = _announced(fetcher, meta.distributions, summary)
    todo: list[tuple[Entry, FeedDocument | None]] = []
    for entry in entries.values():
        state = states.get(entry.url)
        if (state is not None and entry.updated is not None and state.feed_updated is not None
                and entry.updated <= state.feed_updated):
            summary.unchanged.append(entry.url)
        else:
            todo.append((entry, state))
    if not todo:
        return
    keys = _Keys(fetcher, meta.keys, options)
    try:
        with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
            futures: dict[Future[Fetched | Refusal | _Same], Entry] = {
                pool.submit(_fetch_entry, fetcher, entry, state, keys, options): entry
                for entry, state in todo
            }
            for done, future in enumerate(as_completed(futures), 1):
                outcome = future.result()
                if isinstance(outcome, Refusal):
                    summary.refused.append(outcome)
                elif isinstance(outcome, _Same):
                    touch_document(transaction, source_id, outcome.doc)
                    summary.unchanged.append(outcome.doc.url)
                else:
                    store_document(transaction, source_id, outcome, summary, actor=options.actor)
                if options.progress is not None:
                    options.progress(done, len(futures))
    finally:
        keys.close()
    summary.refused.extend(keys.problems)


def _announced(fetcher: Fetcher, distributions: tuple[Distribution, ...],
               summary: SyncSummary) -> dict[str, Entry]:
    """Every document the distributions announce, by URL; a feed's entry (with its hash and
    signature links) wins over the same document listed in a directory."""
    entries: dict[str, Entry] = {}
    listed: list[Entry] = []
    for dist in distributions:
        for feed_url in dist.feed_urls:
            try:
                answer = fetcher.get(feed_url)
                assert answer is not None
                for entry in parse_rolie_feed(answer.body, feed_url):
                    entries[entry.url] = entry
            except FetchError as exc:
                summary.refuse(exc.url, exc.reason)
            except InvalidInput as exc:
                summary.refuse(feed_url, exc.message.removeprefix(f"{feed_url}: "))
        if dist.directory_url:
            listed.extend(_directory(fetcher, dist.directory_url, summary))
    for entry in listed:
        entries.setdefault(entry.url, entry)
    return entries


def _directory(fetcher: Fetcher, directory: str, summary: SyncSummary) -> list[Entry]:
    changes = directory + "changes.csv"
    try:
        answer = fetcher.get(changes, missing_ok=True)
        if answer is not None:
            return parse_changes_csv(answer.body, changes, directory)
        index = directory + "index.txt"
        answer = fetcher.get(index)
        assert answer is not None
        return parse_index_txt(answer.body, index, directory)
    except FetchError as exc:
        summary.refuse(exc.url, exc.reason)
    except InvalidInput as exc:
        summary.refuse(directory, exc.message)
    return []


@dataclass(frozen=True)
class _Same:
    """Fetched, but the server said 304 or sent the bytes stored already."""

    doc: Fetched


class _Refused(Exception):
    pass


def _fetch_entry(fetcher: Fetcher, entry: Entry, state: FeedDocument | None, keys: _Keys,
                 options: SyncOptions) -> Fetched | Refusal | _Same:
    """Fetch and verify one document (in a worker thread). Never raises: a failure is a Refusal."""
    try:
        answer = fetcher.get(entry.url, etag=state.etag if state else None,
                             last_modified=state.last_modified if state else None)
        assert answer is not None
        if answer.status == 304:
            return _Same(Fetched(entry.url, b"", entry.updated, answer.etag, answer.last_modified))
        doc = Fetched(entry.url, answer.body, entry.updated, answer.etag, answer.last_modified)
        if state is not None and state.sha256 == doc.sha256:
            return _Same(doc)
        _check_hash(fetcher, entry, doc.body)
        if options.check_signatures:
            _check_signature(fetcher, entry, doc.body, keys, options.require_signatures)
        return doc
    except FetchError as exc:
        reason = exc.reason if exc.url == entry.url else f"{exc.url}: {exc.reason}"
        return Refusal(entry.url, reason)
    except InvalidInput as exc:
        return Refusal(entry.url, exc.message)
    except (_Refused, SignatureError) as exc:
        return Refusal(entry.url, str(exc))


def _check_hash(fetcher: Fetcher, entry: Entry, body: bytes) -> None:
    listed = [(a, entry.hashes[a]) for a in HASH_ALGORITHMS if a in entry.hashes]
    # Directory entries name no hash file: the standard puts it next to the document.
    candidates = listed or [(a, f"{entry.url}.{a}") for a in HASH_ALGORITHMS]
    for algorithm, url in candidates:
        answer = fetcher.get(url, max_bytes=_SMALL, missing_ok=not listed)
        if answer is None:
            continue
        expected = parse_hash_file(answer.body, algorithm, url)
        if hashlib.new(algorithm, body).hexdigest() != expected:
            raise _Refused(f"{algorithm} does not match {url} (document altered or hash stale)")
        return
    raise _Refused("no .sha512 or .sha256 published for it")


def _check_signature(fetcher: Fetcher, entry: Entry, body: bytes, keys: _Keys,
                     required: bool) -> None:
    url = entry.signature or f"{entry.url}.asc"
    answer = fetcher.get(url, max_bytes=_SMALL, missing_ok=entry.signature is None)
    if answer is None:
        if required:
            raise _Refused("no .asc signature published (--require-signatures)")
        return
    keys.get().verify(body, answer.body)


class _Keys:
    """The provider's keys, fetched and imported on the first signature to check."""

    def __init__(self, fetcher: Fetcher, keys: tuple[PublicKey, ...], options: SyncOptions) -> None:
        self._fetcher = fetcher
        self._keys = keys
        self._extra = options.keys
        self._lock = threading.Lock()
        self._ring: Keyring | None = None
        self.problems: list[Refusal] = []

    def get(self) -> Keyring:
        with self._lock:
            if self._ring is None:
                missing = available()
                if missing is not None:
                    raise SignatureError(missing)
                ring = Keyring()
                for data, name in self._extra:
                    ring.add(data, name)
                for key in self._keys:
                    try:
                        answer = self._fetcher.get(key.url, max_bytes=_KEY_BYTES)
                        assert answer is not None
                        ring.add(answer.body, key.url, key.fingerprint)
                    except FetchError as exc:
                        self.problems.append(Refusal(exc.url, f"public key: {exc.reason}"))
                    except InvalidInput as exc:
                        self.problems.append(Refusal(key.url, exc.message.removeprefix(f"{key.url}: ")))
                self._ring = ring
            return self._ring

    def close(self) -> None:
        if self._ring is not None:
            self._ring.close()
