"""Applies the fault rules of the request's portal: delay it, answer for it, or drop it."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from hubcrm.api import errors
from hubcrm.api.access import report_rate_limit
from hubcrm.api.state import AppState
from hubcrm.control.faults import Fault
from hubcrm.domain import context


class FaultMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        portal_id = context.current_portal.get()
        fault: Fault | None = None
        if scope["type"] == "http" and portal_id is not None:
            app_state: AppState = scope["app"].state.hubcrm
            fault = app_state.control.faults.fire(portal_id, scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["hubcrm_fault"] = ",".join(fault.rule_ids)
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        if not fault.answers:
            await self.app(scope, receive, send)
            return
        await _read_body(receive)  # the journal keeps what was sent, even when it is refused
        if fault.drop:
            await _drop(scope)
            return
        if fault.status == 429 and fault.policy_name:
            app_state = scope["app"].state.hubcrm
            report_rate_limit(scope, app_state.limiter.exhausted(fault.policy_name))
        response = errors.fault_response(Request(scope, receive), fault)
        await response(scope, receive, send)


async def _read_body(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class ConnectionDropped(Exception):
    """Raised where there is no connection to close (an in-process test client)."""


async def _drop(scope: Scope) -> None:
    """Close the connection without answering, as a failing proxy would."""
    connection = scope.get("state", {}).get("hubcrm_connection")
    transport = getattr(connection, "transport", None)
    if transport is None:
        raise ConnectionDropped("the connection was dropped by a fault rule")
    transport.abort()
    # Let the server see the connection gone, so it does not try to answer for the app.
    for _ in range(3):
        await asyncio.sleep(0)
