"""The one place where errors become HTTP responses, in HubSpot's envelope."""

from __future__ import annotations

import logging
import uuid

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hubcrm import messages, wire
from hubcrm.api.responses import correlation_id, json_response
from hubcrm.errors import (
    ErrorDetail,
    HubSpotError,
    InternalError,
    MethodNotAllowed,
    RateLimited,
    RouteNotFound,
    ValidationError,
)

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
        request_id=str(uuid.uuid4()),
    )


def render(request: Request, error: HubSpotError) -> Response:
    correlation = correlation_id(request)
    body = (
        rate_limited(error, correlation)
        if isinstance(error, RateLimited)
        else envelope(error, correlation)
    )
    response = json_response(body, status=error.status)
    response.headers.update(error.headers())
    return response


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
