"""`/api/v1/me`: who the caller is."""

from __future__ import annotations

from fastapi import APIRouter

from fixright.accounts.schemas import Me
from fixright.http.deps import PrincipalDep

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=Me)
def me(principal: PrincipalDep) -> Me:
    """The authenticated user and organisation."""
    return Me(
        email=principal.email,
        organization=principal.organization_slug,
        role=principal.role,
        operator=principal.is_operator,
    )
