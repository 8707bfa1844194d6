"""The ASGI application: routes, the correlation id of every request, and error mapping."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubcrm.api import errors, objects
from hubcrm.api.access import RateLimitHeaders
from hubcrm.api.responses import CORRELATION_HEADER
from hubcrm.api.state import AppState
from hubcrm.auth import Authenticator
from hubcrm.clock import Clock, SystemClock
from hubcrm.errors import HubSpotError
from hubcrm.ratelimit import Limiter, Limits, MemoryCounters
from hubcrm.records import Records
from hubcrm.settings import Settings
from hubcrm.store import open_store

# HubSpot serves each objects route under /crm/v3 and under dated API versions.
OBJECTS_PREFIXES = ("/crm/v3/objects", "/crm/objects/2026-03")


def _routes() -> list[Route]:
    routes = []
    for prefix in OBJECTS_PREFIXES:
        routes += [
            Route(prefix + "/{object_type}/batch/upsert", objects.batch_upsert, methods=["POST"]),
            Route(prefix + "/{object_type}/{record_id}", objects.get_record, methods=["GET"]),
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
        authenticator = Authenticator(store, clock, settings.auth)
        limiter = Limiter(_limits(settings), store.shared_rate_counters() or MemoryCounters())
        app.state.hubcrm = AppState(settings, store, clock, records, authenticator, limiter)
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
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(CorrelationMiddleware)
    return app


def _limits(settings: Settings) -> Limits:
    return Limits.of(
        settings.rate_limit,
        window_ms=settings.rate_limit_window_ms,
        burst=settings.rate_limit_burst,
        daily=settings.rate_limit_daily,
        search_per_second=settings.rate_limit_search_per_second,
    )
