"""Seed data for a portal: property definitions and contacts, from a JSON or a CSV file.

JSON is an object, `{"properties": [...], "contacts": [...], "idProperty": "email"}`, or a bare
list of contacts. A property definition has HubSpot's shape (`name`, `label`, `type`,
`fieldType`, optional `groupName`, `options`, `hasUniqueValue`, ...); a contact is a map of
property values, flat or under `properties`. Contacts are upserted by `idProperty` (`email`
unless the file names another unique property), so seeding twice updates rather than
duplicates.

CSV has a header row. When its columns include `name`, `label`, `type` and `fieldType`, each row
is a property definition (`options` as `value;value`); otherwise each row is a contact, one
property per column, and an empty cell leaves that property unset.

Everything is checked before anything is written: a definition or value HubSpot would refuse
fails the whole seed with HubSpot's error, and nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import msgspec

from hubcrm.control.owners import OwnerInput
from hubcrm.domain.objects import ObjectType, object_type
from hubcrm.domain.owners import OwnerCheck, Owners
from hubcrm.domain.records import MAX_BATCH, Actor, Records, Schema
from hubcrm.protocol import messages
from hubcrm.protocol.definitions import PropertyDefinition, PropertyOption
from hubcrm.protocol.errors import Conflict, PropertyValuesInvalid, ValidationError
from hubcrm.protocol.wire import PropertyValue, UpsertInput

SOURCE_ID = "seed"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_FIELD_TYPES = {
    "string": {"text", "textarea", "html", "phonenumber", "file"},
    "phone_number": {"phonenumber", "text"},
    "number": {"number", "text"},
    "bool": {"booleancheckbox", "radio", "select"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox"},
    "date": {"date"},
    "datetime": {"date"},
}
_DEFINITION_COLUMNS = {"name", "label", "type", "fieldType"}


class SeedProperty(msgspec.Struct, rename="camel", kw_only=True):
    name: str
    label: str
    type: str
    field_type: str
    group_name: str = "contactinformation"
    description: str = ""
    options: list[PropertyOption] = msgspec.field(default_factory=list)
    has_unique_value: bool = False
    hidden: bool = False
    display_order: int = -1
    object_type: str = "contacts"


class SeedFile(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    properties: list[SeedProperty] = msgspec.field(default_factory=list)
    contacts: list[dict[str, Any]] = msgspec.field(default_factory=list)
    id_property: str = "email"
    # Added before the contacts, which may name them in hubspot_owner_id (give them an id).
    owners: list[OwnerInput] = msgspec.field(default_factory=list)


_seed_file = msgspec.json.Decoder(SeedFile | list[dict[str, Any]])


@dataclass(frozen=True)
class Seeded:
    properties: int
    contacts: int
    owners: int = 0


def parse(raw: bytes, csv_text: bool) -> SeedFile:
    """The seed a JSON or CSV document holds, or ValidationError."""
    try:
        if csv_text:
            return _parse_csv(raw.decode("utf-8-sig"))
        decoded = _seed_file.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, csv.Error) as error:
        raise ValidationError(messages.INVALID_SEED.format(problem=error)) from None
    return decoded if isinstance(decoded, SeedFile) else SeedFile(contacts=decoded)


def _parse_csv(text: str) -> SeedFile:
    rows = list(csv.DictReader(io.StringIO(text)))
    if rows and set(rows[0]) >= _DEFINITION_COLUMNS:
        return SeedFile(properties=[_csv_property(row) for row in rows])
    return SeedFile(contacts=[{k: v for k, v in row.items() if k and v} for row in rows])


def _csv_property(row: dict[str, str]) -> SeedProperty:
    options = [
        PropertyOption(label=value, value=value, display_order=order)
        for order, value in enumerate(v.strip() for v in (row.get("options") or "").split(";"))
        if value
    ]
    return SeedProperty(
        name=row["name"],
        label=row["label"],
        type=row["type"],
        field_type=row["fieldType"],
        group_name=row.get("groupName") or "contactinformation",
        description=row.get("description") or "",
        options=options,
        has_unique_value=(row.get("hasUniqueValue") or "").lower() == "true",
    )


async def seed(records: Records, portal_id: int, data: SeedFile) -> Seeded:
    """Check the whole seed, then define its properties and upsert its contacts."""
    kinds: dict[str, ObjectType] = {}
    new: list[tuple[ObjectType, PropertyDefinition]] = []
    for item in data.properties:
        kind = kinds.setdefault(item.object_type, object_type(item.object_type))
        new.append((kind, _definition(item)))
    contacts_type = object_type("contacts")
    schemas: dict[str, Schema] = {}
    for type_id in {kind.type_id for kind, _ in new} | {contacts_type.type_id}:
        schemas[type_id] = await _schema_with(records, portal_id, new, type_id)
    owners = Owners(records.store, records.clock)
    known = await _check_owners(owners, portal_id, data.owners)
    contacts_schema = schemas[contacts_type.type_id]
    owner_names = {
        name
        for name, definition in contacts_schema.definitions.items()
        if definition.referenced_object_type == "OWNER"
    }
    contacts_schema = contacts_schema.bound([OwnerCheck(owner_names, known)])
    inputs = _inputs(contacts_schema, portal_id, data)
    for kind, definition in new:
        await records.store.add_property(portal_id, kind.type_id, definition)
    for owner in data.owners:
        await owners.add(portal_id, owner.new_owner())
    actor = Actor(portal_id, SOURCE_ID)
    for start in range(0, len(inputs), MAX_BATCH):
        await records.batch_upsert(actor, contacts_type, inputs[start : start + MAX_BATCH])
    return Seeded(properties=len(new), contacts=len(inputs), owners=len(data.owners))


async def _check_owners(owners: Owners, portal_id: int, new: list[OwnerInput]) -> set[str]:
    """The owner ids the seed's contacts may name: live owners' and the seed's own."""
    existing = await owners.store.owners(portal_id)
    emails = {o.email for o in existing if o.archived_at is None}
    ids = {o.owner_id for o in existing}
    for owner in new:
        email = owner.email.strip().lower()
        if email in emails:
            raise Conflict(messages.OWNER_EXISTS.format(email=email))
        if owner.id is not None and owner.id in ids:
            raise Conflict(messages.OWNER_ID_TAKEN.format(id=owner.id, user_id=owner.user_id))
        emails.add(email)
        ids.add(owner.id or 0)
    live = {str(o.owner_id) for o in existing if o.archived_at is None}
    return live | {str(o.id) for o in new if o.id is not None}


async def _schema_with(
    records: Records,
    portal_id: int,
    new: list[tuple[ObjectType, PropertyDefinition]],
    type_id: str,
) -> Schema:
    """The type's definitions once the seed's are added; a name defined twice is a 409."""
    kind = object_type(type_id)
    existing = await records.store.property_definitions(portal_id, type_id)
    names = {d.name for d in existing}
    added = [definition for k, definition in new if k.type_id == type_id]
    for definition in added:
        if definition.name in names:
            raise Conflict(messages.PROPERTY_EXISTS.format(name=definition.name))
        names.add(definition.name)
    return Schema(kind, [*existing, *added])


def _definition(item: SeedProperty) -> PropertyDefinition:
    problem = _problem(item)
    if problem:
        raise ValidationError(
            messages.INVALID_SEED_PROPERTY.format(name=item.name, problem=problem)
        )
    return PropertyDefinition(
        name=item.name,
        label=item.label,
        type=item.type,
        field_type=item.field_type,
        group_name=item.group_name,
        description=item.description,
        options=item.options,
        has_unique_value=item.has_unique_value,
        hidden=item.hidden,
        display_order=item.display_order,
        hubspot_defined=False,
        form_field=True,
    )


def _problem(item: SeedProperty) -> str | None:
    if not _NAME.match(item.name):
        return "a name is lower-case letters, digits and _, starting with a letter"
    if item.type not in _FIELD_TYPES:
        return f"type must be one of {', '.join(_FIELD_TYPES)}"
    if item.field_type not in _FIELD_TYPES[item.type]:
        return (
            f"fieldType for {item.type} must be one of {', '.join(sorted(_FIELD_TYPES[item.type]))}"
        )
    if item.type == "enumeration" and not item.options:
        return "an enumeration needs options"
    return None


def _inputs(schema: Schema, portal_id: int, data: SeedFile) -> list[UpsertInput]:
    """One upsert input per contact, after checking every value of every contact."""
    key = data.id_property
    if key not in schema.unique:
        raise ValidationError(messages.SEED_KEY_NOT_UNIQUE.format(name=key))
    inputs, issues = [], []
    for index, contact in enumerate(data.contacts):
        values = _values(contact.get("properties", contact))
        if not values.get(key):
            raise ValidationError(messages.SEED_CONTACT_WITHOUT_KEY.format(index=index, name=key))
        _, found = schema.issues(values)
        issues += found
        inputs.append(UpsertInput(id=str(values[key]), id_property=key, properties=values))
    if issues:
        raise PropertyValuesInvalid(issues, portal_id)
    return inputs


def _values(contact: Any) -> dict[str, PropertyValue]:
    if not isinstance(contact, dict):
        raise ValidationError(messages.INVALID_SEED.format(problem="a contact is an object"))
    values: dict[str, PropertyValue] = {}
    for name, value in contact.items():
        if not isinstance(value, str | int | float | bool) and value is not None:
            raise ValidationError(
                messages.INVALID_SEED.format(problem=f"{name} must be text, a number or a boolean")
            )
        values[str(name)] = value
    return values
