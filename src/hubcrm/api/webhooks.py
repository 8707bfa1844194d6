"""HubSpot's webhooks API, /webhooks/v3/{appId}/...: an app's settings and subscriptions,
authenticated by the app's developer API key in `hapikey` (not a portal's token)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from hubcrm.api.requests import read_json, state
from hubcrm.api.responses import json_response
from hubcrm.domain import apps
from hubcrm.domain.clock import format_ms
from hubcrm.domain.webhooks import subscriptions as domain
from hubcrm.domain.webhooks.events import GENERIC
from hubcrm.protocol import apps as wire
from hubcrm.store.base import App, Subscription


async def _app(request: Request) -> App:
    hapikey = request.query_params.get("hapikey")
    return await apps.developer_app(state(request).store, request.path_params["app_id"], hapikey)


def _settings(found: domain.Settings, period: str | None = None) -> wire.SettingsResponse:
    return wire.SettingsResponse(
        target_url=found.target_url,
        throttling=wire.Throttling(max_concurrent_requests=found.max_concurrent, period=period),
        created_at=format_ms(found.created_at),
        updated_at=format_ms(found.updated_at) if found.updated_at is not None else None,
    )


def subscription_body(s: Subscription) -> wire.SubscriptionResponse:
    generic = s.event_type.startswith(GENERIC + ".")
    return wire.SubscriptionResponse(
        id=str(s.subscription_id),
        event_type=s.event_type,
        active=s.active,
        created_at=format_ms(s.created_at),
        property_name=s.property_name or None,
        object_type_id=s.object_type_id if generic else None,
        updated_at=format_ms(s.updated_at),
    )


async def settings(request: Request) -> Response:
    app = await _app(request)
    store, clock = state(request).store, state(request).clock
    if request.method == "DELETE":
        await domain.clear_settings(store, clock, app)
        return Response(status_code=204)
    if request.method == "PUT":
        body = await read_json(request, wire.settings_request)
        found = await domain.put_settings(
            store, clock, app, body.target_url, body.throttling.max_concurrent_requests
        )
        return json_response(_settings(found, body.throttling.period))
    return json_response(_settings(domain.settings_of(app)))


async def subscriptions(request: Request) -> Response:
    app = await _app(request)
    store, clock = state(request).store, state(request).clock
    if request.method == "POST":
        body = await read_json(request, wire.subscription_create)
        made = await domain.subscribe(
            store, clock, app, body.event_type, body.property_name, body.object_type_id, body.active
        )
        return json_response(subscription_body(made), status=201)
    found = await store.subscriptions(app.app_id)
    return json_response(wire.SubscriptionList(results=[subscription_body(s) for s in found]))


async def subscription(request: Request) -> Response:
    app = await _app(request)
    store, clock = state(request).store, state(request).clock
    subscription_id = request.path_params["subscription_id"]
    if request.method == "DELETE":
        await domain.unsubscribe(store, app, subscription_id)
        return Response(status_code=204)
    found = await domain.subscription(store, app, subscription_id)
    if request.method == "PATCH":
        body = await read_json(request, wire.subscription_patch)
        (found,) = await domain.set_active(store, clock, app, {found.subscription_id: body.active})
    return json_response(subscription_body(found))


async def batch_update(request: Request) -> Response:
    app = await _app(request)
    store, clock = state(request).store, state(request).clock
    started = clock.now_ms()
    body = await read_json(request, wire.subscription_batch_request)
    changed = await domain.set_active(store, clock, app, {i.id: i.active for i in body.inputs})
    return json_response(
        wire.SubscriptionBatchResponse(
            status="COMPLETE",
            results=[subscription_body(s) for s in changed],
            started_at=format_ms(started),
            completed_at=format_ms(clock.now_ms()),
        )
    )


# HubSpot serves the webhooks API under v3 and under a dated API version too.
PREFIXES = ("/webhooks/v3/{app_id}", "/webhooks/2026-03/{app_id}")


def routes() -> list[Mount]:
    return [
        Mount(
            prefix,
            routes=[
                Route("/settings", settings, methods=["GET", "PUT", "DELETE"]),
                Route("/subscriptions", subscriptions, methods=["GET", "POST"]),
                Route("/subscriptions/batch/update", batch_update, methods=["POST"]),
                Route(
                    "/subscriptions/{subscription_id}",
                    subscription,
                    methods=["GET", "PATCH", "DELETE"],
                ),
            ],
        )
        for prefix in PREFIXES
    ]
