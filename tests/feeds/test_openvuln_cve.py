"""openVuln (OAuth2 client credentials, paging) and CVE record folders/ZIPs, on both databases."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from tests.feeds.site import Route, Site

from fixright.advisories.models import Advisory
from fixright.db import make_session_factory, session_scope
from fixright.feeds import service
from fixright.feeds.fetch import FetchPolicy

NOW = datetime(2026, 12, 5, tzinfo=UTC)
API = "/security/advisories"


def transaction(engine: Engine) -> service.Transaction:
    factory = make_session_factory(engine, writes=True)
    return lambda: session_scope(factory)


def ids(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(Advisory.advisory_id)).scalars())


def openvuln_options(site: Site, page_size: int = 2) -> service.SyncOptions:
    return service.SyncOptions(
        policy=FetchPolicy(timeout=2, deadline=5, retries=1, backoff=0.01),
        openvuln_token_url=site.url("/oauth2/token"), openvuln_client_id="client",
        openvuln_client_secret="s3cret", openvuln_page_size=page_size)


def serve_openvuln(site: Site, shared: Path) -> list[dict]:
    advisories = json.loads((shared / "advisories/openvuln/all.json").read_bytes())["advisories"]
    site.routes["POST /oauth2/token"] = Route(json.dumps(
        {"access_token": "tok-123", "token_type": "Bearer", "expires_in": 3600}).encode())
    site.routes[f"{API}/all?pageIndex=1&pageSize=2"] = Route(
        json.dumps({"advisories": advisories[:2]}).encode())
    site.routes[f"{API}/all?pageIndex=2&pageSize=2"] = Route(
        json.dumps({"advisories": advisories[2:]}).encode())
    return advisories


def test_openvuln_token_then_pages(engine: Engine, site: Site, shared_data: Path) -> None:
    advisories = serve_openvuln(site, shared_data)
    summary = service.sync_source(transaction(engine), site.url(API), "openvuln",
                                  openvuln_options(site), NOW)
    assert summary.ok, summary.refused
    assert len(summary.new) == len(advisories) == 3
    assert ids(engine) == {a["advisoryId"] for a in advisories}
    assert site.posts == [{"grant_type": ["client_credentials"], "client_id": ["client"],
                           "client_secret": ["s3cret"]}]
    pages = [(p, h) for p, h in site.requests if p.startswith(f"{API}/all")]
    assert [p for p, _h in pages] == [f"{API}/all?pageIndex=1&pageSize=2",
                                      f"{API}/all?pageIndex=2&pageSize=2"]
    assert all(h.get("Authorization") == "Bearer tok-123" for _p, h in pages)


def test_openvuln_second_sync_asks_for_updates_only(engine: Engine, site: Site,
                                                    shared_data: Path) -> None:
    advisories = serve_openvuln(site, shared_data)
    tx = transaction(engine)
    assert service.sync_source(tx, site.url(API), "openvuln", openvuln_options(site), NOW).ok
    # The updates endpoint answers 404 (openVuln's "no data") but for one advisory.
    site.routes[f"{API}/all/lastpublished"] = Route(
        json.dumps({"advisories": advisories[:1]}).encode())
    site.requests.clear()
    summary = service.sync_source(tx, site.url(API), "openvuln", openvuln_options(site), NOW)
    assert summary.ok and summary.unchanged == [f"{site.url(API)}/advisory/{advisories[0]['advisoryId']}"]
    (path, _h), = [(p, h) for p, h in site.requests if p.startswith(API)]
    assert path.startswith(f"{API}/all/lastpublished?startDate=") and "endDate=" in path


def test_openvuln_bad_token_is_refused_not_raised(engine: Engine, site: Site) -> None:
    site.routes["POST /oauth2/token"] = Route(b'{"error": "invalid_client"}', status=401)
    summary = service.sync_source(transaction(engine), site.url(API), "openvuln",
                                  openvuln_options(site), NOW)
    assert [r.reason for r in summary.refused] == ["HTTP 401"]
    assert ids(engine) == set()


def test_openvuln_without_credentials_is_a_usage_error(cli) -> None:
    result = cli("advisories", "sync", "--kind", "openvuln", "https://apix.cisco.com/security/advisories/v2")
    assert result.exit_code == 2
    assert "FIXRIGHT_OPENVULN_CLIENT_ID" in result.stderr


def _cve_folder(shared: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "deltaCves"
    folder.mkdir()
    for f in (shared / "advisories/cve5").glob("CVE-*.json"):
        shutil.copy(f, folder / f.name)
    record = json.loads((shared / "advisories/cve5/CVE-2024-21591.json").read_bytes())
    record["cveMetadata"]["cveId"] = "CVE-2024-99999"
    for entry in record["containers"]["cna"]["affected"]:
        entry["vendor"], entry["product"] = "Nobody", "Some Web Shop"
    (folder / "CVE-2024-99999.json").write_text(json.dumps(record))
    return folder


@pytest.mark.parametrize("as_zip", [False, True])
def test_cve_records_only_known_products_imported(engine: Engine, shared_data: Path,
                                                  tmp_path: Path, as_zip: bool) -> None:
    folder = _cve_folder(shared_data, tmp_path)
    location = folder
    if as_zip:
        location = tmp_path / "delta.zip"
        with zipfile.ZipFile(location, "w") as z:
            for f in folder.iterdir():
                z.write(f, f"deltaCves/{f.name}")
    tx = transaction(engine)
    summary = service.sync_source(tx, str(location), None, service.SyncOptions(), NOW)
    assert summary.ok, summary.refused
    assert ids(engine) == {"CVE-2024-21591", "CVE-2023-24509"}
    assert len(summary.irrelevant) == 1 and "CVE-2024-99999" in summary.irrelevant[0]
    again = service.sync_source(tx, str(location), None, service.SyncOptions(), NOW)
    assert len(again.unchanged) == 2 and not again.new


def test_sync_due_skips_sources_synced_recently(engine: Engine, shared_data: Path,
                                                tmp_path: Path) -> None:
    folder = _cve_folder(shared_data, tmp_path)
    tx = transaction(engine)
    with tx() as session:
        service.add_source(session, str(folder))
    first = service.sync_due(tx, NOW)
    assert first.sources == 1 and len(first.new) == 2
    assert service.sync_due(tx, NOW).sources == 0  # within the interval
    later = NOW.replace(day=6)
    assert service.sync_due(tx, later).sources == 1
