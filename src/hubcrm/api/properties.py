"""Routes of the properties API: decode, call one domain function, encode."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api import render
from hubcrm.api.access import authorize
from hubcrm.api.requests import query_bool, read_json, state
from hubcrm.api.responses import json_response
from hubcrm.protocol import wire


async def list_properties(request: Request) -> Response:
    token, kind = await authorize(request)
    archived = query_bool(request, "archived")
    found = await state(request).properties.list(token.portal_id, kind, archived=archived)
    return json_response(
        wire.PropertyCollection([render.property_definition(d, archived) for d in found])
    )


async def get_property(request: Request) -> Response:
    token, kind = await authorize(request)
    archived = query_bool(request, "archived")
    found = await state(request).properties.get(
        token.portal_id, kind, request.path_params["name"], archived=archived
    )
    return json_response(render.property_definition(found, archived))


async def create_property(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.property_create)
    created = await state(request).properties.create(token.portal_id, kind, body)
    return json_response(render.property_definition(created, False), status=201)


async def update_property(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.property_update)
    updated = await state(request).properties.update(
        token.portal_id, kind, request.path_params["name"], body
    )
    return json_response(render.property_definition(updated, False))


async def archive_property(request: Request) -> Response:
    token, kind = await authorize(request)
    await state(request).properties.archive(token.portal_id, kind, request.path_params["name"])
    return Response(status_code=204)
