"""OAuth as HubSpot's endpoints answer it: the authorize page approves at once, codes become an
access token (30 minutes on the portal's clock) and a refresh token (until revoked).

Access tokens are ordinary tokens of the installing portal (store `tokens`, naming their app), so
every CRM endpoint takes them with the scopes granted and expires them by the portal's clock. Codes
and refresh tokens, like every secret, are kept only as their SHA-256.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from hubcrm.domain import auth
from hubcrm.domain.clock import Clock, portal_clock
from hubcrm.protocol import messages
from hubcrm.protocol.errors import AuthorizeRefused, OAuthError
from hubcrm.store.base import App, Store, Token

ACCESS_TOKEN_SECONDS = 1800  # HubSpot's expires_in
CODE_MS = 10 * 60 * 1000  # how long a code can be exchanged (HubSpot does not say: hubcrm's)
USER_ID = 1  # the user who approved: hubcrm has one per portal


@dataclass(frozen=True)
class Grant:
    access_token: str
    refresh_token: str
    expires_in: int
    hub_id: int
    scopes: frozenset[str]


def user_of(hub_id: int) -> tuple[str, str]:
    """The (user email, hub domain) HubSpot's token info names: hubcrm's stand-ins."""
    return f"user@{hub_id}.hubcrm.local", f"{hub_id}.hubcrm.local"


def _scopes(text: str | None) -> list[str]:
    return [s for s in (text or "").replace("+", " ").split(" ") if s]


async def authorize(
    store: Store,
    clock: Clock,
    client_id: str,
    redirect_uri: str,
    scope: str | None,
    optional_scope: str | None,
    state: str | None,
    portal: str | None,
) -> str:
    """Approve the install at once: the URL to redirect to, with `code` (and `state`)."""
    app = await _app(store, client_id)
    if app is None:
        raise AuthorizeRefused(messages.AUTHORIZE_BAD_CLIENT_ID.format(client_id=client_id))
    if redirect_uri not in app.redirect_uris:
        raise AuthorizeRefused(messages.AUTHORIZE_BAD_REDIRECT.format(redirect_uri=redirect_uri))
    required, optional = _scopes(scope), _scopes(optional_scope)
    if not required:
        raise AuthorizeRefused(messages.AUTHORIZE_NO_SCOPE)
    lacking = [s for s in required + optional if s not in app.scopes]
    if lacking:
        raise AuthorizeRefused(messages.AUTHORIZE_BAD_SCOPES.format(scopes=" ".join(lacking)))
    hub_id = await _install_portal(store, app, portal)
    code = str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
    now = portal_clock(clock, hub_id).now_ms()
    await store.install_app(app.app_id, hub_id, now)
    granted = frozenset(required) | frozenset(optional)
    await store.add_auth_code(
        auth.token_hash(code), app.app_id, hub_id, redirect_uri, granted, now + CODE_MS
    )
    params = {"code": code} | ({"state": state} if state is not None else {})
    return _with_query(redirect_uri, params)


async def _app(store: Store, client_id: str) -> App | None:
    # Client ids are UUIDs: anything else (a NUL character, megabytes) names no app.
    if not client_id or len(client_id) > 64 or "\x00" in client_id:
        return None
    return await store.app_by_client_id(client_id)


async def _install_portal(store: Store, app: App, portal: str | None) -> int:
    if portal is None or portal == "":
        return app.developer_portal_id
    if not portal.isdigit() or int(portal) not in await store.portal_ids():
        raise AuthorizeRefused(messages.AUTHORIZE_BAD_PORTAL.format(portal=portal))
    return int(portal)


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


async def token(store: Store, clock: Clock, form: dict[str, str]) -> Grant:
    """POST /oauth/v1/token: the authorization_code and refresh_token grants."""
    grant_type = form.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthError(messages.OAUTH_BAD_GRANT_TYPE)
    app = await _app(store, form.get("client_id", ""))
    if app is None:
        raise OAuthError(messages.OAUTH_BAD_CLIENT_ID)
    if not hmac.compare_digest(app.client_secret.encode(), form.get("client_secret", "").encode()):
        raise OAuthError(messages.OAUTH_BAD_CLIENT_SECRET)
    if grant_type == "authorization_code":
        return await _exchange_code(store, clock, app, form)
    return await _refresh(store, clock, app, form.get("refresh_token", ""))


async def _exchange_code(store: Store, clock: Clock, app: App, form: dict[str, str]) -> Grant:
    code_hash = auth.token_hash(form.get("code", ""))
    code = await store.auth_code(code_hash)
    if code is None or code.app_id != app.app_id or code.used_at is not None:
        raise OAuthError(messages.OAUTH_BAD_AUTH_CODE)
    if form.get("redirect_uri") != code.redirect_uri:
        raise OAuthError(messages.OAUTH_BAD_REDIRECT_URI)
    now = portal_clock(clock, code.hub_id).now_ms()
    if code.expires_at <= now:
        raise OAuthError(messages.OAUTH_EXPIRED_AUTH_CODE)
    if not await store.use_auth_code(code_hash, now):  # exchanged meanwhile: codes work once
        raise OAuthError(messages.OAUTH_BAD_AUTH_CODE)
    refresh = f"{auth.REGION}-{uuid.UUID(bytes=secrets.token_bytes(16), version=4)}"
    await store.add_refresh_token(
        auth.token_hash(refresh), app.app_id, code.hub_id, code.scopes, now
    )
    return await _grant(store, clock, app, code.hub_id, code.scopes, refresh)


async def _refresh(store: Store, clock: Clock, app: App, refresh: str) -> Grant:
    found = await store.refresh_token(auth.token_hash(refresh))
    if found is None or found.app_id != app.app_id or found.revoked_at is not None:
        raise OAuthError(messages.OAUTH_BAD_REFRESH_TOKEN)
    # HubSpot answers a refresh with the same refresh token and a new access token.
    return await _grant(store, clock, app, found.hub_id, found.scopes, refresh)


async def _grant(
    store: Store, clock: Clock, app: App, hub_id: int, scopes: frozenset[str], refresh: str
) -> Grant:
    access = "C" + secrets.token_urlsafe(96)
    now = portal_clock(clock, hub_id).now_ms()
    await store.add_app_token(
        hub_id,
        auth.token_hash(access),
        scopes,
        app.app_id,
        now,
        now + ACCESS_TOKEN_SECONDS * 1000,
    )
    return Grant(access, refresh, ACCESS_TOKEN_SECONDS, hub_id, scopes)


async def access_token_info(store: Store, clock: Clock, secret: str) -> tuple[Token, int]:
    """The live OAuth access token a secret names, and its seconds left."""
    found = await store.token_by_hash(auth.token_hash(secret))
    if found is None or found.app_id is None or found.revoked_at is not None:
        raise OAuthError(messages.OAUTH_BAD_ACCESS_TOKEN)
    now = portal_clock(clock, found.portal_id).now_ms()
    left = ((found.expires_at or now) - now) // 1000
    if left <= 0:
        raise OAuthError(messages.OAUTH_BAD_ACCESS_TOKEN)
    return found, left


async def refresh_token_info(store: Store, secret: str) -> tuple[int, frozenset[str], str]:
    """(hub id, scopes, client id) of a live refresh token."""
    found = await store.refresh_token(auth.token_hash(secret))
    app = await store.app(found.app_id) if found is not None else None
    if found is None or app is None or found.revoked_at is not None:
        raise OAuthError(messages.OAUTH_BAD_REFRESH_TOKEN)
    return found.hub_id, found.scopes, app.client_id


async def revoke_refresh_token(store: Store, clock: Clock, secret: str) -> None:
    found = await store.refresh_token(auth.token_hash(secret))
    if found is None or found.revoked_at is not None:
        raise OAuthError(messages.OAUTH_BAD_REFRESH_TOKEN)
    await store.revoke_refresh_token(
        auth.token_hash(secret), portal_clock(clock, found.hub_id).now_ms()
    )
