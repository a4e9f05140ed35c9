"""Issue 14, item 5: the operator's dashboard shows when each advisory feed last synced and
when the scheduled jobs will sync it next; owners do not see the feeds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from fixright.accounts import service as accounts
from fixright.config import Settings
from fixright.feeds.models import FeedSource
from fixright.feeds.service import DEFAULT_INTERVAL, next_sync
from fixright.jobs.models import JobState
from fixright.jobs.service import JOB
from fixright.web.app import create_app

PASSWORD = "correct horse battery"
SYNCED = "https://psirt.example.com/.well-known/csaf/provider-metadata.json"
NEW = "https://cve.example.org/openvuln"
STATUS = "3 new, 1 changed, 40 unchanged, 2 refused"
LAST_SYNC = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NEXT_RUN = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
EVERY = 15  # minutes between jobs runs


def _login(client: TestClient, email: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    answer = client.post("/login", data={"email": email, "password": PASSWORD,
                                         "csrf_token": token[1]}, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def _feeds_block(page: str) -> str | None:
    found = re.search(r'<section[^>]*id="feeds".*?</section>', page, re.S)
    return found[0] if found else None


def test_next_sync_is_the_first_jobs_run_once_the_source_is_due() -> None:
    every = timedelta(minutes=EVERY)
    synced = FeedSource(url=SYNCED, kind="csaf", last_sync=LAST_SYNC)
    due = LAST_SYNC + DEFAULT_INTERVAL
    found = next_sync(synced, NEXT_RUN, every)
    assert found is not None and found >= due and found - every < due
    assert (found - NEXT_RUN) % every == timedelta(0)
    assert next_sync(FeedSource(url=NEW, kind="openvuln"), NEXT_RUN, every) == NEXT_RUN
    late = FeedSource(url=SYNCED, kind="csaf", last_sync=NEXT_RUN - 2 * DEFAULT_INTERVAL)
    assert next_sync(late, NEXT_RUN, every) == NEXT_RUN
    assert next_sync(synced, None, every) is None


def test_operator_sees_each_feed_with_last_and_next_sync_owner_does_not(
        session, db_url, data_dir) -> None:
    operator, _ = accounts.get_or_create_organization(session, "portal", operator=True)
    owner, _ = accounts.get_or_create_organization(session, "acme")
    accounts.add_user(session, email="op@portal.test", password=PASSWORD, organization=operator,
                      role="admin")
    accounts.add_user(session, email="noc@acme.test", password=PASSWORD, organization=owner,
                      role="admin")
    session.add_all([
        FeedSource(url=SYNCED, kind="csaf", last_sync=LAST_SYNC, last_status=STATUS),
        FeedSource(url=NEW, kind="openvuln"),
        JobState(name=JOB, last_finished_at=NEXT_RUN - timedelta(minutes=EVERY),
                 next_run_at=NEXT_RUN, summary="", fingerprint=""),
    ])
    session.commit()
    app = create_app(Settings(data_dir=data_dir, database_url=db_url,
                              storage_url=f"file://{data_dir / 'blobs'}",
                              jobs_interval_minutes=EVERY))
    with TestClient(app) as client:
        _login(client, "op@portal.test")
        block = _feeds_block(client.get("/").text)
    assert block is not None, "the operator's dashboard has no Advisory feeds block"
    assert "Advisory feeds" in block
    rows = re.findall(r"<tr data-feed=.*?</tr>", block, re.S)
    assert len(rows) == 2
    synced, new = (r for url in (SYNCED, NEW) for r in rows if url in r)
    fmt = "%Y-%m-%d %H:%M UTC"
    expected_next = next_sync(FeedSource(url=SYNCED, kind="csaf", last_sync=LAST_SYNC),
                              NEXT_RUN, timedelta(minutes=EVERY))
    assert expected_next is not None and expected_next > NEXT_RUN
    assert "csaf" in synced and LAST_SYNC.strftime(fmt) in synced and STATUS in synced
    assert expected_next.strftime(fmt) in synced
    # Never synced: the next scheduled run takes it.
    assert "openvuln" in new and "never" in new and NEXT_RUN.strftime(fmt) in new
    # The jobs line sits in the block, with the run's times.
    assert 'id="jobs-status"' in block and f"next run {NEXT_RUN.strftime(fmt)}" in block

    with TestClient(app) as client:
        _login(client, "noc@acme.test")
        page = client.get("/").text
    assert _feeds_block(page) is None and SYNCED not in page and "Advisory feeds" not in page
    assert f"next run {NEXT_RUN.strftime(fmt)}" in page  # owners keep the jobs line
