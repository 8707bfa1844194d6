"""Tokens and scopes. A token is shown once, at creation; the store keeps only its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from hubcrm import messages
from hubcrm.clock import Clock
from hubcrm.errors import InvalidAuthentication, MissingScopes
from hubcrm.store.base import Store, Token

DEFAULT_SCOPES = frozenset(
    {
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
        "crm.schemas.contacts.read",
        "crm.schemas.contacts.write",
    }
)
REGION = "na1"


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
) -> tuple[str, Token]:
    secret = new_token_secret()
    token = await store.add_token(
        portal_id, token_hash(secret), scopes, name, clock.now_ms(), expires_at
    )
    return secret, token


async def authenticate(store: Store, clock: Clock, authorization: str | None) -> Token:
    """The token an `Authorization: Bearer <token>` header carries, or InvalidAuthentication."""
    scheme, _, secret = (authorization or "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise InvalidAuthentication(messages.AUTHENTICATION_MISSING)
    token = await store.token_by_hash(token_hash(secret))
    if token is None or token.revoked_at is not None:
        raise InvalidAuthentication(messages.AUTHENTICATION_INVALID)
    return token


def require_scope(token: Token, scope: str) -> None:
    if scope not in token.scopes:
        raise MissingScopes([scope])
