"""Request dependencies: one transaction per request, and who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from fixright.accounts import service as accounts
from fixright.accounts.service import Principal
from fixright.errors import Forbidden, Unauthorized


def get_session(request: Request) -> Iterator[Session]:
    """The request's session; committed when the endpoint returns, rolled back on error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """The caller from a bearer token, or from the UI's session cookie; None if anonymous."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        return accounts.principal_for(accounts.authenticate_token(session, token.strip()))
    user_id = request.scope.get("session", {}).get("user_id") if "session" in request.scope else None
    if user_id:
        from fixright.accounts.models import User

        user = session.get(User, user_id)
        if user is not None and not user.disabled:
            return accounts.principal_for(user)
    return None


def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("authentication required")
    return principal


PrincipalDep = Annotated[Principal, Depends(require_principal)]


def require_operator(principal: PrincipalDep) -> Principal:
    if not principal.is_operator:
        raise Forbidden("only the portal operator may do this")
    return principal


OperatorDep = Annotated[Principal, Depends(require_operator)]
