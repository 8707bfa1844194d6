"""Limits on what one request may carry, checked before any route sees it.

The body limit is applied while reading it (requests.read_body); the size of the request head is
checked here, because the HTTP parser bounds only a head still arriving in pieces. The deadlines
for slow clients live in the server (api/server.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from hubcrm.api.errors import render
from hubcrm.protocol import messages
from hubcrm.protocol.errors import HeadersTooLarge


class HeadLimit:
    """Refuses, with 431 in HubSpot's envelope, a request whose line and headers are too large."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _head_size(scope) > self.max_bytes:
            error = HeadersTooLarge(messages.HEADERS_TOO_LARGE.format(limit=self.max_bytes))
            response = render(Request(scope), error)
            response.headers["connection"] = "close"
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _head_size(scope: Scope) -> int:
    line = len(scope["method"]) + len(scope.get("raw_path") or b"") + len(scope["query_string"])
    return line + sum(len(name) + len(value) + 4 for name, value in scope["headers"])
