"""HubSpot apps: created in a (developer) portal and installed there, with a client id and
secret for OAuth and a developer API key for the webhooks API.

What is kept how:
- the client secret is kept as it is, recoverable: HubSpot signs every webhook request with an
  HMAC keyed by it, so it must be at hand for every delivery (HubSpot shows it again in the app's
  settings for the same reason). Anyone who can read the database can read it, as they can read
  the CRM data itself.
- the developer API key, like every token, is shown once and kept only as its SHA-256: it is
  only ever compared.
"""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from hubcrm.domain import auth
from hubcrm.domain.clock import Clock
from hubcrm.protocol import messages
from hubcrm.protocol.errors import InvalidAuthentication, ObjectNotFound, ValidationError
from hubcrm.store.base import App, Store

# What `hubcrm app create` gives an app unless told otherwise: every scope hubcrm checks, and
# `oauth`, which HubSpot requires of every app. The redirect URL is HubSpot's OAuth quickstart's.
DEFAULT_SCOPES = auth.DEFAULT_SCOPES | {"oauth"}
DEFAULT_REDIRECT_URI = "http://localhost:3000/oauth-callback"
DEFAULT_NAME = "hubcrm app"
_BLANK = re.compile(r"[\s\x00]")


@dataclass(frozen=True)
class NewApp:
    """An app as created, with the developer API key that is shown only now."""

    app: App
    developer_api_key: str


def _uuid() -> str:
    return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


async def create_app(
    store: Store,
    clock: Clock,
    portal_id: int,
    name: str | None = None,
    scopes: frozenset[str] | None = None,
    redirect_uris: tuple[str, ...] | None = None,
) -> NewApp:
    if portal_id not in await store.portal_ids():
        raise ObjectNotFound(messages.APP_PORTAL_NOT_FOUND.format(portal=portal_id))
    for uri in redirect_uris or ():
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.netloc or _BLANK.search(uri):
            raise ValidationError(messages.APP_BAD_REDIRECT_URI.format(uri=uri))
    for scope in scopes or ():
        if not scope or _BLANK.search(scope):
            raise ValidationError(messages.APP_BAD_SCOPE.format(scope=scope))
    developer_key = _uuid()
    app = await store.create_app(
        portal_id,
        name or DEFAULT_NAME,
        client_id=_uuid(),
        client_secret=_uuid(),
        developer_key_hash=auth.token_hash(developer_key),
        scopes=DEFAULT_SCOPES if scopes is None else scopes,
        redirect_uris=(DEFAULT_REDIRECT_URI,) if redirect_uris is None else redirect_uris,
        created_at=clock.now_ms(),
    )
    return NewApp(app, developer_key)


async def delete_app(store: Store, app_id: int) -> None:
    if not await store.delete_app(app_id):
        raise ObjectNotFound(messages.APP_NOT_FOUND.format(app=app_id))


async def developer_app(store: Store, app_id: str, hapikey: str | None) -> App:
    """The app of a webhooks API path, if the developer API key is its own; else HubSpot's 401
    (a key that is not this app's is answered as one that does not exist)."""
    app = await store.app(int(app_id)) if app_id.isdigit() and len(app_id) < 19 else None
    digest = auth.token_hash(hapikey or "")
    if app is None or not hapikey or not hmac.compare_digest(app.developer_key_hash, digest):
        raise InvalidAuthentication(messages.HAPIKEY_INVALID)
    return app
