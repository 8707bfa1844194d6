"""The ASGI application: routes, the correlation id of every request, and error mapping."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubcrm.api import errors, objects, properties
from hubcrm.api.responses import CORRELATION_HEADER
from hubcrm.api.state import AppState
from hubcrm.clock import Clock, SystemClock
from hubcrm.errors import HubSpotError
from hubcrm.objects import OBJECT_TYPES
from hubcrm.property_definitions import PropertyDefinitions
from hubcrm.records import Records
from hubcrm.settings import Settings
from hubcrm.store import open_store

# HubSpot serves each route under /crm/v3 and under dated API versions.
OBJECTS_PREFIXES = ("/crm/v3/objects", "/crm/objects/2026-03")
PROPERTIES_PREFIXES = ("/crm/v3/properties", "/crm/properties/2026-03")


def _routes() -> list[Route]:
    routes = []
    for prefix in OBJECTS_PREFIXES:
        base = prefix + "/{object_type}"
        routes += [
            Route(base, objects.list_records, methods=["GET"]),
            Route(base, objects.create_record, methods=["POST"]),
            Route(base + "/batch/upsert", objects.batch_upsert, methods=["POST"]),
            Route(base + "/batch/create", objects.batch_create, methods=["POST"]),
            Route(base + "/batch/update", objects.batch_update, methods=["POST"]),
            Route(base + "/batch/archive", objects.batch_archive, methods=["POST"]),
            Route(base + "/batch/read", objects.batch_read, methods=["POST"]),
            Route(base + "/search", objects.search, methods=["POST"]),
            Route(base + "/{record_id}", objects.get_record, methods=["GET"]),
            Route(base + "/{record_id}", objects.update_record, methods=["PATCH"]),
            Route(base + "/{record_id}", objects.archive_record, methods=["DELETE"]),
        ]
    for prefix in PROPERTIES_PREFIXES:
        base = prefix + "/{object_type}"
        routes += [
            Route(base, properties.list_properties, methods=["GET"]),
            Route(base, properties.create_property, methods=["POST"]),
            Route(base + "/{name}", properties.get_property, methods=["GET"]),
            Route(base + "/{name}", properties.update_property, methods=["PATCH"]),
            Route(base + "/{name}", properties.archive_property, methods=["DELETE"]),
        ]
    return routes


class CorrelationMiddleware:
    """Gives every request a correlation id and every response the header that carries it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation = str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((CORRELATION_HEADER.lower().encode(), correlation.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)


def create_app(settings: Settings, clock: Clock | None = None) -> Starlette:
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = await open_store(settings.database)
        records = Records(store, clock, email_partial_upserts=settings.email_partial_upserts)
        await records.index_unindexed(OBJECT_TYPES)
        app.state.hubcrm = AppState(
            settings, store, clock, records, PropertyDefinitions(store, clock)
        )
        try:
            yield
        finally:
            await store.close()

    app = Starlette(
        routes=_routes(),
        lifespan=lifespan,
        exception_handlers={
            HubSpotError: errors.hubspot_error,
            HTTPException: errors.http_error,
            Exception: errors.unexpected_error,
        },
    )
    app.add_middleware(CorrelationMiddleware)
    return app
