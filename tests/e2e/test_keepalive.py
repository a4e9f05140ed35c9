"""A refused upload must not break the next request on the same connection.

Under granian (the default server) a request refused before its body was read
used to leave the connection unusable: the next request on it got "Server
disconnected without sending a response" in 2-13% of sequences.
"""

from __future__ import annotations

import httpx
import pytest
from tests.e2e.conftest import running_server

pytestmark = pytest.mark.e2e

SEQUENCES = 1000
BODY = b"x" * 65536  # larger than a socket buffer, so most of it is still unread at refusal


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with running_server(tmp_path_factory.mktemp("keepalive"), "sqlite") as live:
        yield live


def test_refused_upload_then_request_on_one_connection(server) -> None:
    failures: list[str] = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for i in range(SEQUENCES):
            try:
                refused = client.post(
                    "/api/v1/advisories/import",
                    files={"files": ("a.json", BODY)},
                )
                assert refused.status_code == 401, refused.text
                assert client.get("/healthz").status_code == 200
            except httpx.HTTPError as exc:
                failures.append(f"{i}: {type(exc).__name__}: {exc}")
    assert failures == [], f"{len(failures)} of {SEQUENCES} sequences broke: {failures[:5]}"


def test_refusal_before_body_asks_to_close(server) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        refused = client.post("/api/v1/advisories/import", files={"files": ("a.json", BODY)})
        assert refused.status_code == 401
        assert refused.headers.get("connection") == "close"
        # A request without a body keeps the connection.
        assert client.get("/healthz").headers.get("connection") != "close"
