"""JSON responses with HubSpot's content type, and the request's correlation id."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.protocol import wire

CONTENT_TYPE = "application/json;charset=utf-8"
CORRELATION_HEADER = "X-HubSpot-Correlation-Id"


def correlation_id(request: Request) -> str:
    """Assigned by the correlation middleware to every request, or made here as a last resort."""
    state = request.scope.setdefault("state", {})
    if "correlation_id" not in state:
        state["correlation_id"] = str(uuid.uuid4())
    return str(state["correlation_id"])


def json_response(body: Any, status: int = 200) -> Response:
    return Response(
        wire.encoder.encode(body),
        status_code=status,
        media_type=None,
        headers={"Content-Type": CONTENT_TYPE},
    )
