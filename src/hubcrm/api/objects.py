"""Routes of the objects API: decode, call one domain function, encode."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hubcrm import wire
from hubcrm.api import render
from hubcrm.api.access import authorize
from hubcrm.api.requests import query_bool, query_list, read_json, state
from hubcrm.api.responses import json_response
from hubcrm.records import Actor


async def batch_upsert(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.batch_upsert_request)
    actor = Actor(token.portal_id, str(token.token_id))
    outcome = await state(request).records.batch_upsert(actor, kind, body.inputs)
    return json_response(
        render.batch_upsert(kind, token.portal_id, outcome), status=207 if outcome.failures else 200
    )


async def get_record(request: Request) -> Response:
    token, kind = await authorize(request)
    records = state(request).records
    found = await records.get(
        token.portal_id,
        kind,
        request.path_params["record_id"],
        id_property=request.query_params.get("idProperty"),
        archived=query_bool(request, "archived"),
    )
    with_history = query_list(request, "propertiesWithHistory")
    history = (
        await records.history(token.portal_id, kind, found, with_history) if with_history else None
    )
    properties = render.selected(kind, found, query_list(request, "properties"))
    return json_response(render.record(kind, token.portal_id, found, properties, history))
