"""The ASGI application: routes, the correlation id of every request, and error mapping."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubcrm.api import (
    associations,
    control,
    errors,
    health,
    metrics,
    oauth,
    objects,
    pipelines,
    properties,
    schemas,
    webhook_client,
    webhooks,
)
from hubcrm.api.access import RateLimitHeaders
from hubcrm.api.faulting import FaultMiddleware
from hubcrm.api.journaling import JournalMiddleware
from hubcrm.api.legacy.paths import TrailingSlash
from hubcrm.api.legacy.routes import routes as legacy_routes
from hubcrm.api.limits import HeadLimit
from hubcrm.api.observing import ObservingMiddleware
from hubcrm.api.responses import CORRELATION_HEADER
from hubcrm.api.scope import PortalLookup, PortalScopeMiddleware
from hubcrm.api.state import AppState
from hubcrm.control.faults import Faults
from hubcrm.control.journal import Journal
from hubcrm.control.service import Control
from hubcrm.domain.auth import Authenticator
from hubcrm.domain.clock import Clock, ControlledClock
from hubcrm.domain.ids import IdSource
from hubcrm.domain.pipelines import check_references
from hubcrm.domain.properties import PropertyDefinitions
from hubcrm.domain.ratelimit import Limiter, Limits, MemoryCounters
from hubcrm.domain.records import Records
from hubcrm.domain.schemas import ObjectSchemas
from hubcrm.domain.webhooks import events
from hubcrm.domain.webhooks.delivery import Deliverer
from hubcrm.protocol import messages
from hubcrm.protocol.errors import HubSpotError
from hubcrm.runtime.settings import Settings, is_loopback
from hubcrm.store import open_store
from hubcrm.store.base import Backpressure, Store
from hubcrm.store.errors import StoreUnavailable
from hubcrm.ui import mount as mount_ui

# HubSpot serves each objects route under /crm/v3 and under dated API versions.
# /crm/v4/objects serves the same objects API: undocumented, but SINGER reads tickets there on
# every sync (hubspot-legacy-apis.md §9).
OBJECTS_PREFIXES = ("/crm/v3/objects", "/crm/objects/2026-03", "/crm/v4/objects")
PROPERTIES_PREFIXES = ("/crm/v3/properties", "/crm/properties/2026-03")
# How long shutdown waits for the search indexer to finish the chunk it is catching up.
INDEXER_STOP_SECONDS = 5.0
SCHEMAS_PREFIXES = ("/crm/v3/schemas", "/crm-object-schemas/v3/schemas")
# Where a deterministic run's clock starts: 2026-01-01T00:00:00.000Z.
DETERMINISTIC_START_MS = 1_767_225_600_000


def _routes(settings: Settings) -> list[BaseRoute]:
    routes = health.routes(settings.metrics == "on" and not settings.metrics_port)
    routes += control.routes() if settings.control else control.disabled_routes()
    # The web UI (src/hubcrm/ui/): pages over the same domain, at /ui/.
    routes.append(mount_ui(tls_terminator=settings.tls_terminator))
    return routes + list(_api_routes())


@cache
def _api_routes() -> tuple[BaseRoute, ...]:
    """The HubSpot API's routes, the same for every app: built (their paths compiled) once per
    process, since a route holds no state of an app's."""
    routes: list[BaseRoute] = []
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
    routes += _association_routes()
    routes += legacy_routes()
    for prefix in PROPERTIES_PREFIXES:
        base = prefix + "/{object_type}"
        routes += [
            Route(base, properties.list_properties, methods=["GET"]),
            Route(base, properties.create_property, methods=["POST"]),
            Route(base + "/{name}", properties.get_property, methods=["GET"]),
            Route(base + "/{name}", properties.update_property, methods=["PATCH"]),
            Route(base + "/{name}", properties.archive_property, methods=["DELETE"]),
        ]
    # The schemas API (custom object types), where HubSpot's docs and its SDK call it
    for prefix in SCHEMAS_PREFIXES:
        routes += [
            Route(prefix, schemas.list_schemas, methods=["GET"]),
            Route(prefix, schemas.create_schema, methods=["POST"]),
            Route(prefix + "/{object_type}", schemas.get_schema, methods=["GET"]),
            Route(prefix + "/{object_type}", schemas.update_schema, methods=["PATCH"]),
            Route(prefix + "/{object_type}", schemas.archive_schema, methods=["DELETE"]),
        ]
    # Apps: OAuth and the webhooks API, whose credentials are not portal tokens (no ROUTE_ACCESS).
    routes += oauth.routes() + webhooks.routes()
    return (*routes, *_pipeline_routes())


PIPELINES_PREFIXES = ("/crm/v3/pipelines", "/crm/pipelines/2026-03")
OWNERS_PREFIXES = ("/crm/v3/owners", "/crm/owners/2026-03")


def _pipeline_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for prefix in PIPELINES_PREFIXES:
        base = prefix + "/{object_type}"
        one = base + "/{pipeline_id}"
        stage = one + "/stages/{stage_id}"
        routes += [
            Route(base, pipelines.list_pipelines, methods=["GET"]),
            Route(base, pipelines.create_pipeline, methods=["POST"]),
            Route(one, pipelines.get_pipeline, methods=["GET"]),
            Route(one, pipelines.replace_pipeline, methods=["PUT"]),
            Route(one, pipelines.update_pipeline, methods=["PATCH"]),
            Route(one, pipelines.archive_pipeline, methods=["DELETE"]),
            Route(one + "/audit", pipelines.pipeline_audit, methods=["GET"]),
            Route(one + "/stages", pipelines.list_stages, methods=["GET"]),
            Route(one + "/stages", pipelines.create_stage, methods=["POST"]),
            Route(stage, pipelines.get_stage, methods=["GET"]),
            Route(stage, pipelines.replace_stage, methods=["PUT"]),
            Route(stage, pipelines.update_stage, methods=["PATCH"]),
            Route(stage, pipelines.archive_stage, methods=["DELETE"]),
            Route(stage + "/audit", pipelines.stage_audit, methods=["GET"]),
        ]
    for prefix in OWNERS_PREFIXES:
        routes += [
            # The SDKs call the listing with a trailing slash.
            Route(prefix, pipelines.list_owners, methods=["GET"]),
            Route(prefix + "/", pipelines.list_owners, methods=["GET"]),
            Route(prefix + "/{owner_id}", pipelines.get_owner, methods=["GET"]),
        ]
    return routes


# Associations: v4 per record under /crm/v4/objects, v4 batches and labels under
# /crm/v4/associations (labels also under /crm/associations/v4, the spec's path), v3 batches;
# merge and GDPR delete beside the objects routes.
V4_OBJECTS_PREFIXES = ("/crm/v4/objects", "/crm/objects/2026-03")
V4_ASSOCIATIONS_PREFIXES = (
    "/crm/v4/associations",
    "/crm/associations/v4",
    "/crm/associations/2026-09",
)


def _association_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for prefix in OBJECTS_PREFIXES:
        base = prefix + "/{object_type}"
        routes += [
            Route(base + "/merge", associations.merge_records, methods=["POST"]),
            Route(base + "/gdpr-delete", associations.gdpr_delete, methods=["POST"]),
        ]
    for prefix in V4_OBJECTS_PREFIXES:
        one = prefix + "/{from_type}/{from_id}/associations"
        routes += [
            Route(
                one + "/default/{to_type}/{to_id}",
                associations.put_default_association,
                methods=["PUT"],
            ),
            Route(one + "/{to_type}", associations.list_associations, methods=["GET"]),
            Route(one + "/{to_type}/{to_id}", associations.put_association_labels, methods=["PUT"]),
            Route(one + "/{to_type}/{to_id}", associations.delete_associations, methods=["DELETE"]),
        ]
    for prefix in V4_ASSOCIATIONS_PREFIXES:
        pair = prefix + "/{from_type}/{to_type}"
        routes += [
            Route(pair + "/batch/create", associations.batch_create_associations, methods=["POST"]),
            Route(
                pair + "/batch/associate/default",
                associations.batch_default_associations,
                methods=["POST"],
            ),
            Route(pair + "/batch/read", associations.batch_read_associations, methods=["POST"]),
            Route(
                pair + "/batch/archive", associations.batch_archive_associations, methods=["POST"]
            ),
            Route(
                pair + "/batch/labels/archive",
                associations.batch_archive_association_labels,
                methods=["POST"],
            ),
            Route(pair + "/labels", associations.list_association_labels, methods=["GET"]),
            Route(pair + "/labels", associations.create_association_label, methods=["POST"]),
            Route(pair + "/labels", associations.update_association_label, methods=["PUT"]),
            Route(
                pair + "/labels/{type_id}",
                associations.delete_association_label,
                methods=["DELETE"],
            ),
        ]
    pair = "/crm/v3/associations/{from_type}/{to_type}"
    routes += [
        Route(pair + "/batch/create", associations.v3_batch_create_associations, methods=["POST"]),
        Route(pair + "/batch/read", associations.v3_batch_read_associations, methods=["POST"]),
        Route(
            pair + "/batch/archive", associations.v3_batch_archive_associations, methods=["POST"]
        ),
    ]
    return routes


class CorrelationMiddleware:
    """Gives every request a correlation id and every response the header that carries it."""

    def __init__(self, app: ASGIApp, new_id: Callable[[], str]) -> None:
        self.app = app
        self.new_id = new_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation = self.new_id()
        scope.setdefault("state", {})["correlation_id"] = correlation

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((CORRELATION_HEADER.lower().encode(), correlation.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)


class WakeDeliverer:
    """After a write is answered (so committed), the webhook deliverer looks for its events, if
    it recorded any (events.Recorded moved while the request ran)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        recorded = events.Recorded.count

        async def send_and_wake(message: Message) -> None:
            await send(message)
            if (
                message["type"] == "http.response.start"
                and message["status"] < 400
                and events.Recorded.count != recorded
            ):
                deliverer = scope["app"].state.hubcrm.deliverer
                if deliverer is not None:
                    deliverer.wake()

        await self.app(scope, receive, send_and_wake)


def create_app(settings: Settings, clock: Clock | None = None) -> Starlette:
    if settings.control and not settings.admin_token and not is_loopback(settings.host):
        raise ValueError(messages.CONTROL_NEEDS_ADMIN_TOKEN.format(host=settings.host))
    start = DETERMINISTIC_START_MS if settings.deterministic else None
    clock = ControlledClock(clock, frozen_at=start)
    ids = IdSource(settings.deterministic)
    # Fault rules that fire with a probability draw from one generator, seeded when deterministic.
    rng = random.Random(0) if settings.deterministic else random.Random()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = await open_store(
            settings.database,
            backpressure=Backpressure(settings.write_queue_limit, settings.write_queue_timeout),
        )
        records = Records(
            store,
            clock,
            email_partial_upserts=settings.email_partial_upserts,
            search_delay_ms=settings.search_delay,
        )
        pipelines, owners = check_references(records)
        indexing = asyncio.create_task(records.indexer.run(), name="hubcrm-search-indexer")
        sampling = _observe(settings, store, records)
        authenticator = Authenticator(store, clock, settings.auth)
        limiter = Limiter(_limits(settings), store.shared_rate_counters() or MemoryCounters())
        journal = Journal(settings.journal_size, settings.journal_body_bytes)
        controls = Control(store, clock, ids, journal, Faults(rng))
        deliverer = Deliverer(
            store,
            webhook_client.post,
            retry_scale=settings.webhook_retry_scale,
            timeout_s=settings.webhook_timeout,
        )
        delivering = asyncio.create_task(deliverer.run(), name="hubcrm-webhook-deliverer")
        app.state.hubcrm = AppState(
            settings,
            store,
            clock,
            records,
            authenticator,
            limiter,
            controls,
            PortalLookup(store),
            PropertyDefinitions(store, clock),
            ObjectSchemas(store, clock, records.types),
            pipelines,
            owners,
            deliverer,
        )
        try:
            yield
        finally:
            # Shutting down, after the requests in flight have their answers (api/server.py).
            # The search indexer stops between transactions; the webhook deliverer and the
            # metrics sampler are cancelled (a delivery cut short is leased, and retried later);
            # then the store commits what was acknowledged and closes.
            await records.indexer.stop(INDEXER_STOP_SECONDS)
            for task in (indexing, sampling, delivering):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await store.close()

    app = Starlette(
        routes=_routes(settings),
        lifespan=lifespan,
        exception_handlers={
            HubSpotError: errors.hubspot_error,
            StoreUnavailable: errors.store_unavailable,
            HTTPException: errors.http_error,
            Exception: errors.unexpected_error,
        },
    )
    # Outermost last: the portal is known first, then the correlation id; the journal sees the
    # answers fault rules give.
    app.add_middleware(WakeDeliverer)
    app.add_middleware(HeadLimit, max_bytes=settings.max_header_bytes)
    app.add_middleware(FaultMiddleware)
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(JournalMiddleware)
    app.add_middleware(control.AdminTokenMiddleware, admin_token=settings.admin_token)
    app.add_middleware(CorrelationMiddleware, new_id=ids.correlation_id)
    app.add_middleware(PortalScopeMiddleware)
    app.add_middleware(ObservingMiddleware, log_requests=settings.log_format == "json")
    app.add_middleware(TrailingSlash)
    app.add_middleware(errors.StoreFaultMiddleware)  # outermost: faults of the database → 503
    return app


# Metrics: the lower layers' hooks lead to api/metrics.py; the gauges are sampled every second.
SAMPLE_SECONDS = 1.0


def _observe(settings: Settings, store: Store, records: Records) -> asyncio.Task[None]:
    records.on_written = metrics.records_written
    records.on_batch = metrics.batch_size
    records.indexer.on_caught_up = metrics.search_caught_up
    store.observe_commit_groups(metrics.commit_group)

    async def sample() -> None:
        while settings.metrics == "on":
            metrics.sample(store.gauges(), records.indexer.pending)
            await asyncio.sleep(SAMPLE_SECONDS)

    return asyncio.create_task(sample(), name="hubcrm-metrics-sampler")


def _limits(settings: Settings) -> Limits:
    return Limits.of(
        settings.rate_limit,
        window_ms=settings.rate_limit_window_ms,
        burst=settings.rate_limit_burst,
        daily=settings.rate_limit_daily,
        search_per_second=settings.rate_limit_search_per_second,
    )
