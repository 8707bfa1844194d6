"""Control API routes for apps and webhooks (see control/webhooks.py), part of /_hubcrm/."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hubcrm.api.requests import decode, read_body, state
from hubcrm.api.responses import json_response
from hubcrm.control import webhooks as control_webhooks
from hubcrm.domain import apps


async def create_app(request: Request) -> Response:
    app = state(request)
    portal_id: int = request.path_params["portal_id"]
    body = decode(await read_body(request) or b"{}", control_webhooks.create_app_request)
    made = await apps.create_app(
        app.store,
        app.clock,
        portal_id,
        body.name,
        frozenset(body.scopes) if body.scopes is not None else None,
        tuple(body.redirect_uris) if body.redirect_uris is not None else None,
    )
    return json_response(control_webhooks.credentials(made), status=201)


async def deliveries(request: Request) -> Response:
    found = await state(request).store.webhook_deliveries(request.path_params["portal_id"])
    results = [control_webhooks.delivery(d) for d in found]
    return json_response(control_webhooks.DeliveryList(results=results))


async def events(request: Request) -> Response:
    found = await state(request).store.webhook_events(request.path_params["portal_id"])
    return json_response(
        control_webhooks.EventList(results=[control_webhooks.event(e) for e in found])
    )


async def deliver(request: Request) -> Response:
    deliverer = state(request).deliverer
    made = await deliverer.deliver_now() if deliverer is not None else 0
    return json_response(control_webhooks.Delivered(deliveries=made))


def routes(portal: str) -> list[Route]:
    return [
        Route(portal + "/apps", create_app, methods=["POST"]),
        Route(portal + "/webhooks/deliveries", deliveries, methods=["GET"]),
        Route(portal + "/webhooks/events", events, methods=["GET"]),
        Route("/webhooks/deliver", deliver, methods=["POST"]),
    ]
