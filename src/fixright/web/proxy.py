"""Forwarded headers, believed only from the proxies the operator named.

`FIXRIGHT_TRUSTED_PROXIES` lists addresses or CIDRs. When the peer of a
connection is one of them, `X-Forwarded-Proto` sets the scheme (so the
session cookie gets `Secure` and HSTS is sent), `X-Forwarded-Host` the host
(so links point at the public name) and `X-Forwarded-For` the client address
(so the audit log records who asked, not the proxy). From any other peer the
headers are ignored, and by default no peer is trusted: a client cannot
choose its own address by sending a header. The servers' own proxy-header
handling is switched off (`fixright serve`) so that this is the only one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _is_trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def _client_from(forwarded_for: str, networks: Sequence[Network]) -> str | None:
    """The rightmost address that is not a trusted proxy: the one our first proxy saw.

    Addresses to its left were written by the client and prove nothing.
    """
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return None  # garbage in the chain: believe none of it
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else None


class TrustedProxies:
    """ASGI middleware: rewrite scheme, host and client from a trusted proxy's headers."""

    def __init__(self, app: ASGIApp, networks: Sequence[Network]) -> None:
        self.app = app
        self.networks = list(networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self.networks:
            await self.app(scope, receive, send)
            return
        peer = scope.get("client")
        if not peer or not _is_trusted(peer[0], self.networks):
            await self.app(scope, receive, send)
            return
        headers = {k: v for k, v in scope.get("headers", ())}
        scope = dict(scope)
        proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[0].strip()
        if proto in ("http", "https"):
            scope["scheme"] = ("wss" if proto == "https" else "ws") \
                if scope["type"] == "websocket" else proto
        host = headers.get(b"x-forwarded-host", b"").decode("latin-1").split(",")[0].strip()
        if host and all(c.isalnum() or c in ".-:[]" for c in host):
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [
                (b"host", host.encode("latin-1"))]
        forwarded_for = headers.get(b"x-forwarded-for", b"").decode("latin-1")
        client = _client_from(forwarded_for, self.networks) if forwarded_for else None
        if client:
            scope["client"] = (client, 0)
        await self.app(scope, receive, send)


class RootPath:
    """Serve under a path prefix (`FIXRIGHT_ROOT_PATH`, e.g. a proxy forwarding
    `/fixright/...` unchanged): the prefix becomes each request's `root_path`, which
    routing strips and every link the app makes carries. FastAPI's own `root_path`
    argument is deprecated in favour of the server's; doing it here keeps it one
    setting whichever server runs the app."""

    def __init__(self, app: ASGIApp, root_path: str) -> None:
        self.app = app
        self.root_path = root_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["root_path"] = self.root_path
        await self.app(scope, receive, send)
