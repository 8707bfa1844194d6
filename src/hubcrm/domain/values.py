"""Checking property values against their definitions. Pure functions.

A value arrives as text (HubSpot's wire type for every property value) and leaves either
normalised, as hubcrm stores it, or as a PropertyIssue carrying HubSpot's code and message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from hubcrm.domain.clock import format_ms
from hubcrm.protocol import messages
from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.protocol.errors import PropertyIssue

MAX_VALUE_LENGTH = 65_536


# Permissive on purpose: HubSpot accepts any address with one @, a local part and a dotted domain.
_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,.]+$")
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")
_EPOCH_MS = re.compile(r"^-?\d{1,15}$")
_DAY_MS = 86_400_000


class ValueRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message


def checker(
    definition: PropertyDefinition, *, email: bool = False, multi: bool = False
) -> Callable[[str], str]:
    """The check of one property's values, its rules looked up once (a batch checks a thousand
    values): it returns a value as stored, or raises ValueRejected with HubSpot's code and
    message. `email` and `multi` come from the object type (see objects.ObjectType). An empty
    string always passes: it clears the value."""
    typed = _CHECKERS.get(definition.type, _string)

    def check(value: str) -> str:
        if value == "":
            return value
        if len(value) > MAX_VALUE_LENGTH:
            raise ValueRejected(
                "INVALID_STRING",
                messages.VALUE_TOO_LONG.format(name=definition.name, limit=MAX_VALUE_LENGTH),
            )
        if email:
            return ";".join(_email(item) for item in _items(value, multi))
        return typed(definition, value)

    return check


def issue_for(definition_name: str, rejected: ValueRejected) -> PropertyIssue:
    return PropertyIssue(definition_name, rejected.code, rejected.message)


def _items(value: str, multi: bool) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()] if multi else [value]


def _email(value: str) -> str:
    normalised = value.strip().lower()
    if not _EMAIL.match(normalised):
        raise ValueRejected("INVALID_EMAIL", messages.INVALID_EMAIL.format(value=value))
    return normalised


def _string(_: PropertyDefinition, value: str) -> str:
    return value


def _number(_: PropertyDefinition, value: str) -> str:
    if not _NUMBER.match(value):
        raise ValueRejected("INVALID_INTEGER", messages.INVALID_NUMBER.format(value=value))
    return value


def _bool(_: PropertyDefinition, value: str) -> str:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise ValueRejected(
            "INVALID_OPTION", messages.INVALID_OPTION.format(value=value, options="true, false")
        )
    return lowered


def _enumeration(definition: PropertyDefinition, value: str) -> str:
    if definition.external_options and not definition.options:
        return value  # options live elsewhere (owners, teams): nothing to check against
    allowed = [option.value for option in definition.options]
    chosen = value.split(";") if definition.multi_select else [value]
    for item in chosen:
        if item not in allowed:
            raise ValueRejected(
                "INVALID_OPTION",
                messages.INVALID_OPTION.format(value=item, options=", ".join(allowed)),
            )
    return value


def _date(_: PropertyDefinition, value: str) -> str:
    """Dates are stored as YYYY-MM-DD; epoch milliseconds must fall on midnight UTC."""
    rejected = ValueRejected("INVALID_DATE", messages.INVALID_DATE.format(value=value))
    if _EPOCH_MS.match(value):
        moment = _from_ms(int(value), rejected)
        if int(value) % _DAY_MS:
            raise ValueRejected(
                "INVALID_DATE",
                messages.DATE_NOT_MIDNIGHT.format(
                    value=value,
                    hour=moment.hour,
                    minute=moment.minute,
                    second=moment.second,
                    millis=moment.microsecond // 1000,
                ),
            )
        return moment.date().isoformat()
    if len(value) != 10:
        raise rejected
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise rejected from None


def _datetime(_: PropertyDefinition, value: str) -> str:
    """Datetimes are stored in HubSpot's read format, ISO-8601 UTC with milliseconds."""
    rejected = ValueRejected("INVALID_DATETIME", messages.INVALID_DATETIME.format(value=value))
    if _EPOCH_MS.match(value):
        return format_ms(int(_from_ms(int(value), rejected).timestamp() * 1000))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise rejected from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_ms(round(moment.timestamp() * 1000))


def _from_ms(ms: int, rejected: ValueRejected) -> datetime:
    try:
        return datetime.fromtimestamp(ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise rejected from None


_CHECKERS: dict[str, Callable[[PropertyDefinition, str], str]] = {
    "string": _string,
    "phone_number": _string,
    "number": _number,
    "bool": _bool,
    "enumeration": _enumeration,
    "date": _date,
    "datetime": _datetime,
}
