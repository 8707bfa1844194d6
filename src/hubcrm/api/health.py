"""Routes for operators, with no token: /_hubcrm/health, /_hubcrm/ready and /metrics.

Health says the process answers; ready says its database answers and holds the schema this
hubcrm expects. Neither says anything else (no version, no database name, no error text).
They are served whether or not the control API is on, and need no admin token.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hubcrm.api import metrics
from hubcrm.api.requests import state
from hubcrm.api.scope import CONTROL_PREFIX

HEALTH_PATH = CONTROL_PREFIX + "health"
READY_PATH = CONTROL_PREFIX + "ready"
METRICS_PATH = "/metrics"
OPEN_PATHS = frozenset({HEALTH_PATH, READY_PATH})
# Routes outside api/access.ROUTE_ACCESS: they serve operators, need no token and name no portal.
ROUTE_NAMES = frozenset({"health", "ready", "metrics_page"})
READY_TIMEOUT_SECONDS = 5.0


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> Response:
    try:
        current = await asyncio.wait_for(
            state(request).store.schema_current(), READY_TIMEOUT_SECONDS
        )
    except Exception:  # whatever went wrong, the answer is only "not ready"
        current = False
    if not current:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ready"})


async def metrics_page(request: Request) -> Response:
    app = state(request)
    metrics.sample(app.store.gauges(), app.records.indexer.pending)
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


def routes(serve_metrics: bool) -> list[BaseRoute]:
    found: list[BaseRoute] = [
        Route(HEALTH_PATH, health, methods=["GET"]),
        Route(READY_PATH, ready, methods=["GET"]),
    ]
    if serve_metrics:
        found.append(Route(METRICS_PATH, metrics_page, methods=["GET"]))
    return found
