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
from hubcrm.domain.associations.catalogue import path_name
from hubcrm.domain.legacy.properties import legacy_type
from hubcrm.domain.objects import SCHEMAS_READ, SCHEMAS_WRITE, ObjectType
from hubcrm.store.base import Token

# Which scope of the object type a route demands.
ScopeKind = Literal["read_scopes", "write_scopes", "schema_read_scopes", "schema_write_scopes"]
# Which rate-limit policy a route counts against: every route counts against its portal's
# rolling window and daily quota; search also has its own per-second limit.
RatePolicy = Literal["standard", "search"]


@dataclass(frozen=True)
class Access:
    scope: ScopeKind
    rate: RatePolicy = "standard"
    # Scopes a route demands whatever the object type (the schemas API); any one suffices.
    fixed: tuple[str, ...] = ()


OWNERS_READ = ("crm.objects.owners.read",)

ROUTE_ACCESS: dict[str, Access] = {
    "batch_upsert": Access("write_scopes"),
    "get_record": Access("read_scopes"),
    "list_records": Access("read_scopes"),
    "batch_read": Access("read_scopes"),
    "search": Access("read_scopes", "search"),
    "create_record": Access("write_scopes"),
    "update_record": Access("write_scopes"),
    "archive_record": Access("write_scopes"),
    "batch_create": Access("write_scopes"),
    "batch_update": Access("write_scopes"),
    "batch_archive": Access("write_scopes"),
    "list_properties": Access("schema_read_scopes"),
    "get_property": Access("schema_read_scopes"),
    "create_property": Access("schema_write_scopes"),
    "update_property": Access("schema_write_scopes"),
    "archive_property": Access("schema_write_scopes"),
    # The schemas API (custom object types)
    "list_schemas": Access("schema_read_scopes", fixed=SCHEMAS_READ),
    "get_schema": Access("schema_read_scopes", fixed=SCHEMAS_READ),
    "create_schema": Access("schema_write_scopes", fixed=SCHEMAS_WRITE),
    "update_schema": Access("schema_write_scopes", fixed=SCHEMAS_WRITE),
    "archive_schema": Access("schema_write_scopes", fixed=SCHEMAS_WRITE),
    # Pipelines: the scopes of the type's records (HubSpot's pipelines reference lists them).
    "list_pipelines": Access("read_scopes"),
    "get_pipeline": Access("read_scopes"),
    "pipeline_audit": Access("read_scopes"),
    "list_stages": Access("read_scopes"),
    "get_stage": Access("read_scopes"),
    "stage_audit": Access("read_scopes"),
    "create_pipeline": Access("write_scopes"),
    "replace_pipeline": Access("write_scopes"),
    "update_pipeline": Access("write_scopes"),
    "archive_pipeline": Access("write_scopes"),
    "create_stage": Access("write_scopes"),
    "replace_stage": Access("write_scopes"),
    "update_stage": Access("write_scopes"),
    "archive_stage": Access("write_scopes"),
    # Owners
    "list_owners": Access("read_scopes", fixed=OWNERS_READ),
    "get_owner": Access("read_scopes", fixed=OWNERS_READ),
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
    kind = await app.records.types.resolve(token.portal_id, request.path_params["object_type"])
    auth.require_scope(token, getattr(kind, access.scope))
    return token, kind


async def authorize_fixed(request: Request) -> Token:
    """As authorize, for a route whose scopes do not depend on an object type."""
    app = state(request)
    access = ROUTE_ACCESS[request.scope["route"].name]
    token = await app.auth.authenticate(request.headers.get("authorization"))
    verdict = await app.limiter.check(
        token.portal_id, token.token_id, access.rate, app.clock.now_ms()
    )
    report_rate_limit(request.scope, verdict.headers)
    if verdict.refusal is not None:
        raise verdict.refusal
    auth.require_scope(token, access.fixed)
    return token


# Associations: routes naming two object types (`from_type`, `to_type`, by plural or singular
# name or type id) demand the route's scope on both.
ROUTE_ACCESS |= {
    "put_association_labels": Access("write_scopes"),
    "put_default_association": Access("write_scopes"),
    "list_associations": Access("read_scopes"),
    "delete_associations": Access("write_scopes"),
    "batch_create_associations": Access("write_scopes"),
    "batch_default_associations": Access("write_scopes"),
    "batch_read_associations": Access("read_scopes"),
    "batch_archive_associations": Access("write_scopes"),
    "batch_archive_association_labels": Access("write_scopes"),
    "list_association_labels": Access("read_scopes"),
    "create_association_label": Access("write_scopes"),
    "update_association_label": Access("write_scopes"),
    "delete_association_label": Access("write_scopes"),
    "v3_batch_create_associations": Access("write_scopes"),
    "v3_batch_read_associations": Access("read_scopes"),
    "v3_batch_archive_associations": Access("write_scopes"),
    "merge_records": Access("write_scopes"),
    "gdpr_delete": Access("write_scopes"),
}


async def authorize_pair(request: Request) -> tuple[Token, ObjectType, ObjectType]:
    """As authorize, for a route naming two object types: the route's scope on both."""
    app = state(request)
    access = ROUTE_ACCESS[request.scope["route"].name]
    token = await app.auth.authenticate(request.headers.get("authorization"))
    verdict = await app.limiter.check(
        token.portal_id, token.token_id, access.rate, app.clock.now_ms()
    )
    report_rate_limit(request.scope, verdict.headers)
    if verdict.refusal is not None:
        raise verdict.refusal
    kinds = []
    for name in (request.path_params["from_type"], request.path_params["to_type"]):
        kind = await app.records.types.resolve(token.portal_id, path_name(name))
        auth.require_scope(token, getattr(kind, access.scope))
        kinds.append(kind)
    return token, kinds[0], kinds[1]


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


# Legacy APIs (api/legacy/): the scopes of their v3 equivalents, of the type each path names.
ROUTE_ACCESS |= {
    "legacy_list_properties": Access("schema_read_scopes"),
    "legacy_get_property": Access("schema_read_scopes"),
    "legacy_fixed_properties": Access("schema_read_scopes"),
    "companies_v2_paged": Access("read_scopes"),
    "companies_v2_recent": Access("read_scopes"),
    "companies_v2_get": Access("read_scopes"),
    "deals_v1_paged": Access("read_scopes"),
    "deals_v1_recent": Access("read_scopes"),
    "deals_v1_get": Access("read_scopes"),
    "contacts_v1_all": Access("read_scopes"),
    "contacts_v1_recent": Access("read_scopes"),
    "contacts_v1_by_vid": Access("read_scopes"),
    "contacts_v1_by_email": Access("read_scopes"),
    "contacts_v1_create_or_update": Access("write_scopes"),
    "contacts_v1_batch": Access("write_scopes"),
    "engagements_v1_paged": Access("read_scopes"),
    "engagements_v1_recent": Access("read_scopes"),
    "engagements_v1_get": Access("read_scopes"),
    "engagements_v1_modified_after": Access("read_scopes"),
    "deals_v1_pipelines": Access("read_scopes"),
    "deals_v1_pipeline": Access("read_scopes"),
}


async def authorize_legacy(request: Request, type_name: str) -> tuple[Token, ObjectType]:
    """As authorize, for a legacy route: the type by legacy name, a legacy 404 if unknown."""
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
    kind = await legacy_type(app.records.types, token.portal_id, type_name)
    auth.require_scope(token, getattr(kind, access.scope))
    return token, kind
