"""The pure readers of CSAF distribution documents."""

from __future__ import annotations

import json

import pytest

from fixright.errors import InvalidInput
from fixright.feeds.provider import (
    document_kind,
    parse_aggregator,
    parse_changes_csv,
    parse_hash_file,
    parse_index_txt,
    parse_provider_metadata,
    parse_rolie_feed,
)

SRC = "https://psirt.example/.well-known/csaf/provider-metadata.json"
DIR = "https://psirt.example/.well-known/csaf/white/"


def test_provider_metadata_distributions_and_keys() -> None:
    raw = json.dumps({
        "metadata_version": "2.0", "role": "csaf_trusted_provider",
        "publisher": {"name": "Example PSIRT"},
        "distributions": [{"directory_url": "white"},
                          {"rolie": {"feeds": [{"url": "feed.json", "tlp_label": "WHITE"}]}}],
        "public_openpgp_keys": [{"url": "key.asc", "fingerprint": "ab12"}],
    }).encode()
    meta = parse_provider_metadata(raw, SRC)
    assert meta.publisher == "Example PSIRT"
    assert meta.distributions[0].directory_url == DIR
    assert meta.distributions[1].feed_urls == ("https://psirt.example/.well-known/csaf/feed.json",)
    assert meta.keys[0].fingerprint == "AB12"
    assert document_kind(raw, SRC) == "provider"


@pytest.mark.parametrize(("doc", "where"), [
    ({"distributions": [{}]}, "$.distributions[0]: neither"),
    ({"distributions": {"x": 1}}, "$.distributions: expected a list"),
    ({"distributions": [], "public_openpgp_keys": [{"url": "k", "fingerprint": "xyz"}]},
     "$.public_openpgp_keys[0].fingerprint"),
])
def test_bad_provider_metadata_names_the_place(doc: dict, where: str) -> None:
    with pytest.raises(InvalidInput, match=rf"^{SRC}: .*{__import__('re').escape(where)}"):
        parse_provider_metadata(json.dumps(doc).encode(), SRC)


def test_neither_provider_nor_aggregator() -> None:
    with pytest.raises(InvalidInput, match="neither"):
        document_kind(b'{"x": 1}', SRC)
    with pytest.raises(InvalidInput, match="not valid JSON"):
        document_kind(b"<html>", SRC)


def test_aggregator_lists_providers_and_publishers_once() -> None:
    raw = json.dumps({"csaf_providers": [{"metadata": {"url": "https://a/pm.json"}},
                                         {"metadata": {"url": "https://a/pm.json"}}],
                      "csaf_publishers": [{"metadata": {"url": "https://b/pm.json"}}]}).encode()
    assert parse_aggregator(raw, "https://agg/aggregator.json") == [
        "https://a/pm.json", "https://b/pm.json"]


def test_rolie_entries_carry_hash_and_signature_links() -> None:
    raw = json.dumps({"feed": {"entry": [{
        "id": "x-1", "updated": "2026-12-01T10:00:00Z",
        "link": [{"rel": "self", "href": "2026/x-1.json"},
                 {"rel": "hash", "href": "2026/x-1.json.sha512"},
                 {"rel": "hash", "href": "2026/x-1.json.md5"},
                 {"rel": "signature", "href": "2026/x-1.json.asc"}],
        "content": {"src": "2026/x-1.json"}}]}}).encode()
    (entry,) = parse_rolie_feed(raw, DIR + "feed.json")
    assert entry.url == DIR + "2026/x-1.json"
    assert entry.hashes == {"sha512": DIR + "2026/x-1.json.sha512"}
    assert entry.signature == DIR + "2026/x-1.json.asc"
    assert entry.updated is not None and entry.updated.year == 2026
    assert entry.announced_id == "x-1"


def test_rolie_entry_without_time_is_refused() -> None:
    raw = json.dumps({"feed": {"entry": [{"content": {"src": "a.json"}}]}}).encode()
    with pytest.raises(InvalidInput, match=r"\$\.feed\.entry\[0\]\.updated"):
        parse_rolie_feed(raw, DIR + "feed.json")


def test_changes_csv_keeps_newest_time_per_path() -> None:
    raw = (b'"2026/a.json","2026-12-02T00:00:00Z"\n"2026/b.json","2026-11-01T00:00:00"\n'
           b'"2026/a.json","2026-10-01T00:00:00Z"\n')
    entries = {e.url: e.updated for e in parse_changes_csv(raw, DIR + "changes.csv", DIR)}
    assert entries[DIR + "2026/a.json"].month == 12  # type: ignore[union-attr]
    assert entries[DIR + "2026/b.json"].tzinfo is not None  # type: ignore[union-attr]


@pytest.mark.parametrize("line", [b'"../../etc/passwd","2026-12-02T00:00:00Z"\n',
                                  b'"/abs.json","2026-12-02T00:00:00Z"\n',
                                  b'"a.json","yesterday"\n', b'"a.json"\n'])
def test_changes_csv_bad_lines_name_the_line(line: bytes) -> None:
    with pytest.raises(InvalidInput, match=r"changes\.csv: line 1"):
        parse_changes_csv(line, DIR + "changes.csv", DIR)


def test_index_txt() -> None:
    entries = parse_index_txt(b"2026/a.json\n\n2026/b.json\n", DIR + "index.txt", DIR)
    assert [e.url for e in entries] == [DIR + "2026/a.json", DIR + "2026/b.json"]
    assert all(e.updated is None for e in entries)


def test_hash_file() -> None:
    digest = "a" * 64
    assert parse_hash_file(f"{digest.upper()}  x.json\n".encode(), "sha256", "x.sha256") == digest
    with pytest.raises(InvalidInput, match="not a sha512 file"):
        parse_hash_file(f"{digest}  x.json".encode(), "sha512", "x.sha512")
