"""`/api/v1/alerts`: an organisation's alert subscriptions, for its admins."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from fixright.alerts import service
from fixright.alerts.channels import deliver
from fixright.alerts.schemas import (
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
)
from fixright.db import utcnow
from fixright.http.deps import AdminDep, SessionDep

router = APIRouter(tags=["alerts"])


@router.get("/alerts", response_model=list[SubscriptionOut])
def list_alerts(session: SessionDep, admin: AdminDep) -> list[SubscriptionOut]:
    """The caller's organisation's subscriptions."""
    return [SubscriptionOut.model_validate(s)
            for s in service.list_subscriptions(session, admin.organization_id)]


@router.post("/alerts", response_model=SubscriptionCreated, status_code=201)
def add_alert(body: SubscriptionIn, session: SessionDep, admin: AdminDep) -> SubscriptionCreated:
    """Subscribe an e-mail address or a webhook; a webhook's secret is in the answer, once."""
    sub = service.add_subscription(
        session, admin.organization_id, kind=body.kind, target=body.target, actor=admin.actor,
        min_severity=body.min_severity, kev_only=body.kev_only, days=body.days,
        digest=body.digest)
    return SubscriptionCreated(**SubscriptionOut.model_validate(sub).model_dump(),
                               secret=sub.secret)


@router.delete("/alerts/{subscription_id}", status_code=204,
               responses={404: {"description": "No such subscription in your organisation"}})
def remove_alert(subscription_id: int, session: SessionDep, admin: AdminDep) -> Response:
    service.remove_subscription(session, admin.organization_id, subscription_id,
                                actor=admin.actor)
    return Response(status_code=204)


@router.get("/alerts/{subscription_id}/deliveries", response_model=list[DeliveryOut])
def alert_deliveries(subscription_id: int, session: SessionDep, admin: AdminDep
                     ) -> list[DeliveryOut]:
    """The subscription's last 100 deliveries, newest first."""
    service.get_subscription(session, admin.organization_id, subscription_id)
    return [DeliveryOut.model_validate(d)
            for d in service.deliveries(session, admin.organization_id, subscription_id)]


@router.post("/alerts/{subscription_id}/test", response_model=DeliveryOut)
async def test_alert(subscription_id: int, request: Request, session: SessionDep,
                     admin: AdminDep) -> DeliveryOut:
    """Send a sample message now; the outcome is logged and returned."""
    settings = request.app.state.settings
    sub = service.get_subscription(session, admin.organization_id, subscription_id)
    outgoing = service.test_message(session, sub, settings.public_url)
    # One attempt: the request (and on SQLite its write lock) must not wait out the back-off.
    once = settings.model_copy(update={"alert_attempts": 1})
    outcome = await run_in_threadpool(deliver, once, outgoing.channel, outgoing.target,
                                      outgoing.secret, outgoing.message)
    row = service.record_delivery(session, outgoing, status=outcome.status,
                                  attempts=outcome.attempts, error=outcome.error,
                                  now=utcnow(), advance=False)
    return DeliveryOut.model_validate(row)
