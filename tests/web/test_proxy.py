"""TrustedProxies on its own: which forwarded headers are believed, from whom."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from fixright.web.proxy import TrustedProxies

NETS = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32")]


def _seen(peer: str, headers: dict[str, str], nets=NETS) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def app(scope, receive, send) -> None:
        seen.update(scope)

    scope = {"type": "http", "scheme": "http", "client": (peer, 5000),
             "headers": [(b"host", b"10.0.0.2:8000"),
                         *((k.lower().encode(), v.encode()) for k, v in headers.items())]}
    asyncio.run(TrustedProxies(app, nets)(scope, None, None))  # type: ignore[arg-type]
    seen["host"] = dict(seen["headers"])[b"host"].decode()
    return seen


def test_trusted_peer_sets_scheme_host_and_client() -> None:
    seen = _seen("127.0.0.1", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "portal.example",
                               "X-Forwarded-For": "203.0.113.9"})
    assert (seen["scheme"], seen["host"], seen["client"][0]) == (
        "https", "portal.example", "203.0.113.9")


def test_untrusted_peer_and_default_change_nothing() -> None:
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
               "X-Forwarded-Host": "evil.example"}
    for seen in (_seen("192.0.2.5", headers), _seen("127.0.0.1", headers, nets=[])):
        assert (seen["scheme"], seen["host"], seen["client"][0]) == (
            "http", "10.0.0.2:8000", seen["client"][0])
        assert seen["client"][0] in ("192.0.2.5", "127.0.0.1")


def test_client_is_the_rightmost_untrusted_hop() -> None:
    # The client wrote 198.51.100.1 itself; our proxies (10.x) appended the rest.
    seen = _seen("127.0.0.1", {"X-Forwarded-For": "198.51.100.1, 203.0.113.7, 10.1.2.3"})
    assert seen["client"][0] == "203.0.113.7"
    garbage = _seen("127.0.0.1", {"X-Forwarded-For": "not-an-ip"})
    assert garbage["client"][0] == "127.0.0.1"
    bad_host = _seen("127.0.0.1", {"X-Forwarded-Host": "a b/c"})
    assert bad_host["host"] == "10.0.0.2:8000"
