"""`/api/v1/policy`, `/api/v1/policies` and `/api/v1/images/{id}/entitlement`.

The active policy is public (anyone may read what the portal grants, in
plain words); setting it is the operator's. The entitlement check is the same
decision a download makes, recorded in the audit log, without making a link.
"""

from __future__ import annotations

import tomllib

from fastapi import APIRouter

from fixright.catalog.visibility import visible_image
from fixright.entitlement import service
from fixright.entitlement.policy import load_policy
from fixright.entitlement.schemas import DecisionOut, PolicyOut, PolicySetIn, PolicySummaryOut
from fixright.errors import InvalidInput, NotFound
from fixright.http.deps import AuditSessionDep, OperatorDep, PrincipalDep, SessionDep
from fixright.http.params import IdPath
from fixright.tomltext import load_toml

router = APIRouter(tags=["policy"])

_TOML_SOURCE = "toml"


def _active(session: SessionDep) -> PolicyOut:
    name, policy = service.active_policy(session)
    return PolicyOut.of(policy, service.policy_text(session, name), active=True)


@router.get("/policy", response_model=PolicyOut)
def get_policy(session: SessionDep) -> PolicyOut:
    """The active policy: its name, plain-language description and grants, and its TOML.
    Public: no authentication needed."""
    return _active(session)


@router.get("/policies", response_model=list[PolicySummaryOut])
def list_policies(session: SessionDep, _principal: PrincipalDep) -> list[PolicySummaryOut]:
    """The presets shipped with fixright and the stored policies; which one is active."""
    active, _ = service.active_policy(session)
    return [PolicySummaryOut(**{**row, "active": row["name"] == active})
            for row in service.list_policies(session)]


def _named_toml(text: str, name: str | None) -> str:
    """The TOML to store: with `name` added when it has none; a different name is refused."""
    try:
        data = load_toml(text, _TOML_SOURCE)
    except tomllib.TOMLDecodeError:
        return text if "\n" in text else text + "\n"  # the service names the line at fault
    # Validate as sent first, so errors name the lines the caller wrote.
    load_policy(text, source=_TOML_SOURCE, name=name)
    own = data.get("name")
    if name is not None and own is not None and own != name:
        raise InvalidInput(f"{_TOML_SOURCE}: the policy is named {own!r}, 'name' says {name!r}")
    if own is None and name is not None:
        # A top-level key must come before the first table: put it first.
        text = f"name = {_toml_string(name)}\n{text}"
    return text if "\n" in text else text + "\n"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@router.put("/policy", response_model=PolicyOut,
            responses={403: {"description": "Only the portal operator sets the policy"}})
def set_policy(body: PolicySetIn, session: SessionDep, operator: OperatorDep) -> PolicyOut:
    """Make a policy active (operator only): a preset or stored policy by `name`, or a new
    TOML policy (validated, stored under its name). Recorded in the audit log."""
    if body.toml is not None:
        argument, source = _named_toml(body.toml, body.name), _TOML_SOURCE
    else:
        assert body.name is not None
        argument, source = body.name, "name"
    try:
        service.set_active_policy(session, argument, actor=operator.actor, source=source)
    except NotFound as exc:  # an unknown name in the body is a mistake in the request
        raise InvalidInput(exc.message) from None
    return _active(session)


@router.get("/images/{image_id}/entitlement", response_model=DecisionOut, tags=["catalog"])
def check_entitlement(image_id: IdPath, session: SessionDep, principal: PrincipalDep,
                      audit_session: AuditSessionDep) -> DecisionOut:
    """May the caller's organisation download this image under the active policy? The
    decision and its reasons, recorded in the audit log; no link is made. 404 for an image
    the caller may not see."""
    image = visible_image(session, principal, image_id)
    decision = service.decide(session, principal.organization_id, image, actor=principal.actor,
                              organization=principal.organization_slug,
                              audit_session=audit_session)
    return DecisionOut.of(decision)
