"""CSAF 2.0 distribution documents as typed records. PURE.

The standard (CSAF 2.0 §7) lets a provider publish its documents in two ways,
both announced by its `provider-metadata.json`: ROLIE feeds (JSON Atom-like
feeds whose entries link the document, its hash and its signature) and a
directory (`index.txt` listing every path, `changes.csv` listing
"path","datetime" newest first). An aggregator's `aggregator.json` lists
providers' metadata URLs. Each reader here takes the raw bytes and the URL
they came from and returns dataclasses, or raises `InvalidInput` naming the
URL and the place in the document.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from fixright.errors import InvalidInput
from fixright.jsontext import load_json

HASH_ALGORITHMS = ("sha512", "sha256")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_HEX_LENGTH = {"sha256": 64, "sha512": 128}


@dataclass(frozen=True)
class PublicKey:
    """An OpenPGP public key the provider signs with: where it is, and its fingerprint."""

    url: str
    fingerprint: str | None


@dataclass(frozen=True)
class Distribution:
    """One `distributions[]` entry: a directory URL, ROLIE feed URLs, or both."""

    directory_url: str | None
    feed_urls: tuple[str, ...]


@dataclass(frozen=True)
class ProviderMetadata:
    url: str
    publisher: str
    role: str
    distributions: tuple[Distribution, ...]
    keys: tuple[PublicKey, ...]


@dataclass(frozen=True)
class Entry:
    """One document a distribution announces, with what the announcement says about it."""

    url: str
    updated: datetime | None = None
    # algorithm -> hash file URL, when the feed names it; directory entries leave this empty
    # and the document's neighbours (`<url>.sha512`, `<url>.sha256`, `<url>.asc`) are tried.
    hashes: dict[str, str] = field(default_factory=dict)
    signature: str | None = None
    announced_id: str | None = None
    from_feed: bool = False


def _object(value: Any, where: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{source}: {where}: expected an object")
    return value


def _list(value: Any, where: str, source: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"{source}: {where}: expected a list")
    return value


def _url(value: Any, where: str, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{source}: {where}: expected a URL")
    return urljoin(source, value.strip())


def parse_time(value: Any, where: str, source: str) -> datetime:
    """An RFC 3339 date-time; one without a zone is read as UTC (vendors omit it)."""
    if not isinstance(value, str):
        raise InvalidInput(f"{source}: {where}: expected a date-time")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{source}: {where}: {value[:40]!r} is not a date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def document_kind(raw: bytes, source: str) -> str:
    """`provider` for a provider-metadata.json, `aggregator` for an aggregator.json."""
    data = load_json(raw, source)
    if isinstance(data, dict) and "csaf_providers" in data:
        return "aggregator"
    if isinstance(data, dict) and ("distributions" in data or "metadata_version" in data):
        return "provider"
    raise InvalidInput(f"{source}: $: neither a CSAF provider-metadata.json nor an aggregator.json")


def parse_provider_metadata(raw: bytes, source: str) -> ProviderMetadata:
    """Read a provider-metadata.json (CSAF 2.0 §7.1.7)."""
    data = _object(load_json(raw, source), "$", source)
    publisher = data.get("publisher")
    name = publisher.get("name") if isinstance(publisher, dict) else None
    distributions: list[Distribution] = []
    for i, item in enumerate(_list(data.get("distributions"), "$.distributions", source)):
        where = f"$.distributions[{i}]"
        item = _object(item, where, source)
        directory = item.get("directory_url")
        directory_url = _url(directory, f"{where}.directory_url", source) if directory else None
        if directory_url and not directory_url.endswith("/"):
            directory_url += "/"
        feeds: list[str] = []
        rolie = item.get("rolie")
        if rolie is not None:
            rolie = _object(rolie, f"{where}.rolie", source)
            for j, feed in enumerate(_list(rolie.get("feeds"), f"{where}.rolie.feeds", source)):
                feed = _object(feed, f"{where}.rolie.feeds[{j}]", source)
                feeds.append(_url(feed.get("url"), f"{where}.rolie.feeds[{j}].url", source))
        if directory_url is None and not feeds:
            raise InvalidInput(f"{source}: {where}: neither directory_url nor rolie feeds")
        distributions.append(Distribution(directory_url, tuple(feeds)))
    keys: list[PublicKey] = []
    for i, item in enumerate(_list(data.get("public_openpgp_keys"), "$.public_openpgp_keys", source)):
        where = f"$.public_openpgp_keys[{i}]"
        item = _object(item, where, source)
        fingerprint = item.get("fingerprint")
        if fingerprint is not None and not (isinstance(fingerprint, str) and _HEX.match(fingerprint)):
            raise InvalidInput(f"{source}: {where}.fingerprint: not a hexadecimal fingerprint")
        keys.append(PublicKey(_url(item.get("url"), f"{where}.url", source),
                              fingerprint.upper() if fingerprint else None))
    return ProviderMetadata(
        url=source,
        publisher=name if isinstance(name, str) else "",
        role=str(data.get("role") or ""),
        distributions=tuple(distributions),
        keys=tuple(keys),
    )


def parse_aggregator(raw: bytes, source: str) -> list[str]:
    """The provider-metadata URLs an aggregator.json lists (providers, then publishers)."""
    data = _object(load_json(raw, source), "$", source)
    urls: list[str] = []
    for key in ("csaf_providers", "csaf_publishers"):
        for i, item in enumerate(_list(data.get(key), f"$.{key}", source)):
            meta = _object(_object(item, f"$.{key}[{i}]", source).get("metadata"),
                           f"$.{key}[{i}].metadata", source)
            url = _url(meta.get("url"), f"$.{key}[{i}].metadata.url", source)
            if url not in urls:
                urls.append(url)
    return urls


def _links(entry: dict[str, Any], where: str, source: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for k, link in enumerate(_list(entry.get("link"), f"{where}.link", source)):
        link = _object(link, f"{where}.link[{k}]", source)
        rel, href = link.get("rel"), link.get("href")
        if isinstance(rel, str) and isinstance(href, str):
            found.append((rel, _url(href, f"{where}.link[{k}].href", source)))
    return found


def parse_rolie_feed(raw: bytes, source: str) -> list[Entry]:
    """The entries of a ROLIE feed (CSAF 2.0 §7.1.20): document, hash and signature links."""
    data = _object(load_json(raw, source), "$", source)
    feed = _object(data.get("feed"), "$.feed", source)
    entries: list[Entry] = []
    for i, item in enumerate(_list(feed.get("entry"), "$.feed.entry", source)):
        where = f"$.feed.entry[{i}]"
        item = _object(item, where, source)
        links = _links(item, where, source)
        content = item.get("content")
        url = None
        if isinstance(content, dict) and isinstance(content.get("src"), str):
            url = _url(content["src"], f"{where}.content.src", source)
        url = url or next((h for rel, h in links if rel == "self"), None)
        if url is None:
            raise InvalidInput(f"{source}: {where}: no content.src and no self link")
        hashes: dict[str, str] = {}
        signature = None
        for rel, href in links:
            if rel == "hash":
                algorithm = href.rsplit(".", 1)[-1].lower()
                if algorithm in HASH_ALGORITHMS:
                    hashes[algorithm] = href
            elif rel == "signature":
                signature = href
        announced = item.get("id")
        entries.append(Entry(
            url=url,
            updated=parse_time(item.get("updated"), f"{where}.updated", source),
            hashes=hashes,
            signature=signature,
            announced_id=announced if isinstance(announced, str) else None,
            from_feed=True,
        ))
    return entries


def _document_url(directory_url: str, path: str, where: str, source: str) -> str:
    path = path.strip()
    if not path or path.startswith("/") or "\\" in path or ".." in path.split("/"):
        raise InvalidInput(f"{source}: {where}: {path[:60]!r} is not a path below the directory")
    return urljoin(directory_url, path)


def parse_changes_csv(raw: bytes, source: str, directory_url: str) -> list[Entry]:
    """`changes.csv` (CSAF 2.0 §7.1.12): one "path","datetime" line per document."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{source}: not UTF-8 text") from None
    entries: dict[str, Entry] = {}
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text)), 1):
            if not row or (line == 1 and [c.strip().lower() for c in row] == ["path", "datetime"]):
                continue
            if len(row) != 2:
                raise InvalidInput(f"{source}: line {line}: expected \"path\",\"datetime\"")
            url = _document_url(directory_url, row[0], f"line {line}", source)
            updated = parse_time(row[1], f"line {line}", source)
            # Newest first by the standard; a repeated path keeps its newest time.
            if url not in entries or (entries[url].updated or updated) < updated:
                entries[url] = Entry(url=url, updated=updated)
    except csv.Error as exc:
        raise InvalidInput(f"{source}: {exc}") from None
    return list(entries.values())


def parse_index_txt(raw: bytes, source: str, directory_url: str) -> list[Entry]:
    """`index.txt` (CSAF 2.0 §7.1.13): one document path per line, no times."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{source}: not UTF-8 text") from None
    urls: dict[str, Entry] = {}
    for line, path in enumerate(text.splitlines(), 1):
        if path.strip():
            url = _document_url(directory_url, path, f"line {line}", source)
            urls[url] = Entry(url=url)
    return list(urls.values())


def parse_hash_file(raw: bytes, algorithm: str, source: str) -> str:
    """The hex digest in a `.sha256`/`.sha512` file (`<hex>  <file name>`, as sha256sum writes)."""
    try:
        first = raw.decode("ascii").split()
    except UnicodeDecodeError:
        raise InvalidInput(f"{source}: not a {algorithm} file (not ASCII)") from None
    digest = first[0] if first else ""
    if len(digest) != _HEX_LENGTH[algorithm] or not _HEX.match(digest):
        raise InvalidInput(f"{source}: not a {algorithm} file")
    return digest.lower()
