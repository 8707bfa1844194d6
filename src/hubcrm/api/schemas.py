"""Routes of the schemas API (custom object types): decode, call one domain function, encode."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api import render
from hubcrm.api.access import authorize_fixed
from hubcrm.api.requests import query_bool, read_json, state
from hubcrm.api.responses import json_response
from hubcrm.domain.clock import format_ms
from hubcrm.domain.objects import ObjectType, standard_type
from hubcrm.domain.schemas import CustomSchema
from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.protocol.schemas import (
    Labels,
    ObjectSchema,
    ObjectSchemaCollection,
    ObjectTypeDefinition,
    schema_create,
    schema_patch,
)

# HubSpot's own types answer with the creation date it records for them.
_EPOCH = "1970-01-01T00:00:00Z"


async def list_schemas(request: Request) -> Response:
    token = await authorize_fixed(request)
    app = state(request)
    found = await app.schemas.listed(token.portal_id, archived=query_bool(request, "archived"))
    results = [_custom(s, await app.schemas.properties(token.portal_id, s)) for s in found]
    return json_response(ObjectSchemaCollection(results))


async def get_schema(request: Request) -> Response:
    token = await authorize_fixed(request)
    app = state(request)
    ref = request.path_params["object_type"]
    standard = standard_type(ref)
    if standard is not None:
        definitions = await app.properties.list(token.portal_id, standard)
        return json_response(_standard(standard, definitions))
    found = await app.schemas.get(token.portal_id, ref, archived=query_bool(request, "archived"))
    return json_response(_custom(found, await app.schemas.properties(token.portal_id, found)))


async def create_schema(request: Request) -> Response:
    token = await authorize_fixed(request)
    body = await read_json(request, schema_create)
    app = state(request)
    created = await app.schemas.create(token.portal_id, body)
    properties = await app.schemas.properties(token.portal_id, created)
    return json_response(_custom(created, properties), status=201)


async def update_schema(request: Request) -> Response:
    token = await authorize_fixed(request)
    body = await read_json(request, schema_patch)
    updated = await state(request).schemas.update(
        token.portal_id, request.path_params["object_type"], body
    )
    return json_response(_definition(updated, token.portal_id))


async def archive_schema(request: Request) -> Response:
    token = await authorize_fixed(request)
    await state(request).schemas.archive(
        token.portal_id, request.path_params["object_type"], purge=query_bool(request, "archived")
    )
    return Response(status_code=204)


def _custom(schema: CustomSchema, properties: list[PropertyDefinition]) -> ObjectSchema:
    stored, kind = schema.stored, schema.object_type
    return ObjectSchema(
        id=kind.type_id.split("-", 1)[1],
        object_type_id=kind.type_id,
        name=kind.name,
        fully_qualified_name=kind.fully_qualified_name,
        labels=Labels(stored.singular, stored.plural),
        required_properties=stored.required_properties,
        searchable_properties=stored.searchable_properties,
        secondary_display_properties=stored.secondary_display_properties,
        properties=[render.property_definition(d, False) for d in properties],
        associations=stored.associations,
        archived=schema.archived,
        created_at=format_ms(stored.created_at),
        updated_at=format_ms(stored.updated_at),
        meta_type="PORTAL_SPECIFIC",
        primary_display_property=stored.primary_display_property,
        description=stored.description,
    )


def _standard(kind: ObjectType, properties: list[PropertyDefinition]) -> ObjectSchema:
    return ObjectSchema(
        id=kind.type_id.split("-", 1)[1],
        object_type_id=kind.type_id,
        name=kind.name,
        fully_qualified_name=kind.fully_qualified_name,
        labels=Labels(kind.label, kind.plural_label),
        required_properties=list(kind.required_properties),
        searchable_properties=list(kind.search_properties),
        secondary_display_properties=list(kind.secondary_display_properties),
        properties=[render.property_definition(d, False) for d in properties],
        associations=[],
        archived=False,
        created_at=_EPOCH,
        updated_at=_EPOCH,
        meta_type="HUBSPOT",
        primary_display_property=kind.primary_display_property,
    )


def _definition(schema: CustomSchema, portal_id: int) -> ObjectTypeDefinition:
    stored, kind = schema.stored, schema.object_type
    return ObjectTypeDefinition(
        id=kind.type_id.split("-", 1)[1],
        object_type_id=kind.type_id,
        name=kind.name,
        fully_qualified_name=kind.fully_qualified_name,
        labels=Labels(stored.singular, stored.plural),
        required_properties=stored.required_properties,
        searchable_properties=stored.searchable_properties,
        secondary_display_properties=stored.secondary_display_properties,
        archived=schema.archived,
        created_at=format_ms(stored.created_at),
        updated_at=format_ms(stored.updated_at),
        portal_id=portal_id,
        primary_display_property=stored.primary_display_property,
        description=stored.description,
    )
