"""Where HubSpot's legacy APIs live: their errors answer in the legacy envelope."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

LEGACY_PREFIXES = (
    "/properties/v1/",
    "/properties/v2/",
    "/companies/v2/",
    "/deals/v1/",
    "/contacts/v1/",
    "/contacts/v2/",
    "/engagements/v1/",
    "/owners/v2/",
)

# hubcrm's own web pages keep their paths as they are (HubSpot has no such pages).
OWN_PAGES = ("/ui/", "/ui")


class TrailingSlash:
    """Serves every API route with one trailing slash as without it, with the same answer and no
    redirect: HubSpot's own spec and maintained connectors call `/crm/v3/owners/` and
    `/contacts/v1/contact/batch/` (hubspot-legacy-apis.md §2.1, §11)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        slashed = len(path) > 1 and path.endswith("/") and not path.startswith(OWN_PAGES)
        if scope["type"] == "http" and slashed:
            scope = dict(scope)
            scope["path"] = path[:-1]
            raw = scope.get("raw_path")
            if isinstance(raw, bytes) and raw.endswith(b"/"):
                scope["raw_path"] = raw[:-1]
        await self.app(scope, receive, send)
