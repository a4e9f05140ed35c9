"""Request dependencies: one transaction per request, and who is asking.

The request's transaction ends before its answer leaves. `get_session` is a
dependency of scope "function" (FastAPI >= 0.121): its code after `yield`
runs when the endpoint returns, before the response is sent, rather than
after the body has gone out (the default "request" scope). So a commit that
fails turns into a 500 instead of a 200 that claims a write which never
happened, and an audit event is stored before the answer it explains (an
allowed download link included) reaches the client.

An endpoint that *returns* a response commits, whatever its status: a policy
denial answered 403 keeps its audit event. One that *raises* (a FixrightError
becoming a 4xx, or a bug becoming a 500) rolls back everything it did.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from fixright.accounts import service as accounts
from fixright.accounts.models import ROLE_ADMIN, ROLE_VIEWER
from fixright.accounts.service import Principal
from fixright.accounts.sessions import user_for_session
from fixright.audit import origin as request_origin
from fixright.db import session_scope, utcnow
from fixright.errors import Forbidden, Unauthorized

log = logging.getLogger(__name__)



# Marks a session that only reads (a GET's).
_READS = "fixright_reads"


def get_session(request: Request) -> Iterator[Session]:
    """The request's session; committed when the endpoint returns, rolled back if it raises.

    GET and HEAD read; every other method gets a session that, on SQLite, takes the
    write lock before its first read (`fixright.db.writer`).
    """
    state = request.app.state
    reads = request.method in ("GET", "HEAD")
    factory = getattr(state, "read_session_factory", None) if reads else None
    session: Session = (factory or state.session_factory)()
    if factory is not None:
        session.info[_READS] = True
    yield from _transaction(session)


def get_audit_session(request: Request, reads: SessionDep) -> Iterator[Session]:
    """A writer session for the audit event of a read request (a GET that decides,
    e.g. the entitlement check): a read transaction that then writes fails at once
    on SQLite ("database is locked") if another writer committed since it began.
    Its transaction begins at its first statement, so the write lock is held for
    the append alone, and commits when the endpoint returns, before the response:
    a failed commit is a 5xx, never a claim.

    The event is the last thing such a request does, so the request's read
    transaction ends as this one begins: a request holds one pooled connection
    at a time (holding a reader while waiting for a writer, 16 clients exhausted
    the pool and every request waited out the pool's timeout).
    """
    session: Session = request.app.state.session_factory()
    event.listen(session, "after_transaction_create", lambda *_: _end_read(reads), once=True)
    yield from _transaction(session)


def _end_read(reads: Session) -> None:
    # Runs before the writer's connection is checked out of the pool.
    if reads.in_transaction():
        reads.commit()


def _transaction(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
AuditSessionDep = Annotated[Session, Depends(get_audit_session, scope="function")]


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """The caller from a bearer token, or from the UI's session cookie; None if anonymous."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        row = accounts.valid_token(session, token.strip())
        now = utcnow()
        if accounts.token_use_due(row, now):
            if session.info.get(_READS):
                _record_use_apart(request, row.id, now)
            else:
                row.last_used = now
        return accounts.principal_for(row.user)
    # The cookie names a server-side session, so logout and account changes end it.
    cookie = request.scope.get("session") or {}
    user = user_for_session(session, cookie.get("sid"))
    return accounts.principal_for(user) if user is not None else None


class TokenUses:
    """When this application last wrote each token's `last_used` (`app.state.token_uses`).

    Every read that loaded the token before the first write finds its use due;
    one of them writes it.
    """

    def __init__(self) -> None:
        self._written: dict[int, datetime] = {}
        self._lock = threading.Lock()

    def claim(self, token_id: int, now: datetime) -> bool:
        """True for the one caller that should write the use of `token_id` at `now`."""
        with self._lock:
            last = self._written.get(token_id)
            if last is not None and now - last < accounts.LAST_USED_RESOLUTION:
                return False
            if len(self._written) > 10_000:  # bounded: tokens come and go
                self._written.clear()
            self._written[token_id] = now
            return True


def _record_use_apart(request: Request, token_id: int, now: datetime) -> None:
    # A read's session must not write: on SQLite a deferred transaction that
    # has read and then writes after another writer committed fails at once
    # with "database is locked" (busy timeout or not). So the once-a-minute
    # `last_used` goes in its own short writer transaction, and being
    # bookkeeping, a failure is logged rather than failing the read. One request
    # per token writes it: 16 clients that all found it due each held their
    # reader while waiting for a second connection, and the pool ran dry.
    uses = getattr(request.app.state, "token_uses", None)
    if uses is not None and not uses.claim(token_id, now):
        return
    try:
        with session_scope(request.app.state.session_factory) as writes:
            accounts.record_token_use(writes, token_id, now)
    except SQLAlchemyError:
        log.warning("could not record use of API token %s", token_id, exc_info=True)


def _noted(principal: Principal | None) -> Principal | None:
    # The access log names who asked; the middleware reads it back after the response.
    origin = request_origin.current()
    if origin is not None and principal is not None:
        origin.principal = principal.actor
    return principal


def noted_principal(request: Request, session: SessionDep) -> Principal | None:
    """`optional_principal`, remembered on the request's origin for the access log."""
    return _noted(optional_principal(request, session))


OptionalPrincipalDep = Annotated[Principal | None, Depends(noted_principal)]


def require_principal(principal: OptionalPrincipalDep) -> Principal:
    """The caller; 401 when anonymous."""
    if principal is None:
        raise Unauthorized("authentication required")
    return principal


PrincipalDep = Annotated[Principal, Depends(require_principal)]


def require_operator(principal: PrincipalDep) -> Principal:
    """The caller if it is the portal operator; 403 otherwise."""
    if not principal.is_operator:
        raise Forbidden("only the portal operator may do this")
    return principal


OperatorDep = Annotated[Principal, Depends(require_operator)]


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_viewer_writes(request: Request, principal: OptionalPrincipalDep) -> None:
    """403 for a `viewer` calling anything but a read; mounted on every router that writes."""
    if principal is not None and principal.role == ROLE_VIEWER \
            and request.method not in READ_METHODS:
        raise Forbidden(f"role {ROLE_VIEWER} may only read; {request.method} "
                        f"{request.url.path} needs role member or admin")


def require_writer(principal: PrincipalDep) -> Principal:
    """The caller unless its role only reads (`viewer`): 403 naming the role."""
    if principal.role == ROLE_VIEWER:
        raise Forbidden(f"role {ROLE_VIEWER} may only read")
    return principal


WriterDep = Annotated[Principal, Depends(require_writer)]


def require_admin(principal: PrincipalDep) -> Principal:
    """The caller if it administers its organisation (role `admin`); 403 otherwise."""
    if principal.role != ROLE_ADMIN:
        raise Forbidden(f"role {principal.role} may not manage users; role admin needed")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]
