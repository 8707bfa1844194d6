"""Query parameters of the legacy APIs; a bad one is a 400 in the legacy envelope."""

from __future__ import annotations

from starlette.requests import Request

from hubcrm.protocol import messages
from hubcrm.protocol.legacy import LegacyBadRequest

# Beyond any id or instant: larger numbers are refused rather than overflowing the database.
_MAX_INT = 2**62


def legacy_int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or abs(number) > _MAX_INT:
        raise LegacyBadRequest(messages.LEGACY_INVALID_INTEGER.format(name=name, value=value))
    return number


def legacy_bool(request: Request, name: str) -> bool:
    value = request.query_params.get(name)
    if value is None or value == "":
        return False
    if value.lower() not in ("true", "false"):
        raise LegacyBadRequest(messages.LEGACY_INVALID_BOOLEAN.format(name=name, value=value))
    return value.lower() == "true"


def legacy_list(request: Request, name: str) -> list[str] | None:
    """A repeated parameter (`?properties=a&properties=b`; commas also split); None if absent."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]
