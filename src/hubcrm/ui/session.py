"""Signing in with a token, the session cookie that keeps it, and CSRF protection.

The session cookie holds the token itself: HttpOnly (no script reads it), SameSite=Lax, Path=/ui
(never sent to the API), and Secure when the page is served over https or behind a TLS
terminator. Every page authenticates it again, as the API authenticates every request, so a
revoked or expired token ends its session at once, and any process of a deployment can serve
any page (nothing is kept in memory).

Every form that changes something carries a CSRF token: for a signed-in session, an HMAC of the
session's token (a page of another site can neither read the cookie nor compute it); for the
sign-in form, a random value also set as a cookie (double submit). A POST whose Origin header
names another host is refused as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from hubcrm.domain.objects import ObjectType
from hubcrm.protocol.errors import HubSpotError, MissingScopes
from hubcrm.store.base import Token
from hubcrm.ui.services import services

PATH = "/ui"
COOKIE = "hubcrm_ui"
SIGN_IN_COOKIE = "hubcrm_ui_signin"
CSRF_FIELD = "csrf"
_CSRF_PURPOSE = b"hubcrm-ui-csrf"
Access = Literal["read", "write", "schema_read", "schema_write"]


class SignInNeeded(Exception):
    """No session, or its token no longer authenticates (the reason says why)."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


class CsrfRefused(Exception):
    """A state-changing form without this session's CSRF token, or from another origin."""


@dataclass(frozen=True)
class Session:
    token: Token
    secret: str

    @property
    def portal_id(self) -> int:
        return self.token.portal_id

    @property
    def csrf(self) -> str:
        return csrf_for(self.secret)

    def may(self, kind: ObjectType, access: Access) -> bool:
        """Whether the token holds the scope this access to the type demands."""
        return any(scope in self.token.scopes for scope in scopes(kind, access))

    def require(self, kind: ObjectType, access: Access) -> None:
        """HubSpot's 403 MISSING_SCOPES unless the token may."""
        if not self.may(kind, access):
            raise MissingScopes(list(scopes(kind, access)))


def scopes(kind: ObjectType, access: Access) -> tuple[str, ...]:
    """The scopes of which any one grants this access to the type."""
    return tuple(getattr(kind, f"{access}_scopes"))


def csrf_for(secret: str) -> str:
    return hmac.new(secret.encode(), _CSRF_PURPOSE, hashlib.sha256).hexdigest()


async def authenticate(request: Request, secret: str) -> Token:
    """The live token of this secret; in open mode an unknown one opens its own portal."""
    return await services(request).auth.authenticate(f"Bearer {secret}")


async def current(request: Request) -> Session:
    secret = request.cookies.get(COOKIE)
    if not secret:
        raise SignInNeeded()
    try:
        token = await authenticate(request, secret)
    except HubSpotError as error:
        raise SignInNeeded(error.message) from None
    return Session(token, secret)


def check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfRefused()


def check_csrf(request: Request, form: FormData, expected: str) -> None:
    check_origin(request)
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()


def sign_in_nonce(request: Request) -> str:
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_hex(16)


def is_secure(request: Request, tls_terminator: bool) -> bool:
    return tls_terminator or request.url.scheme == "https"


def set_cookie(response: Response, name: str, value: str, *, secure: bool) -> None:
    response.set_cookie(
        name, value, path=PATH, httponly=True, samesite="lax", secure=secure, max_age=None
    )


def clear_cookie(response: Response, name: str, *, secure: bool) -> None:
    response.delete_cookie(name, path=PATH, httponly=True, samesite="lax", secure=secure)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of the UI, never another site."""
    unsafe = ("//", "\\", "\n", "\r")
    if target and target.startswith(PATH + "/") and not any(u in target for u in unsafe):
        return target
    return PATH + "/"
