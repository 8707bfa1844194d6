"""The schemas API's JSON (custom object types), as typed structs: requests, responses, and the
definition hubcrm stores for each schema. The official SDK's `crm.schemas` models are the schema."""

from __future__ import annotations

import msgspec

from hubcrm.protocol.wire import Name, Property, PropertyCreate, Struct


class Labels(Struct):
    singular: Name | None = None
    plural: Name | None = None


# Requests


class SchemaPropertyCreate(PropertyCreate):
    # A schema's own properties may leave out their group: "<name>_information".
    group_name: str = ""


class ObjectSchemaEgg(Struct):
    name: Name
    labels: Labels
    properties: list[SchemaPropertyCreate] = msgspec.field(default_factory=list)
    required_properties: list[Name] = msgspec.field(default_factory=list)
    searchable_properties: list[Name] | None = None
    primary_display_property: Name | None = None
    secondary_display_properties: list[Name] = msgspec.field(default_factory=list)
    associated_objects: list[Name] = msgspec.field(default_factory=list)
    description: str | None = None


class ObjectSchemaPatch(Struct):
    labels: Labels | None = None
    required_properties: list[Name] | None = None
    searchable_properties: list[Name] | None = None
    primary_display_property: Name | None = None
    secondary_display_properties: list[Name] | None = None
    description: str | None = None
    clear_description: bool | None = None
    restorable: bool | None = None


# What hubcrm stores per schema (store/base/ keeps it as opaque JSON).


class AssociationDefinition(Struct):
    id: str
    from_object_type_id: str
    to_object_type_id: str
    name: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class StoredSchema(Struct):
    name: str
    object_type_id: str
    singular: str
    plural: str
    required_properties: list[str]
    searchable_properties: list[str]
    secondary_display_properties: list[str]
    associations: list[AssociationDefinition]
    created_at: int
    updated_at: int
    primary_display_property: str | None = None
    description: str | None = None
    archived_at: int | None = None


# Responses


class ObjectSchema(Struct):
    id: str
    object_type_id: str
    name: str
    fully_qualified_name: str
    labels: Labels
    required_properties: list[str]
    searchable_properties: list[str]
    secondary_display_properties: list[str]
    properties: list[Property]
    associations: list[AssociationDefinition]
    archived: bool
    created_at: str
    updated_at: str
    meta_type: str  # PORTAL_SPECIFIC, or HUBSPOT for HubSpot's own types
    primary_display_property: str | None = None
    description: str | None = None


class ObjectTypeDefinition(Struct):
    id: str
    object_type_id: str
    name: str
    fully_qualified_name: str
    labels: Labels
    required_properties: list[str]
    searchable_properties: list[str]
    secondary_display_properties: list[str]
    archived: bool
    created_at: str
    updated_at: str
    portal_id: int
    primary_display_property: str | None = None
    description: str | None = None


class ObjectSchemaCollection(Struct):
    results: list[ObjectSchema]


schema_create = msgspec.json.Decoder(ObjectSchemaEgg)
schema_patch = msgspec.json.Decoder(ObjectSchemaPatch)
stored_schema = msgspec.json.Decoder(StoredSchema)
encode_stored = msgspec.json.Encoder().encode
