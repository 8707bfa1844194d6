"""Contacts v1: the list readers that survived the v1 lists sunset, profiles, and the two
writes older integrations use."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api.access import authorize_legacy
from hubcrm.api.legacy.query import legacy_int, legacy_list
from hubcrm.api.requests import decode, read_body, state
from hubcrm.api.responses import json_response
from hubcrm.domain.legacy.contacts import LIST_DEFAULT_PROPERTIES, LegacyContacts
from hubcrm.domain.records import Actor
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ValidationError
from hubcrm.protocol.legacy import (
    Contact,
    ContactsPage,
    ContactWritten,
    LegacyBadRequest,
    batch_contacts,
    contact_write,
)
from hubcrm.store.base import Record, Token

T = TypeVar("T")


def _actor(token: Token) -> Actor:
    """Who writes, as v3 writes record it (an OAuth app is the webhooks' changeSource)."""
    return Actor(token.portal_id, str(token.token_id), token.app_id)


def _contacts(request: Request) -> LegacyContacts:
    return LegacyContacts(state(request).records)


def _mode(request: Request, default: str) -> bool:
    """Whether `propertyMode` asks for history (value_and_history) or not (value_only)."""
    mode = request.query_params.get("propertyMode") or default
    if mode not in ("value_only", "value_and_history"):
        raise LegacyBadRequest(
            messages.LEGACY_INVALID_BOOLEAN.format(name="propertyMode", value=mode)
        )
    return mode == "value_and_history"


async def _page(
    request: Request, token: Token, page: list[Record], added: list[int]
) -> list[Contact]:
    contacts = _contacts(request)
    names = legacy_list(request, "property") or list(LIST_DEFAULT_PROPERTIES)
    with_history = _mode(request, "value_only")
    return [
        await contacts.view(
            token.portal_id, record, names=names, with_history=with_history, added_at=at
        )
        for record, at in zip(page, added, strict=True)
    ]


async def contacts_v1_all(request: Request) -> Response:
    token, _ = await authorize_legacy(request, "contacts")
    page = await _contacts(request).all(
        token.portal_id,
        vid_offset=legacy_int(request, "vidOffset"),
        count=legacy_int(request, "count"),
    )
    shown = await _page(request, token, page.records, [r.created_at for r in page.records])
    return json_response(
        ContactsPage(contacts=shown, has_more=page.has_more, vid_offset=page.vid_offset)
    )


async def contacts_v1_recent(request: Request) -> Response:
    token, _ = await authorize_legacy(request, "contacts")
    created = request.url.path.rstrip("/").endswith("/lists/all/contacts/recent")
    page = await _contacts(request).recent(
        token.portal_id,
        created=created,
        time_offset=legacy_int(request, "timeOffset"),
        vid_offset=legacy_int(request, "vidOffset"),
        count=legacy_int(request, "count"),
    )
    added = [r.created_at if created else r.updated_at for r in page.records]
    shown = await _page(request, token, page.records, added)
    return json_response(
        ContactsPage(
            contacts=shown,
            has_more=page.has_more,
            vid_offset=page.vid_offset,
            time_offset=page.time_offset or 0,
        )
    )


async def _profile(request: Request, token: Token, record: Record) -> Response:
    contact = await _contacts(request).view(
        token.portal_id,
        record,
        names=legacy_list(request, "property"),
        # Profiles show every property's versions unless asked not to.
        with_history=_mode(request, "value_and_history"),
        profile=True,
    )
    return json_response(contact)


async def contacts_v1_by_vid(request: Request) -> Response:
    token, _ = await authorize_legacy(request, "contacts")
    record = await _contacts(request).by_vid(token.portal_id, request.path_params["vid"])
    return await _profile(request, token, record)


async def contacts_v1_by_email(request: Request) -> Response:
    token, _ = await authorize_legacy(request, "contacts")
    record = await _contacts(request).by_email(token.portal_id, request.path_params["email"])
    return await _profile(request, token, record)


async def contacts_v1_create_or_update(request: Request) -> Response:
    token, _ = await authorize_legacy(request, "contacts")
    body = _decoded(await read_body(request), contact_write)
    vid, new = await _contacts(request).create_or_update(
        Actor(token.portal_id, str(token.token_id), token.app_id),
        request.path_params["email"],
        body.properties,
    )
    return json_response(ContactWritten(vid=vid, is_new=new))


async def contacts_v1_batch(request: Request) -> Response:
    token, _ = await authorize_legacy(request, "contacts")
    items = _decoded(await read_body(request), batch_contacts)
    await _contacts(request).batch(_actor(token), items)
    return Response(status_code=202)


def _decoded(raw: bytes, decoder: msgspec.json.Decoder[T]) -> T:
    try:
        return decode(raw, decoder)
    except ValidationError as error:
        raise LegacyBadRequest(error.message) from None
