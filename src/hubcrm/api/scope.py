"""Which portal a request is about, known before it is handled: its bearer token names it.

The per-portal test controls (clock, correlation ids, journal, faults) need the portal before the
handler runs. A token never changes portal, so the lookup is cached; whether the token is still
valid is for authentication to decide, as ever.
"""

from __future__ import annotations

from collections import OrderedDict

from starlette.types import ASGIApp, Receive, Scope, Send

from hubcrm.domain import auth, context
from hubcrm.store.base import Store

CONTROL_PREFIX = "/_hubcrm/"
_CACHE_SIZE = 10_000


def bearer_secret(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, secret = value.decode("latin-1").strip().partition(" ")
            return secret.strip() or None if scheme.lower() == "bearer" else None
    return None


class PortalLookup:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._portals: OrderedDict[str, int] = OrderedDict()

    async def portal_of(self, secret: str | None) -> int | None:
        if not secret:
            return None
        digest = auth.token_hash(secret)
        if digest in self._portals:
            return self._portals[digest]
        token = await self.store.token_by_hash(digest)
        if token is None:
            return None
        self._portals[digest] = token.portal_id
        if len(self._portals) > _CACHE_SIZE:
            self._portals.popitem(last=False)
        return token.portal_id


class PortalScopeMiddleware:
    """Sets context.current_portal for the request (the control API names portals in its paths)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        # The server's own receive callable leads to the connection, should a fault drop it.
        scope.setdefault("state", {})["hubcrm_connection"] = getattr(receive, "__self__", None)
        lookup: PortalLookup = scope["app"].state.hubcrm.portals
        portal_id = await lookup.portal_of(bearer_secret(scope))
        scope["state"]["portal_id"] = portal_id  # for the request log (api/observing.py)
        reset = context.current_portal.set(portal_id)
        try:
            await self.app(scope, receive, send)
        finally:
            context.current_portal.reset(reset)
