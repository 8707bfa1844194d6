"""Every request measured (api/metrics.py) and, with --log-format json, logged as one line.

The log line holds the correlation id, the portal (once its token is known), the method, the route
template, the status and the duration: never a header, a query, a path parameter or a body, so
never a token or a property value.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubcrm.api import metrics
from hubcrm.api.scope import CONTROL_PREFIX

access_log = logging.getLogger("hubcrm.access")
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The route's path template; the matched path itself could carry ids or emails."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    if scope["path"].startswith(CONTROL_PREFIX) and not path.startswith(CONTROL_PREFIX):
        return CONTROL_PREFIX.rstrip("/") + path  # a route of the control API's mount
    return path


class ObservingMiddleware:
    def __init__(self, app: ASGIApp, log_requests: bool) -> None:
        self.app = app
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self._observe(scope, status, time.perf_counter() - started)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        metrics.REQUESTS.labels(route, method, str(status)).inc()
        metrics.LATENCY.labels(route, method).observe(seconds)
        if self.log_requests:
            state = scope.get("state", {})
            access_log.info(
                "request",
                extra={
                    "correlation_id": state.get("correlation_id"),
                    "portal_id": state.get("portal_id"),
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                },
            )


_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
