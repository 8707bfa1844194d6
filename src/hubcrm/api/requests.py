"""Reading what a request carries: its token, its JSON body and its query parameters."""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec
from starlette.requests import ClientDisconnect, Request

from hubcrm.api.state import AppState
from hubcrm.protocol import messages
from hubcrm.protocol.errors import PayloadTooLarge, ValidationError

T = TypeVar("T")

_BYTE_OFFSET = re.compile(r"\(byte (\d+)\)")
# The escape of U+0000 in a JSON string (not preceded by an escaped backslash): PostgreSQL
# stores no NUL character, so a body holding one is refused on every store alike.
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def state(request: Request) -> AppState:
    app_state: AppState = request.app.state.hubcrm
    return app_state


async def read_json(request: Request, decoder: msgspec.json.Decoder[T]) -> T:
    return decode(await read_body(request), decoder)


async def read_body(request: Request) -> bytes:
    limit = state(request).settings.max_body_bytes
    too_large = PayloadTooLarge(messages.BODY_TOO_LARGE.format(limit=limit))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:
        raise ValidationError(
            messages.INVALID_JSON.format(detail="request body incomplete")
        ) from None
    return b"".join(chunks)


def decode(raw: bytes, decoder: msgspec.json.Decoder[T]) -> T:
    if b"\\u0000" in raw and (nul := _NUL_ESCAPE.search(raw)):
        offset = nul.end() - len(b"\\u0000")
        raise ValidationError(_syntax_message(raw, f"NUL character \\u0000 (byte {offset})"))
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as error:
        raise ValidationError(messages.INVALID_JSON.format(detail=error)) from None
    except msgspec.DecodeError as error:
        detail = str(error)
        if "UTF-8" in detail:  # msgspec 0.23 on invalid UTF-8, without saying where
            detail = _utf8_detail(raw)
        raise ValidationError(_syntax_message(raw, detail)) from None
    except UnicodeDecodeError:  # msgspec before 0.23 on invalid UTF-8
        raise ValidationError(_syntax_message(raw, _utf8_detail(raw))) from None
    except RecursionError:
        raise ValidationError(messages.INVALID_JSON.format(detail="nesting too deep")) from None


def _utf8_detail(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"invalid UTF-8 (byte {error.start})"
    return "invalid UTF-8"


def _syntax_message(raw: bytes, detail: str) -> str:
    found = _BYTE_OFFSET.search(detail)
    if not found:
        return messages.INVALID_JSON.format(detail=detail)
    offset = int(found.group(1))
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return messages.INVALID_JSON_AT.format(line=line, column=column, detail=detail)


def query_list(request: Request, name: str) -> list[str] | None:
    """A list parameter, repeated (`?p=a&p=b`) or comma-separated (`?p=a,b`); None if absent."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def query_bool(request: Request, name: str, default: bool = False) -> bool:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    if value.lower() not in ("true", "false"):
        raise ValidationError(messages.INVALID_QUERY_BOOL.format(name=name, value=value))
    return value.lower() == "true"


def query_int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(messages.INVALID_QUERY_INT.format(name=name, value=value)) from None
