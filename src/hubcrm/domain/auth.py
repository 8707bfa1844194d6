"""Tokens and scopes. A token is shown once, at creation; the store keeps only its SHA-256.

Two modes: `tokens` accepts only tokens issued by `hubcrm token create`; `open` also accepts any
well-formed bearer token it has not seen, giving it a new portal of its own on first use, so that
test suites isolate themselves just by choosing different tokens.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import uuid

from hubcrm.domain import portals
from hubcrm.domain.clock import Clock, format_ms
from hubcrm.domain.objects import CUSTOM_SCOPES, OBJECT_TYPES
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ExpiredAuthentication, InvalidAuthentication, MissingScopes
from hubcrm.store.base import Store, Token
from hubcrm.store.errors import UniqueViolation

# Every scope hubcrm checks; what a token gets unless told otherwise.
DEFAULT_SCOPES = frozenset(scope for t in OBJECT_TYPES for scope in t.scopes) | frozenset(
    CUSTOM_SCOPES
)
# Scopes of APIs that are not an object type's: the owners API's.
DEFAULT_SCOPES |= {"crm.objects.owners.read"}
REGION = "na1"
MODES = ("tokens", "open")

# RFC 6750's b64token; longer secrets are refused before they are hashed.
_WELL_FORMED = re.compile(r"[A-Za-z0-9\-._~+/]{1,1024}=*")
_MAX_TOKEN_LENGTH = 1024


def new_token_secret() -> str:
    """A private-app style token: `pat-<region>-<uuid>`."""
    return f"pat-{REGION}-{uuid.UUID(bytes=secrets.token_bytes(16), version=4)}"


def token_hash(secret: str) -> str:
    # Lookup by a hash of the secret: the secret itself is never compared, stored or logged.
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_token(
    store: Store,
    clock: Clock,
    portal_id: int,
    scopes: frozenset[str] = DEFAULT_SCOPES,
    name: str | None = None,
    expires_at: int | None = None,
    secret: str | None = None,
    expires_in_ms: int | None = None,
) -> tuple[str, Token]:
    secret = secret or new_token_secret()
    now = clock.now_ms()
    if expires_in_ms is not None:
        expires_at = now + expires_in_ms
    token = await store.add_token(portal_id, token_hash(secret), scopes, name, now, expires_at)
    return secret, token


def bearer_secret(authorization: str | None) -> str:
    """The secret of an `Authorization: Bearer <token>` header, or InvalidAuthentication."""
    scheme, _, secret = (authorization or "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not _WELL_FORMED.fullmatch(secret):
        raise InvalidAuthentication(messages.AUTHENTICATION_MISSING)
    return secret


def check_live(token: Token, now_ms: int) -> None:
    if token.revoked_at is not None:
        raise InvalidAuthentication(messages.AUTHENTICATION_INVALID)
    if token.expires_at is not None and token.expires_at <= now_ms:
        raise ExpiredAuthentication(
            messages.AUTHENTICATION_EXPIRED.format(ago=_ago(now_ms - token.expires_at)),
            context={"expire time": [format_ms(token.expires_at)]},
        )


def status(token: Token, now_ms: int) -> str:
    """`live`, `revoked` or `expired`, as `hubcrm token list` shows it."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now_ms:
        return "expired"
    return "live"


def _ago(ms: int) -> str:
    """HubSpot's `0 second(s)`, `92 minute(s)`, `19884 day(s)`: no hours are ever seen."""
    seconds = ms // 1000
    for unit, size in (("day", 86_400), ("minute", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}(s)"
    return f"{seconds} second(s)"


class Authenticator:
    """Turns an Authorization header into a live token of one portal."""

    def __init__(self, store: Store, clock: Clock, mode: str = "tokens") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown auth mode {mode!r}")
        self.store = store
        self.clock = clock
        self.mode = mode
        self._creating = asyncio.Lock()

    async def authenticate(self, authorization: str | None) -> Token:
        secret = bearer_secret(authorization)
        token = await self._find(secret)
        if token is None and self.mode == "open":
            token = await self._open_portal(secret)
        if token is None:
            raise InvalidAuthentication(messages.AUTHENTICATION_INVALID)
        check_live(token, self.clock.now_ms())
        return token

    async def _find(self, secret: str) -> Token | None:
        digest = token_hash(secret)
        token = await self.store.token_by_hash(digest)
        # The lookup is by an index over hashes; confirm the match in constant time as well.
        if token is None or not hmac.compare_digest(token.token_hash, digest):
            return None
        return token

    async def _open_portal(self, secret: str) -> Token | None:
        async with self._creating:
            if (token := await self._find(secret)) is not None:
                return token
            portal_id = await portals.create_portal(self.store, self.clock)
            try:
                _, token = await issue_token(
                    self.store, self.clock, portal_id, name="open mode", secret=secret
                )
            except UniqueViolation:  # another process registered the same token first
                return await self._find(secret)
            return token


def require_scope(token: Token, scopes: tuple[str, ...]) -> None:
    """The token must hold one of `scopes`; the 403 names them all, as HubSpot's does."""
    if not any(scope in token.scopes for scope in scopes):
        raise MissingScopes(list(scopes))
