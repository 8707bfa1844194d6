"""The one place where errors become HTTP responses, in HubSpot's envelope."""

from __future__ import annotations

import html
import logging
import uuid

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubcrm.api.responses import CORRELATION_HEADER, correlation_id, json_response
from hubcrm.control.faults import Fault
from hubcrm.domain import ratelimit
from hubcrm.protocol import apps as apps_wire
from hubcrm.protocol import messages, wire
from hubcrm.protocol.errors import (
    AuthorizeRefused,
    ErrorDetail,
    HubSpotError,
    InternalError,
    Locked,
    MethodNotAllowed,
    MigrationInProgress,
    OAuthError,
    RateLimited,
    RouteNotFound,
    ServiceUnavailable,
    ValidationError,
)
from hubcrm.store.errors import CannotWrite, OutcomeUnknown, Overloaded, StoreUnavailable

log = logging.getLogger("hubcrm")


def _details(errors: list[ErrorDetail]) -> list[wire.ErrorDetail]:
    return [wire.ErrorDetail(e.message, e.code, e.context) for e in errors]


def envelope(error: HubSpotError, correlation: str) -> wire.ErrorBody:
    return wire.ErrorBody(
        status="error",
        message=error.message,
        correlation_id=correlation,
        category=error.category,
        sub_category=error.sub_category,
        context=error.context,
        errors=_details(error.errors) or None,
        links=error.links,
    )


def standard_error(error: HubSpotError) -> wire.StandardError:
    """A per-input failure inside a 207 answer; `errors` and `links` are always present."""
    return wire.StandardError(
        status="error",
        category=error.category,
        message=error.message,
        context=error.context or {},
        errors=_details(error.errors),
        links=error.links or {},
        sub_category=error.sub_category,
    )


def rate_limited(error: RateLimited, correlation: str) -> wire.RateLimitBody:
    return wire.RateLimitBody(
        status="error",
        message=error.message,
        error_type=error.category,
        correlation_id=correlation,
        policy_name=error.policy_name,
        # Derived from the correlation id: as stable as it is in deterministic runs.
        request_id=str(uuid.uuid5(uuid.NAMESPACE_OID, correlation)),
    )


def render(request: Request, error: HubSpotError) -> Response:
    correlation = correlation_id(request)
    if isinstance(error, OAuthError | AuthorizeRefused):
        return oauth_error(error, correlation)
    body = (
        rate_limited(error, correlation)
        if isinstance(error, RateLimited)
        else envelope(error, correlation)
    )
    response = json_response(body, status=error.status)
    response.headers.update(error.headers())
    return response


def oauth_error(error: OAuthError | AuthorizeRefused, correlation: str) -> Response:
    """HubSpot's OAuth error body; the authorize page's refusal is a page for a person."""
    if isinstance(error, AuthorizeRefused):
        text = html.escape(error.message)
        page = (
            "<html><head><title>Authorization failed</title></head>"
            f"<body><p>{text}</p></body></html>"
        )
        return HTMLResponse(page, status_code=error.status)
    body = apps_wire.OAuthErrorBody(
        status=error.oauth_status,
        message=error.message,
        correlation_id=correlation,
        error=error.error,
        error_description=error.message,
    )
    return json_response(body, status=error.http_status)


async def hubspot_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HubSpotError)
    return render(request, exc)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own routing errors, in HubSpot's envelope."""
    assert isinstance(exc, HTTPException)
    method, path = request.method, request.url.path
    error: HubSpotError
    if exc.status_code == 404:
        error = RouteNotFound(messages.ROUTE_NOT_FOUND.format(method=method, path=path))
    elif exc.status_code == 405:
        error = MethodNotAllowed(messages.METHOD_NOT_ALLOWED.format(method=method, path=path))
    else:
        error = ValidationError(str(exc.detail))
    return render(request, error)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    return render(request, InternalError(messages.INTERNAL_ERROR))


# HubSpot's edge answers these itself, with an HTML page rather than HubSpot's JSON envelope.
_GATEWAY_PAGES = {
    502: "502 Bad Gateway",
    503: "503 Service Unavailable",
    504: "504 Gateway Time-out",
}


def gateway_page(status: int) -> Response:
    title = _GATEWAY_PAGES[status]
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return HTMLResponse(page, status_code=status)


def fault_response(request: Request, fault: Fault) -> Response:
    """The answer a fault rule gives, in the shape HubSpot gives it."""
    status = fault.status
    if status in _GATEWAY_PAGES:
        return gateway_page(status)
    error: HubSpotError
    if status == 429:
        policy = fault.policy_name or ratelimit.ROLLING_POLICY
        return render(request, ratelimit.refusal(policy, fault.retry_after or 1))
    if status == 423:
        error = Locked(messages.LOCKED)
    elif status == 477:
        error = MigrationInProgress(messages.MIGRATION_IN_PROGRESS)
    else:
        error = InternalError(messages.INTERNAL_ERROR)
    response = render(request, error)
    if fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response


# --- Faults of the database (issue 20): 503 in HubSpot's envelope, with Retry-After ---


def unavailable(error: StoreUnavailable) -> ServiceUnavailable:
    """What a client is told when the database cannot serve its request."""
    if isinstance(error, OutcomeUnknown):
        text = messages.STORE_OUTCOME_UNKNOWN
    elif isinstance(error, Overloaded):
        text = messages.STORE_OVERLOADED
    elif isinstance(error, CannotWrite):
        text = messages.STORE_CANNOT_WRITE
    else:
        text = messages.STORE_UNAVAILABLE
    return ServiceUnavailable(text, error.retry_after)


def _log_unavailable(request: Request, error: StoreUnavailable) -> None:
    # An expected fault: one line for the operator, no traceback.
    log.warning(
        "503 for %s %s: %s: %s",
        request.method,
        request.url.path,
        type(error).__name__,
        str(error).splitlines()[0] if str(error) else "",
    )


async def store_unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StoreUnavailable)
    _log_unavailable(request, exc)
    return render(request, unavailable(exc))


class StoreFaultMiddleware:
    """Outermost: a database fault raised outside a handler (authenticating the token, counting
    rate limits) still gets its 503 rather than a 500 or a dropped connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except StoreUnavailable as error:
            if started:
                raise
            request = Request(scope, receive)
            response = await store_unavailable(request, error)
            response.headers[CORRELATION_HEADER] = correlation_id(request)
            await response(scope, receive, send)
