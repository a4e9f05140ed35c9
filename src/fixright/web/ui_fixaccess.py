"""UI: the fix access page (each policy over a fleet), its drill-down, the activation preview.

The chart is inline SVG drawn on the server: no script, no CDN, no inline
style (the CSP forbids inline `<style>`; colours come from the stylesheet).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fixright.accounts.service import Principal
from fixright.entitlement import service as entitlement
from fixright.entitlement.policy import Policy
from fixright.errors import NotFound
from fixright.http.deps import SessionDep
from fixright.reports import fixaccess
from fixright.web.sessions import csrf_token
from fixright.web.templating import PAGE_SIZE, PageNumber, page_count, page_offset, render
from fixright.web.ui_auth import UiPrincipal

router = APIRouter(include_in_schema=False)


def _scope(session: SessionDep, principal: Principal, org: str | None) -> fixaccess.Scope:
    return fixaccess.scope_for(session, organization_id=principal.organization_id,
                               is_operator=principal.is_operator, slug=org or None)


@router.get("/fix-access", response_class=HTMLResponse)
def fix_access_page(request: Request, session: SessionDep, principal: UiPrincipal,
                    org: str | None = None) -> Response:
    """The active policy and every preset over the caller's fleet (the operator: any owner's
    or the whole portal's), as a chart and a table whose cells list their devices."""
    scope = _scope(session, principal, org)
    active, policies = fixaccess.policies_to_compare(session)
    columns = fixaccess.compare(session, scope, policies, today=date.today(), active=active)
    return render(request, "fix_access.html", principal, nav="fix-access", scope=scope,
                  columns=columns, categories=fixaccess.CATEGORIES,
                  via_contract=fixaccess.VIA_CONTRACT, active=active,
                  table_categories=(*fixaccess.CATEGORIES, fixaccess.VIA_CONTRACT),
                  owners=fixaccess.owners(session) if principal.is_operator else [],
                  total=columns[0].total if columns else 0,
                  link_org=scope.slug if principal.is_operator else None)


@router.get("/fix-access/{policy}/{category}", response_class=HTMLResponse)
def fix_access_cell(request: Request, session: SessionDep, principal: UiPrincipal,
                    policy: str, category: str, org: str | None = None,
                    page: PageNumber = 1) -> Response:
    """The devices of one cell of the table, a page at a time."""
    kind = fixaccess.BY_SLUG.get(category)
    if kind is None:
        raise NotFound(f"no category {category!r}; known: {', '.join(fixaccess.BY_SLUG)}")
    chosen = entitlement.get_policy(session, policy)
    scope = _scope(session, principal, org)
    active, policies = fixaccess.policies_to_compare(session)
    # The page's own comparison when the policy is on it: a warm answer for each cell.
    if chosen not in policies:
        policies = [chosen]
    columns = fixaccess.compare(session, scope, policies, today=date.today(), active=active)
    column = columns[policies.index(chosen)]
    ids = column.devices.get(kind.cell, [])
    page, offset = page_offset(page)
    devices = fixaccess.devices_by_id(session, ids[offset:offset + PAGE_SIZE])
    return render(request, "fix_access_devices.html", principal, nav="fix-access",
                  scope=scope, policy=chosen, category=kind, devices=devices, total=len(ids),
                  page=page, pages=page_count(len(ids)),
                  params={"org": scope.slug} if principal.is_operator and scope.slug else {})


# -- the preview before activating a policy --------------------------------------------

def confirm_token(request: Request, text: str) -> str:
    """Binds a confirmation to this session and to the exact policy text previewed."""
    key = str(request.app.state.secret_key).encode()
    message = f"policy-confirm\0{csrf_token(request)}\0{text}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def confirmed(request: Request, text: str, token: str | None) -> bool:
    """Whether `token` is this session's confirmation of `text`."""
    return bool(token) and hmac.compare_digest(confirm_token(request, text), str(token))


def render_preview(request: Request, session: SessionDep, principal: Principal,
                   proposed: Policy, *, name: str, toml: str) -> Response:
    """The active and the proposed policy over every owner's devices, with the changes,
    and a form that activates the proposed one."""
    active_name, current = entitlement.active_policy(session)
    scope = fixaccess.scope_for(session, organization_id=principal.organization_id,
                                is_operator=principal.is_operator, slug=None)
    columns = fixaccess.compare(session, scope, [current, proposed], today=date.today(),
                                active=active_name)
    return render(request, "policy_preview.html", principal, nav="policy", scope=scope,
                  current=columns[0], proposed=columns[1], policy=proposed,
                  rows=fixaccess.preview(columns[0], columns[1]),
                  same=proposed.name == active_name, name=name, toml=toml,
                  confirm=confirm_token(request, toml or name))
