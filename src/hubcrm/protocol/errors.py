"""HubSpot's error model, as data. No web framework is imported here.

    HubSpotError                      status 400 unless a subclass says otherwise
    ├── ValidationError               400 VALIDATION_ERROR
    │   └── PropertyValuesInvalid     400 VALIDATION_ERROR, one ErrorDetail per bad value
    ├── InvalidAuthentication         401 INVALID_AUTHENTICATION
    ├── ExpiredAuthentication         401 EXPIRED_AUTHENTICATION
    ├── MissingScopes                 403 MISSING_SCOPES
    ├── ObjectNotFound                404 OBJECT_NOT_FOUND
    ├── RouteNotFound                 404 OBJECT_NOT_FOUND
    ├── MethodNotAllowed              405 VALIDATION_ERROR
    ├── Conflict                      409 CONFLICT
    ├── PayloadTooLarge               413 VALIDATION_ERROR
    ├── Locked                        423 LOCKED (writes kept losing races, or a fault rule)
    ├── HeadersTooLarge               431 VALIDATION_ERROR
    ├── RateLimited                   429 errorType RATE_LIMIT (HubSpot's own body shape)
    ├── MigrationInProgress           477 MIGRATION_IN_PROGRESS (injected by fault rules)
    ├── ServiceUnavailable            503 SERVICE_UNAVAILABLE, Retry-After (the database is
    │                                 unreachable, full, read-only, or too busy to queue more)
    ├── InternalError                 500 INTERNAL_ERROR (never raised on purpose)
    ├── OAuthError                    400 HubSpot's OAuth body: status, message, error (RFC 6749)
    └── AuthorizeRefused              400 the authorize page's refusal (an HTML page)

Each error renders as HubSpot's envelope in api/errors.py (RateLimited as HubSpot's 429 body), and
as a StandardError entry of a 207 answer through `standard_error()`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

from hubcrm.protocol import messages

Context = dict[str, list[str]]


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of an error's `errors[]`."""

    message: str
    code: str | None = None
    context: Context | None = None


class HubSpotError(Exception):
    status: ClassVar[int] = 400
    category: ClassVar[str] = "VALIDATION_ERROR"

    def __init__(
        self,
        message: str,
        *,
        errors: list[ErrorDetail] | None = None,
        context: Context | None = None,
        links: dict[str, str] | None = None,
        sub_category: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.context = context
        self.links = links
        self.sub_category = sub_category

    def headers(self) -> dict[str, str]:
        """Response headers HubSpot sends with this error."""
        return {}


class ValidationError(HubSpotError):
    pass


class InvalidAuthentication(HubSpotError):
    status = 401
    category = "INVALID_AUTHENTICATION"

    def headers(self) -> dict[str, str]:
        return {"x-hubspot-auth-failure": "401 Unauthorized"}


class ExpiredAuthentication(InvalidAuthentication):
    category = "EXPIRED_AUTHENTICATION"


class MissingScopes(HubSpotError):
    status = 403
    category = "MISSING_SCOPES"

    def __init__(self, required: list[str]) -> None:
        super().__init__(
            messages.MISSING_SCOPES,
            errors=[
                ErrorDetail(
                    messages.MISSING_SCOPES_DETAIL, context={"requiredGranularScopes": required}
                )
            ],
            links={"scopes": messages.SCOPES_LINK},
        )


class ObjectNotFound(HubSpotError):
    status = 404
    category = "OBJECT_NOT_FOUND"


class RouteNotFound(HubSpotError):
    status = 404
    category = "OBJECT_NOT_FOUND"


class MethodNotAllowed(HubSpotError):
    status = 405


class Conflict(HubSpotError):
    status = 409
    category = "CONFLICT"


class PayloadTooLarge(HubSpotError):
    status = 413


class Locked(HubSpotError):
    status = 423
    category = "LOCKED"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "2"}  # HubSpot: wait at least 2 seconds after a 423


class HeadersTooLarge(HubSpotError):
    status = 431


class MigrationInProgress(HubSpotError):
    status = 477
    category = "MIGRATION_IN_PROGRESS"


class RateLimited(HubSpotError):
    """Over one of the portal's rate-limit policies; clients retry after `retry_after` seconds."""

    status = 429
    category = "RATE_LIMIT"

    def __init__(self, message: str, policy_name: str, retry_after: int) -> None:
        super().__init__(message)
        self.policy_name = policy_name
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServiceUnavailable(HubSpotError):
    """The database cannot take this request now; nothing of it was written (or, when the
    connection died during commit, the outcome is unknown). Retry after `retry_after` seconds."""

    status = 503
    category = "SERVICE_UNAVAILABLE"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class InternalError(HubSpotError):
    status = 500
    category = "INTERNAL_ERROR"


@dataclass(frozen=True)
class PropertyIssue:
    """One rejected property value: HubSpot's validation result for it."""

    name: str
    code: str
    message: str


class PropertyValuesInvalid(ValidationError):
    """All rejected values of one input (or of a whole batch), reported together."""

    def __init__(
        self, issues: list[PropertyIssue], portal_id: int, context: Context | None = None
    ) -> None:
        self.issues = issues
        details = [
            {
                "isValid": False,
                "message": issue.message,
                "error": issue.code,
                "name": issue.name,
                "localizedErrorMessage": issue.message,
                "portalId": portal_id,
            }
            for issue in issues
        ]
        super().__init__(
            messages.PROPERTY_VALUES_INVALID.format(
                details=json.dumps(details, separators=(",", ":"), ensure_ascii=False)
            ),
            errors=[
                ErrorDetail(issue.message, issue.code, {"propertyName": [issue.name]})
                for issue in issues
            ],
            context=context,
        )


# Apps and OAuth


class OAuthError(HubSpotError):
    """An OAuth endpoint's refusal: HubSpot's `status` (BAD_AUTH_CODE, ...), its message and the
    RFC 6749 `error` it added in 2026, as the triples in protocol/messages.py."""

    def __init__(self, triple: tuple[str, str, str], status: int = 400) -> None:
        super().__init__(triple[1])
        self.oauth_status, _, self.error = triple
        self.http_status = status


class AuthorizeRefused(HubSpotError):
    """The authorize page refusing an install URL: a page for a person, not JSON."""
