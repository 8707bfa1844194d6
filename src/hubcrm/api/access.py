"""Who may call each route: one table of the scope and rate-limit policy of every route.

Every route of the CRM API is listed in ROUTE_ACCESS under its Starlette route name (by default,
the handler's function name); a test fails when a route is missing. A handler's first line is
`token, kind = await authorize(request)`, which in order:

1. authenticates the bearer token (401 before anything else),
2. counts the request against its portal's rate limits (429),
3. names the object type from the path (400 for an unknown one),
4. checks the token holds the scope the route demands of that type (403 MISSING_SCOPES).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubcrm.api import metrics
from hubcrm.api.requests import state
from hubcrm.domain import auth
from hubcrm.domain.objects import ObjectType, object_type
from hubcrm.store.base import Token

# Which scope of the object type a route demands.
ScopeKind = Literal["read_scope", "write_scope", "schema_read_scope", "schema_write_scope"]
# Which rate-limit policy a route counts against: every route counts against its portal's
# rolling window and daily quota; search also has its own per-second limit.
RatePolicy = Literal["standard", "search"]


@dataclass(frozen=True)
class Access:
    scope: ScopeKind
    rate: RatePolicy = "standard"


ROUTE_ACCESS: dict[str, Access] = {
    "batch_upsert": Access("write_scope"),
    "get_record": Access("read_scope"),
    "list_records": Access("read_scope"),
    "batch_read": Access("read_scope"),
    "search": Access("read_scope", "search"),
    "create_record": Access("write_scope"),
    "update_record": Access("write_scope"),
    "archive_record": Access("write_scope"),
    "batch_create": Access("write_scope"),
    "batch_update": Access("write_scope"),
    "batch_archive": Access("write_scope"),
    "list_properties": Access("schema_read_scope"),
    "get_property": Access("schema_read_scope"),
    "create_property": Access("schema_write_scope"),
    "update_property": Access("schema_write_scope"),
    "archive_property": Access("schema_write_scope"),
}

_HEADERS_KEY = "ratelimit_headers"


async def authorize(request: Request) -> tuple[Token, ObjectType]:
    app = state(request)
    access = ROUTE_ACCESS[request.scope["route"].name]
    token = await app.auth.authenticate(request.headers.get("authorization"))
    verdict = await app.limiter.check(
        token.portal_id, token.token_id, access.rate, app.clock.now_ms()
    )
    report_rate_limit(request.scope, verdict.headers)
    if verdict.refusal is not None:
        metrics.rate_limited(verdict.refusal.policy_name)
        raise verdict.refusal
    kind = object_type(request.path_params["object_type"])
    auth.require_scope(token, getattr(kind, access.scope))
    return token, kind


def report_rate_limit(scope: Scope, headers: dict[str, str]) -> None:
    """The X-HubSpot-RateLimit-* headers this request's response carries."""
    scope.setdefault("state", {})[_HEADERS_KEY] = headers


class RateLimitHeaders:
    """Every response carries the X-HubSpot-RateLimit-* headers of the configured tier."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                counted = scope.get("state", {}).get(_HEADERS_KEY)
                values = counted or scope["app"].state.hubcrm.limiter.idle()
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in values.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
