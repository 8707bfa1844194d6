"""Routes of the objects API: decode, call one domain function, encode."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api import render
from hubcrm.api.access import authorize
from hubcrm.api.requests import query_bool, query_int, query_list, read_json, state
from hubcrm.api.responses import json_response
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import Actor
from hubcrm.protocol import wire
from hubcrm.store.base import Record, Token


def _actor(token: Token) -> Actor:
    return Actor(token.portal_id, str(token.token_id), token.app_id)


async def batch_upsert(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.batch_upsert_request)
    outcome = await state(request).records.batch_upsert(_actor(token), kind, body.inputs)
    return json_response(
        render.batch_upsert(kind, token.portal_id, outcome), status=207 if outcome.failures else 200
    )


async def batch_create(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.batch_create_request)
    outcome = await state(request).associations.create_records(_actor(token), kind, body.inputs)
    return json_response(
        render.batch_written(kind, token.portal_id, outcome),
        status=207 if outcome.failures else 201,
    )


async def batch_update(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.batch_update_request)
    outcome = await state(request).records.batch_update(_actor(token), kind, body.inputs)
    failed = outcome.failures or outcome.missing
    return json_response(
        render.batch_written(kind, token.portal_id, outcome), status=207 if failed else 200
    )


async def batch_archive(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.batch_archive_request)
    await state(request).records.archive(_actor(token), kind, [str(i.id) for i in body.inputs])
    return Response(status_code=204)


async def batch_read(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.batch_read_request)
    app = state(request)
    started = app.clock.now_ms()
    found, missing = await app.records.read_batch(
        token.portal_id,
        kind,
        [str(i.id) for i in body.inputs],
        id_property=body.id_property,
        archived=query_bool(request, "archived"),
        with_history=bool(body.properties_with_history),
    )
    results = [
        await _shown(request, token, kind, r, body.properties, body.properties_with_history)
        for r in found
    ]
    answer = render.batch_read(kind, token.portal_id, results, missing, started, app.clock.now_ms())
    return json_response(answer, status=207 if missing else 200)


async def create_record(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.create_request)
    outcome = await state(request).associations.create_records(_actor(token), kind, [body])
    created = outcome.results[0].record
    return json_response(render.written(kind, token.portal_id, created), status=201)


async def update_record(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.update_request)
    updated = await state(request).records.update(
        _actor(token),
        kind,
        request.path_params["record_id"],
        body.properties,
        id_property=request.query_params.get("idProperty"),
    )
    return json_response(render.written(kind, token.portal_id, updated))


async def archive_record(request: Request) -> Response:
    token, kind = await authorize(request)
    await state(request).records.archive(_actor(token), kind, [request.path_params["record_id"]])
    return Response(status_code=204)


async def get_record(request: Request) -> Response:
    token, kind = await authorize(request)
    found = await state(request).records.get(
        token.portal_id,
        kind,
        request.path_params["record_id"],
        id_property=request.query_params.get("idProperty"),
        archived=query_bool(request, "archived"),
    )
    shown = await _shown(
        request,
        token,
        kind,
        found,
        query_list(request, "properties"),
        query_list(request, "propertiesWithHistory"),
        with_associations=True,
    )
    return json_response(shown)


async def list_records(request: Request) -> Response:
    token, kind = await authorize(request)
    page = await state(request).records.page(
        token.portal_id,
        kind,
        after=request.query_params.get("after"),
        limit=query_int(request, "limit"),
        archived=query_bool(request, "archived"),
    )
    names, with_history = (
        query_list(request, "properties"),
        query_list(request, "propertiesWithHistory"),
    )
    results = [
        await _shown(request, token, kind, r, names, with_history, with_associations=True)
        for r in page.records
    ]
    link = (
        str(request.url.include_query_params(after=page.next_after))
        if page.next_after is not None
        else None
    )
    return json_response(render.listing(results, page, link))


async def search(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.search_request)
    found = await state(request).records.search(token.portal_id, kind, body)
    return json_response(render.search(kind, token.portal_id, found))


async def _shown(
    request: Request,
    token: Token,
    kind: ObjectType,
    record: Record,
    names: list[str] | None,
    with_history: list[str] | None,
    *,
    with_associations: bool = False,
) -> wire.SimplePublicObject:
    """A record as reads show it: the named (or default) properties, and any history asked for."""
    records = state(request).records
    history = (
        await records.history(token.portal_id, kind, record, with_history) if with_history else None
    )
    properties = render.selected(kind, record, names)
    shown = render.record(kind, token.portal_id, record, properties, history)
    # `?associations=` is read by single reads and lists only, as in HubSpot.
    associated = query_list(request, "associations") if with_associations else None
    if associated:
        block = await state(request).associations.v3_block(
            token.portal_id, kind, record.record_id, associated
        )
        shown.associations = render.associations(request.base_url, kind, record, block)
    return shown
