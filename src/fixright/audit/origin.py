"""Where the current request came from, for the audit log and the access log.

The web app sets one `RequestOrigin` per request (after resolving trusted
proxies); `record` adds its client address to every event written inside that
request, so no route has to pass the address down. The object is mutable and
shared by reference, so what a dependency running in a worker thread notes on
it (the principal, the events written) is visible to the middleware that
created it. Outside a request (the CLI) there is none.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestOrigin:
    """One HTTP request: its client address, its id, and what it did."""

    client: str
    request_id: str
    principal: str = "-"
    events: list[tuple[str, Any]] = field(default_factory=list)


_current: ContextVar[RequestOrigin | None] = ContextVar("fixright_request_origin", default=None)


def current() -> RequestOrigin | None:
    """The request being served, or None outside one."""
    return _current.get()


def begin(origin: RequestOrigin) -> Token[RequestOrigin | None]:
    """Make `origin` current; returns the token `end` needs."""
    return _current.set(origin)


def end(token: Token[RequestOrigin | None]) -> None:
    """Restore what was current before `begin`."""
    _current.reset(token)
