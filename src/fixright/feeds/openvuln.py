"""Syncing from Cisco's openVuln API: OAuth2 client credentials, then page by page.

The first sync pages through `{api}/all`; later ones ask only for what was
updated since the last sync (`{api}/all/lastpublished?startDate=&endDate=`,
a day early, since the API counts in dates). Each advisory of a page is one
document, stored on its own like a file given to `advisories import`, under
the URL `{api}/advisory/{advisoryId}`; one whose bytes did not change since
the stored copy is counted unchanged without being read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from fixright.errors import InvalidInput
from fixright.feeds.fetch import Fetcher, FetchError
from fixright.feeds.store import (
    Fetched,
    SyncOptions,
    SyncSummary,
    Transaction,
    document_states,
    store_document,
)
from fixright.jsontext import load_json

_MAX_PAGES = 10_000


def sync(transaction: Transaction, source_id: int, api_url: str, last_sync: datetime | None,
         options: SyncOptions) -> SyncSummary:
    """Sync every advisory the API at `api_url` has (since `last_sync` when given)."""
    summary = SyncSummary()
    if not options.openvuln_client_id or not options.openvuln_client_secret:
        raise InvalidInput("openVuln needs FIXRIGHT_OPENVULN_CLIENT_ID and "
                           "FIXRIGHT_OPENVULN_CLIENT_SECRET (an API client of Cisco's)")
    with transaction() as session:
        states = document_states(session, source_id)
    base = api_url.rstrip("/")
    with Fetcher(options.policy) as fetcher:
        try:
            token = access_token(fetcher, options.openvuln_token_url, options.openvuln_client_id,
                                 options.openvuln_client_secret)
            if last_sync is None:
                path, params = f"{base}/all", {}
            else:
                start = (last_sync.astimezone(UTC) - timedelta(days=1)).date()
                end = datetime.now(UTC).date() + timedelta(days=1)
                path = f"{base}/all/lastpublished"
                params = {"startDate": start.isoformat(), "endDate": end.isoformat()}
            for advisory in advisories(fetcher, token, path, params, options.openvuln_page_size):
                _store(transaction, source_id, base, advisory, states, summary, options)
        except FetchError as exc:
            summary.refuse(exc.url, exc.reason)
        except InvalidInput as exc:
            summary.refuse(api_url, exc.message)
    return summary


def access_token(fetcher: Fetcher, token_url: str, client_id: str, client_secret: str) -> str:
    """An OAuth2 access token by the client-credentials grant (RFC 6749 §4.4)."""
    raw = fetcher.post_form(token_url, {"grant_type": "client_credentials",
                                        "client_id": client_id, "client_secret": client_secret})
    data = load_json(raw, token_url)
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise InvalidInput(f"{token_url}: no access_token in the answer")
    return token


def advisories(fetcher: Fetcher, token: str, url: str, params: dict[str, str],
               page_size: int) -> Iterator[dict[str, Any]]:
    """Every advisory object the endpoint lists, page after page (pageIndex from 1)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    for index in range(1, _MAX_PAGES + 1):
        query = "&".join(f"{k}={v}" for k, v in {**params, "pageIndex": str(index),
                                                  "pageSize": str(page_size)}.items())
        page_url = f"{url}?{query}"
        answer = fetcher.get(page_url, headers=headers, missing_ok=True)
        if answer is None:  # openVuln answers 404 when no advisory matches
            return
        data = load_json(answer.body, page_url)
        items = data.get("advisories") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise InvalidInput(f"{page_url}: $.advisories: expected a list")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("advisoryId"), str):
                raise InvalidInput(f"{page_url}: $.advisories[{i}]: not an advisory")
            yield item
        if len(items) < page_size:
            return


def _store(transaction: Transaction, source_id: int, base: str, advisory: dict[str, Any],
           states: dict[str, Any], summary: SyncSummary, options: SyncOptions) -> None:
    url = f"{base}/advisory/{advisory['advisoryId']}"
    body = json.dumps(advisory, sort_keys=True, ensure_ascii=False).encode()
    doc = Fetched(url, body)
    state = states.get(url)
    if state is not None and state.sha256 == doc.sha256:
        summary.unchanged.append(url)
        return
    store_document(transaction, source_id, doc, summary, actor=options.actor)
