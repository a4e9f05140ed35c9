"""`fixright advisories sync` against a CSAF provider served on 127.0.0.1, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.feeds.site import Doc, Route, Signer, Site, csaf_bytes, publish

from fixright.advisories.models import Advisory

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
SMI2 = "advisories/csaf/cisco-sa-20180328-smi2.json"
VERII = "advisories/csaf/cisco-sa-ios-xr-verii-bypass-HhPwQRvx.json"
FORTI = "advisories/vendor/FG-IR-24-041.json"
GOOD_IDS = {"cisco-sa-20180328-smi2", "cisco-sa-ios-xr-verii-bypass-HhPwQRvx", "FG-IR-24-041"}


def good_docs(shared: Path) -> list[Doc]:
    return [
        # In the ROLIE feed with its .sha512 and .asc links.
        Doc("2018/cisco-sa-20180328-smi2.json", csaf_bytes(shared, SMI2), T0),
        # Listed only in changes.csv: .sha256 and .asc found beside it.
        Doc("2025/cisco-sa-ios-xr-verii-bypass-HhPwQRvx.json", csaf_bytes(shared, VERII), T0,
            in_feed=False, sha="sha256"),
        # Unsigned (no .asc published): accepted on its hash.
        Doc("2024/FG-IR-24-041.json", csaf_bytes(shared, FORTI), T0, in_feed=False,
            signed_by=None),
    ]


def stored(cli) -> dict[str, str]:
    result = cli("advisories", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["advisory_id"]: row for row in json.loads(result.stdout)}


def test_first_sync_stores_then_only_indexes_are_fetched(cli, site: Site, signer: Signer,
                                                         shared_data: Path) -> None:
    url = publish(site, signer, good_docs(shared_data))
    first = cli("advisories", "sync", url)
    assert first.exit_code == 0, first.output
    assert "3 new, 0 changed, 0 unchanged, 0 refused" in first.stdout
    assert set(stored(cli)) == GOOD_IDS
    assert site.doc_hits() > 3  # documents, hashes, signatures

    site.hits.clear()
    second = cli("advisories", "sync", url)
    assert second.exit_code == 0, second.output
    assert "0 new, 0 changed, 3 unchanged, 0 refused" in second.stdout
    assert site.doc_hits() == 0
    assert set(site.hits) == {"/.well-known/csaf/provider-metadata.json",
                              "/.well-known/csaf/rolie/feed-tlp-white.json",
                              "/.well-known/csaf/white/changes.csv"}


def test_changed_document_is_fetched_again(cli, engine, site: Site, signer: Signer,
                                           shared_data: Path) -> None:
    docs = good_docs(shared_data)
    url = publish(site, signer, docs)
    assert cli("advisories", "sync", url).exit_code == 0
    docs[1] = Doc(docs[1].path, csaf_bytes(shared_data, VERII, version="2.0.0"), T1,
                  in_feed=False, sha="sha256")
    # Same bytes, newer time: asked with If-None-Match, answered 304.
    docs[2] = Doc(docs[2].path, docs[2].body, T1, in_feed=False, signed_by=None)
    publish(site, signer, docs)
    site.hits.clear()
    result = cli("advisories", "sync", url)
    assert result.exit_code == 0, result.output
    assert "0 new, 1 changed, 2 unchanged, 0 refused" in result.stdout
    with engine.connect() as conn:
        revision = conn.execute(select(Advisory.revision).where(
            Advisory.advisory_id == "cisco-sa-ios-xr-verii-bypass-HhPwQRvx")).scalar_one()
    assert revision == "2.0.0"
    changed = "/.well-known/csaf/white/" + docs[1].path
    assert site.hits[changed] == 1
    assert site.hits["/.well-known/csaf/white/" + docs[2].path] == 1
    assert site.hits["/.well-known/csaf/white/" + docs[0].path] == 0
    # A third sync: the 304 recorded the newer time, so nothing is asked again.
    site.hits.clear()
    assert "3 unchanged" in cli("advisories", "sync", url).stdout
    assert site.doc_hits() == 0


def test_tracking_id_changing_under_one_url_is_refused(cli, site: Site, signer: Signer,
                                                       shared_data: Path) -> None:
    docs = good_docs(shared_data)
    url = publish(site, signer, docs)
    assert cli("advisories", "sync", url).exit_code == 0
    docs[1] = Doc(docs[1].path, csaf_bytes(shared_data, VERII, tracking_id="cisco-sa-other"), T1,
                  in_feed=False, sha="sha256")
    publish(site, signer, docs)
    result = cli("advisories", "sync", url)
    assert result.exit_code == 1
    assert "tracking id changed" in result.stderr
    assert docs[1].path in result.stderr
    assert "cisco-sa-other" not in stored(cli)


def _faulty(shared: Path, site: Site) -> dict[str, Doc]:
    def variant(name: str) -> bytes:
        return csaf_bytes(shared, VERII, tracking_id=f"test-{name}")

    return {
        "tampered": Doc("2025/tampered.json", variant("tampered"), T0, hash_of=b"other bytes"),
        "badsig": Doc("2025/badsig.json", variant("badsig"), T0),
        "unknownkey": Doc("2025/unknownkey.json", variant("unknownkey"), T0,
                          signed_by="stranger"),
        "missing": Doc("2025/missing.json", variant("missing"), T0),
        "slow": Doc("2025/slow.json", variant("slow"), T0),
        "loop": Doc("2025/loop.json", variant("loop"), T0),
        "invalid": Doc("2025/invalid.json", b'{"document": {"csaf_version": ', T0),
        "endless": Doc("2025/endless.json", variant("endless"), T0),
        "huge": Doc("2025/huge.json", variant("huge"), T0),
        "plainhttp": Doc("2025/plain.json", variant("plainhttp"), T0,
                         url="http://192.0.2.1/.well-known/csaf/white/2025/plain.json"),
    }


def test_each_bad_document_is_refused_with_its_reason_and_others_stored(
        cli, site: Site, signer: Signer, shared_data: Path) -> None:
    faults = _faulty(shared_data, site)
    badsig = faults["badsig"]
    badsig.signed_by = "bad"
    url = publish(site, signer, [*good_docs(shared_data), *faults.values()])
    white = "/.well-known/csaf/white/"
    del site.routes[white + faults["missing"].path]
    site.routes[white + faults["slow"].path].delay = 4
    site.routes[white + faults["loop"].path].redirect = site.url(white + faults["loop"].path)
    site.routes[white + faults["endless"].path].endless = True
    site.routes[white + faults["huge"].path].declared_length = 2 * 1024**3

    result = cli("advisories", "sync", url, "--timeout", "1.5", "--retries", "0",
                 "--max-size", "1")
    assert result.exit_code == 1, result.output
    lines = {name: [ln for ln in result.stderr.splitlines() if f"/{doc.path}:" in ln
                    or (doc.url and doc.url in ln)] for name, doc in faults.items()}
    expected = {
        "tampered": "sha512 does not match",
        "badsig": "bad OpenPGP signature",
        "unknownkey": "unknown key",
        "missing": "HTTP 404",
        "slow": "timed out",
        "loop": "redirects",
        "invalid": "not valid JSON",
        "endless": "limit",
        "huge": "limit",
        "plainhttp": "plain http refused",
    }
    for name, words in expected.items():
        assert len(lines[name]) == 1, (name, result.stderr)
        assert words.lower() in lines[name][0].lower(), (name, lines[name])
        assert lines[name][0].startswith("error: refused "), lines[name]
    assert "3 new, 0 changed, 0 unchanged, 10 refused" in result.stdout
    assert set(stored(cli)) == GOOD_IDS


def test_http_start_url_off_loopback_is_a_usage_error(cli) -> None:
    result = cli("advisories", "sync", "http://192.0.2.1/.well-known/csaf/provider-metadata.json")
    assert result.exit_code == 2
    assert "plain http refused" in result.stderr


def test_wrong_key_fingerprint_refuses_key_and_signed_documents(cli, site: Site, signer: Signer,
                                                                shared_data: Path) -> None:
    url = publish(site, signer, good_docs(shared_data), key_fingerprint=signer.stranger)
    result = cli("advisories", "sync", url)
    assert result.exit_code == 1
    assert "is not the" in result.stderr and "provider.asc" in result.stderr
    # The unsigned document is still stored; the two signed ones are refused.
    assert set(stored(cli)) == {"FG-IR-24-041"}


def test_key_given_on_the_command_line_is_trusted(cli, site: Site, signer: Signer,
                                                  shared_data: Path, tmp_path: Path) -> None:
    docs = good_docs(shared_data)
    docs[0].signed_by = "stranger"
    url = publish(site, signer, docs)
    assert cli("advisories", "sync", url).exit_code == 1
    key = tmp_path / "stranger.asc"
    key.write_bytes(signer.public(signer.stranger))
    result = cli("advisories", "sync", url, "--key", str(key))
    assert result.exit_code == 0, result.output
    assert "cisco-sa-20180328-smi2" in stored(cli)


def test_aggregator_leads_to_its_providers(cli, site: Site, signer: Signer,
                                           shared_data: Path) -> None:
    provider = publish(site, signer, good_docs(shared_data))
    aggregator = {"aggregator": {"category": "aggregator", "name": "Test aggregator",
                                 "namespace": site.base},
                  "aggregator_version": "2.0",
                  "canonical_url": site.url("/aggregator.json"),
                  "csaf_providers": [{"metadata": {"last_updated": T0.isoformat(),
                                                   "publisher": {"category": "vendor",
                                                                 "name": "Test PSIRT",
                                                                 "namespace": site.base},
                                                   "role": "csaf_trusted_provider",
                                                   "url": provider}}],
                  "last_updated": T0.isoformat()}
    site.routes["/aggregator.json"] = Route(json.dumps(aggregator).encode())
    result = cli("advisories", "sync", site.url("/aggregator.json"))
    assert result.exit_code == 0, result.output
    assert set(stored(cli)) == GOOD_IDS


def test_sources_are_registered_and_synced_together(cli, site: Site, signer: Signer,
                                                    shared_data: Path) -> None:
    url = publish(site, signer, good_docs(shared_data))
    assert cli("advisories", "sources", "add", url).exit_code == 0
    listing = json.loads(cli("advisories", "sources", "list", "--format", "json").stdout)
    assert [row["url"] for row in listing] == [url] and listing[0]["last_sync"] is None
    result = cli("advisories", "sync")
    assert result.exit_code == 0, result.output
    assert "1 source(s): 3 new" in result.stdout
    listing = json.loads(cli("advisories", "sources", "list", "--format", "json").stdout)
    assert listing[0]["last_sync"] is not None and "3 new" in listing[0]["last_status"]
    assert cli("advisories", "sources", "remove", url).exit_code == 0
    assert json.loads(cli("advisories", "sources", "list", "--format", "json").stdout) == []
    assert cli("advisories", "sources", "remove", url).exit_code == 1


@pytest.mark.parametrize("bad", ["ftp://example.test/x", "http://192.0.2.1/provider-metadata.json"])
def test_sources_add_refuses_what_sync_would(cli, bad: str) -> None:
    result = cli("advisories", "sources", "add", bad)
    assert result.exit_code == 2
    assert "refused" in result.stderr


def test_key_file_without_a_key_is_a_usage_error(cli, tmp_path: Path) -> None:
    bad = tmp_path / "not-a-key.asc"
    bad.write_text("hello\n")
    result = cli("advisories", "sync", "--key", str(bad), "https://psirt.example/pm.json")
    assert result.exit_code == 2
    assert "not-a-key.asc: no OpenPGP public key in it" in result.stderr


def test_refusal_is_the_only_line_on_stderr(cli, site: Site, signer: Signer,
                                            shared_data: Path) -> None:
    docs = good_docs(shared_data)
    docs[0].signed_by = "bad"
    url = publish(site, signer, docs)
    result = cli("advisories", "sync", url)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: refused {site.url('/.well-known/csaf/white/' + docs[0].path)}: "
        "bad OpenPGP signature (document or signature altered)"]
