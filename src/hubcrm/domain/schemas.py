"""Custom object types: the schemas API's domain, and naming any object type a request names.

A portal's custom object types are data in the store (one schema each); `ObjectTypes.resolve` is
the one place a path's object type is named, standard or custom. A portal's schemas are cached
until their version in the store moves on, so that many stateless processes agree.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import TypeVar

import msgspec

from hubcrm.domain.clock import Clock
from hubcrm.domain.objects import (
    CUSTOM_READ,
    CUSTOM_WRITE,
    OBJECT_TYPES,
    RECORD_URL,
    SCHEMAS_READ,
    SCHEMAS_WRITE,
    ObjectType,
    standard_type,
)
from hubcrm.domain.properties import define
from hubcrm.protocol import messages
from hubcrm.protocol.definitions import ModificationMetadata, PropertyDefinition
from hubcrm.protocol.errors import Conflict, ValidationError
from hubcrm.protocol.schemas import (
    AssociationDefinition,
    ObjectSchemaEgg,
    ObjectSchemaPatch,
    StoredSchema,
    encode_stored,
    stored_schema,
)
from hubcrm.store.base import Store, StoredObjectSchema
from hubcrm.store.errors import UniqueViolation

# What every custom object's records carry, maintained by hubcrm; returned by default.
CUSTOM_DEFAULT_PROPERTIES = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
_CACHE_SIZE = 10_000
T = TypeVar("T")


@dataclass(frozen=True)
class CustomSchema:
    """One stored custom object schema, decoded, and the object type it defines."""

    stored: StoredSchema
    object_type: ObjectType
    archived: bool


def fully_qualified_name(portal_id: int, name: str) -> str:
    return f"p{portal_id}_{name}"


def custom_type(portal_id: int, schema: StoredSchema) -> ObjectType:
    return ObjectType(
        name=schema.name,
        type_id=schema.object_type_id,
        label=schema.singular,
        plural_label=schema.plural,
        fully_qualified_name=fully_qualified_name(portal_id, schema.name),
        default_properties=CUSTOM_DEFAULT_PROPERTIES,
        search_properties=tuple(schema.searchable_properties),
        required_properties=tuple(schema.required_properties),
        read_scopes=CUSTOM_READ,
        write_scopes=CUSTOM_WRITE,
        schema_read_scopes=SCHEMAS_READ,
        schema_write_scopes=SCHEMAS_WRITE,
        created_property="hs_createdate",
        modified_property="hs_lastmodifieddate",
        primary_display_property=schema.primary_display_property,
        secondary_display_properties=tuple(schema.secondary_display_properties),
        record_url_template=RECORD_URL,
    )


def system_properties(name: str) -> list[PropertyDefinition]:
    """The HubSpot-defined properties every custom object has: its id and its two dates."""
    read_only = ModificationMetadata(
        archivable=False, read_only_definition=True, read_only_value=True
    )
    group = f"{name}_information"
    return [
        PropertyDefinition(
            name=prop,
            label=label,
            type=kind,
            field_type=field,
            group_name=group,
            hubspot_defined=True,
            data_sensitivity="non_sensitive",
            modification_metadata=read_only,
        )
        for prop, label, kind, field in (
            ("hs_object_id", "Record ID", "number", "number"),
            ("hs_createdate", "Object create date/time", "datetime", "date"),
            ("hs_lastmodifieddate", "Object last modified date/time", "datetime", "date"),
        )
    ]


@dataclass
class _Cached:
    version: int
    schemas: list[CustomSchema]
    live: dict[str, ObjectType]  # by type id and by fully qualified name


class ObjectTypes:
    """Names the object type of a request: a standard type, or one of the portal's schemas."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: OrderedDict[int, _Cached] = OrderedDict()

    async def resolve(self, portal_id: int, path_name: str) -> ObjectType:
        """The live object type a URL names, or HubSpot's 400."""
        found = standard_type(path_name) or (await self._cached(portal_id)).live.get(path_name)
        if found is None:
            raise ValidationError(messages.UNKNOWN_OBJECT_TYPE.format(name=path_name))
        return found

    async def by_type_id(self, portal_id: int, type_id: str) -> ObjectType | None:
        """The live object type with this id (for background work that knows only the id)."""
        found = standard_type(type_id)
        return found or (await self._cached(portal_id)).live.get(type_id)

    async def schemas(self, portal_id: int) -> list[CustomSchema]:
        """Every custom schema of the portal, archived ones too, in type id order."""
        return (await self._cached(portal_id)).schemas

    async def _cached(self, portal_id: int) -> _Cached:
        version = await self.store.schemas_version(portal_id)
        cached = self._cache.get(portal_id)
        if cached is not None and cached.version == version:
            self._cache.move_to_end(portal_id)
            return cached
        schemas = [
            _decoded(portal_id, stored) for stored in await self.store.object_schemas(portal_id)
        ]
        live: dict[str, ObjectType] = {}
        for schema in schemas:
            if not schema.archived:
                live[schema.object_type.type_id] = schema.object_type
                live[schema.object_type.fully_qualified_name] = schema.object_type
        cached = _Cached(version, schemas, live)
        self._cache[portal_id] = cached
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return cached


def _decoded(portal_id: int, stored: StoredObjectSchema) -> CustomSchema:
    schema = stored_schema.decode(stored.definition)
    return CustomSchema(schema, custom_type(portal_id, schema), stored.archived)


@dataclass(frozen=True)
class PreparedSchema:
    """A new schema, checked: what it stores once it has a type id, and its properties."""

    schema: StoredSchema
    properties: list[PropertyDefinition]
    targets: list[ObjectType]  # the types its records may be associated with

    def object_type(self, portal_id: int) -> ObjectType:
        """The type it will define (its id not yet allocated): enough to check records."""
        return custom_type(portal_id, self.schema)


class ObjectSchemas:
    """The schemas API: define, read, change and archive a portal's custom object types."""

    def __init__(self, store: Store, clock: Clock, types: ObjectTypes) -> None:
        self.store = store
        self.clock = clock
        self.types = types

    async def listed(self, portal_id: int, *, archived: bool = False) -> list[CustomSchema]:
        return [s for s in await self.types.schemas(portal_id) if s.archived == archived]

    async def get(self, portal_id: int, ref: str, *, archived: bool = False) -> CustomSchema:
        """The custom schema a path names by type id, fully qualified name or name."""
        for schema in await self.types.schemas(portal_id):
            kind = schema.object_type
            if schema.archived == archived and ref in (
                kind.type_id,
                kind.fully_qualified_name,
                kind.name,
            ):
                return schema
        raise ValidationError(messages.UNKNOWN_OBJECT_TYPE.format(name=ref))

    async def properties(self, portal_id: int, schema: CustomSchema) -> list[PropertyDefinition]:
        return await self.store.property_definitions(portal_id, schema.object_type.type_id)

    async def create(self, portal_id: int, egg: ObjectSchemaEgg) -> CustomSchema:
        return await self.write(portal_id, await self.prepare(portal_id, egg))

    async def prepare(self, portal_id: int, egg: ObjectSchemaEgg) -> PreparedSchema:
        """Check a new schema whole, writing nothing; HubSpot's 400 for what it may not ask."""
        name = egg.name
        if not _NAME.match(name) or standard_type(name) is not None:
            raise ValidationError(messages.SCHEMA_NAME_INVALID.format(name=name))
        if not egg.labels.singular or not egg.labels.plural:
            raise ValidationError(messages.SCHEMA_LABELS_REQUIRED.format(name=name))
        now = self.clock.now_ms()
        properties = system_properties(name)
        for spec in egg.properties:
            group = spec.group_name or f"{name}_information"
            definition = define(msgspec.structs.replace(spec, group_name=group), now)
            if any(p.name == definition.name for p in properties):
                raise ValidationError(
                    messages.SCHEMA_DUPLICATE_PROPERTY.format(property=definition.name, name=name)
                )
            properties.append(definition)
        primary = [egg.primary_display_property] if egg.primary_display_property else []
        searchable = primary if egg.searchable_properties is None else egg.searchable_properties
        _check_names(
            name,
            {p.name for p in properties},
            requiredProperties=egg.required_properties,
            searchableProperties=searchable,
            primaryDisplayProperty=primary,
            secondaryDisplayProperties=egg.secondary_display_properties,
        )
        targets = [
            await self._association_target(portal_id, name, t) for t in egg.associated_objects
        ]
        schema = StoredSchema(
            name=name,
            object_type_id="",  # allocated when written
            singular=egg.labels.singular,
            plural=egg.labels.plural,
            required_properties=list(egg.required_properties),
            searchable_properties=list(searchable),
            secondary_display_properties=list(egg.secondary_display_properties),
            associations=[],
            created_at=now,
            updated_at=now,
            primary_display_property=egg.primary_display_property,
            description=egg.description,
        )
        return PreparedSchema(schema, properties, targets)

    async def write(self, portal_id: int, prepared: PreparedSchema) -> CustomSchema:
        """Store a prepared schema under the next type id; 409 if its name is taken."""
        name = prepared.schema.name

        def build(type_id: str) -> tuple[bytes, list[PropertyDefinition]]:
            number = int(type_id.split("-", 1)[1])
            associations = [
                AssociationDefinition(
                    id=str(number * 1000 + position + 1),
                    from_object_type_id=type_id,
                    to_object_type_id=target.type_id,
                    name=f"{name}_to_{target.name}".lower(),
                )
                for position, target in enumerate(prepared.targets)
            ]
            stored = msgspec.structs.replace(
                prepared.schema, object_type_id=type_id, associations=associations
            )
            return encode_stored(stored), prepared.properties

        try:
            added = await self.store.add_object_schema(portal_id, name, build)
        except UniqueViolation:
            raise Conflict(messages.SCHEMA_EXISTS.format(name=name)) from None
        return _decoded(portal_id, added)

    async def update(self, portal_id: int, ref: str, patch: ObjectSchemaPatch) -> CustomSchema:
        current = await self._custom(portal_id, ref)
        schema = current.stored
        definitions = await self.properties(portal_id, current)
        _check_names(
            schema.name,
            {d.name for d in definitions},
            requiredProperties=patch.required_properties or [],
            searchableProperties=patch.searchable_properties or [],
            primaryDisplayProperty=[patch.primary_display_property]
            if patch.primary_display_property
            else [],
            secondaryDisplayProperties=patch.secondary_display_properties or [],
        )
        labels = patch.labels
        description = (
            None if patch.clear_description else _or(patch.description, schema.description)
        )
        updated = msgspec.structs.replace(
            schema,
            singular=(labels.singular if labels and labels.singular else schema.singular),
            plural=(labels.plural if labels and labels.plural else schema.plural),
            required_properties=_or(patch.required_properties, schema.required_properties),
            searchable_properties=_or(patch.searchable_properties, schema.searchable_properties),
            primary_display_property=_or(
                patch.primary_display_property, schema.primary_display_property
            ),
            secondary_display_properties=_or(
                patch.secondary_display_properties, schema.secondary_display_properties
            ),
            description=description,
            updated_at=self.clock.now_ms(),
        )
        await self.store.update_object_schema(
            portal_id, schema.object_type_id, encode_stored(updated), archived=False
        )
        return CustomSchema(updated, custom_type(portal_id, updated), archived=False)

    async def archive(self, portal_id: int, ref: str, *, purge: bool = False) -> None:
        """Archive a schema without live records; with `purge`, forget an archived one."""
        if purge:
            archived = await self.get(portal_id, ref, archived=True)
            await self.store.purge_object_schema(portal_id, archived.object_type.type_id)
            return
        current = await self._custom(portal_id, ref)
        type_id = current.object_type.type_id
        live = await self.store.records_page(portal_id, type_id, after=0, limit=101, archived=False)
        if live:
            count = str(len(live)) if len(live) <= 100 else "more than 100"
            raise ValidationError(messages.SCHEMA_HAS_RECORDS.format(type_id=type_id, count=count))
        now = self.clock.now_ms()
        gone = msgspec.structs.replace(current.stored, updated_at=now, archived_at=now)
        await self.store.update_object_schema(
            portal_id, type_id, encode_stored(gone), archived=True
        )

    async def _custom(self, portal_id: int, ref: str) -> CustomSchema:
        standard = standard_type(ref)
        if standard is not None:
            raise ValidationError(messages.SCHEMA_READ_ONLY.format(type_id=standard.type_id))
        return await self.get(portal_id, ref)

    async def _association_target(self, portal_id: int, name: str, target: str) -> ObjectType:
        for kind in OBJECT_TYPES:
            if target in (kind.fully_qualified_name, kind.type_id, kind.name):
                return kind
        for schema in await self.types.schemas(portal_id):
            kind = schema.object_type
            if not schema.archived and target in (kind.type_id, kind.fully_qualified_name):
                return kind
        raise ValidationError(messages.SCHEMA_UNKNOWN_ASSOCIATION.format(name=name, target=target))


def _check_names(name: str, known: set[str], **fields: list[str]) -> None:
    for field, names in fields.items():
        for prop in names:
            if prop not in known:
                raise ValidationError(
                    messages.SCHEMA_PROPERTY_UNKNOWN.format(field=field, property=prop, name=name)
                )


def _or(value: T | None, default: T) -> T:
    return default if value is None else value
