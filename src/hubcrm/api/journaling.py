"""Records each request of a known portal in the journal: what came in and what went out."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubcrm.api.scope import CONTROL_PREFIX, bearer_secret
from hubcrm.api.state import AppState
from hubcrm.control.journal import Entry, scrub_query
from hubcrm.domain import context


class _Capture:
    """The first `limit` bytes of a body, and its full size."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = bytearray()
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        room = self.limit + 1 - len(self.kept)  # one byte more than kept tells it was cut
        if room > 0:
            self.kept += chunk[:room]


class JournalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        app_state: AppState = scope["app"].state.hubcrm
        journal = app_state.control.journal
        if not journal.enabled:
            await self.app(scope, receive, send)
            return
        portal_id = context.current_portal.get()
        at = app_state.control.clock.read(portal_id)
        started = time.perf_counter()
        request, response = _Capture(journal.body_bytes), _Capture(journal.body_bytes)
        status = 0

        async def capture_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request.add(message.get("body", b""))
            return message

        async def capture_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                response.add(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, capture_receive, capture_send)
        except Exception:
            status = status or 500  # answered by the server's last-resort handler
            raise
        finally:
            secret = bearer_secret(scope)
            # A token unknown before the request may have made its portal (open mode).
            portal_id = portal_id or await app_state.portals.portal_of(secret)
            if portal_id is not None:
                state = scope.get("state", {})
                request_body, request_cut = journal.clip(bytes(request.kept), secret)
                response_body, response_cut = journal.clip(bytes(response.kept), secret)
                fault = state.get("hubcrm_fault")
                journal.record(
                    portal_id,
                    Entry(
                        sequence=journal.next_sequence(portal_id),
                        at=at,
                        method=scope["method"],
                        path=scope["path"],
                        query=scrub_query(scope.get("query_string", b"").decode("latin-1"), secret),
                        status=status,
                        duration_ms=round((time.perf_counter() - started) * 1000, 3),
                        correlation_id=str(state.get("correlation_id", "")),
                        request_body=request_body,
                        request_truncated=request_cut,
                        response_body=response_body,
                        response_truncated=response_cut,
                        fault=fault,
                    ),
                )
