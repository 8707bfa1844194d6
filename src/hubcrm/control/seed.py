"""Seed data for a portal: property definitions, contacts, custom object types and records of
any type, from a JSON or a CSV file.

JSON is an object, `{"properties": [...], "contacts": [...], "idProperty": "email"}`, or a bare
list of contacts. A property definition has HubSpot's shape (`name`, `label`, `type`,
`fieldType`, optional `groupName`, `options`, `hasUniqueValue`, ...); a contact is a map of
property values, flat or under `properties`. Contacts are upserted by `idProperty` (`email`
unless the file names another unique property), so seeding twice updates rather than
duplicates. `schemas` defines custom object types (the schemas API's request bodies), and
`objects` maps an object type (`companies`, `0-3`, or a custom type by its schema's name) to
records to create, each a map of property values; these are created, not upserted.

CSV has a header row. When its columns include `name`, `label`, `type` and `fieldType`, each row
is a property definition (`options` as `value;value`); otherwise each row is a contact, one
property per column, and an empty cell leaves that property unset.

Everything is checked before anything is written: a definition or value HubSpot would refuse
fails the whole seed with HubSpot's error, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubcrm.control.owners import OwnerInput
from hubcrm.control.seed_file import (
    Seeded,
    SeedFile,
    definition_of,
)
from hubcrm.control.seed_file import parse as parse
from hubcrm.domain.associations import Associations
from hubcrm.domain.objects import ObjectType, object_type
from hubcrm.domain.owners import OwnerCheck, Owners
from hubcrm.domain.pipelines import Pipelines, counted_by_search
from hubcrm.domain.records import MAX_BATCH, Actor, Records, Schema, writes
from hubcrm.domain.schemas import ObjectSchemas, PreparedSchema
from hubcrm.domain.values import ValueRejected
from hubcrm.protocol import messages
from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.protocol.errors import Conflict, PropertyValuesInvalid, ValidationError
from hubcrm.protocol.wire import CreateInput, PropertyValue, UpsertInput

SOURCE_ID = "seed"


async def seed(
    records: Records, portal_id: int, data: SeedFile, links: Associations | None = None
) -> Seeded:
    """Check the whole seed, then define its properties and custom object types, upsert its
    contacts, create its other records, and its companies with their contacts and deals
    (associated through `links`, the app's associations)."""
    links = links or Associations(records)
    kinds: dict[str, ObjectType] = {}
    new: list[tuple[ObjectType, PropertyDefinition]] = []
    for item in data.properties:
        kind = kinds.setdefault(item.object_type, object_type(item.object_type))
        new.append((kind, definition_of(item)))
    contacts_type = object_type("contacts")
    schemas: dict[str, Schema] = {}
    involved = {kind.type_id: kind for kind, _ in new} | {contacts_type.type_id: contacts_type}
    for kind in involved.values():
        schemas[kind.type_id] = await _schema_with(records, portal_id, new, kind)
    owners = Owners(records.store, records.clock)
    known = await _check_owners(owners, portal_id, data.owners)
    for key in data.objects:
        if not any(egg.name == key for egg in data.schemas):
            kind = await _named_type(records, portal_id, key)
            if kind.type_id not in schemas:
                schemas[kind.type_id] = await _schema_with(records, portal_id, new, kind)
    for type_id, schema in schemas.items():
        schemas[type_id] = await _checked(records, portal_id, schema, known)
    inputs = _inputs(schemas[contacts_type.type_id], portal_id, data)
    service = ObjectSchemas(records.store, records.clock, records.types)
    prepared = await _prepared(service, records, portal_id, data)
    objects = await _objects(records, portal_id, data, new, schemas, prepared)
    companies = await _companies(records, portal_id, data, new, inputs, known)
    for kind, definition in new:
        await records.store.add_property(portal_id, kind.type_id, definition)
    for owner in data.owners:
        await owners.add(portal_id, owner.new_owner())
    written = {p.schema.name: (await service.write(portal_id, p)).object_type for p in prepared}
    actor = Actor(portal_id, SOURCE_ID)
    for start in range(0, len(inputs), MAX_BATCH):
        await records.batch_upsert(actor, contacts_type, inputs[start : start + MAX_BATCH])
    for kind, creates in objects:
        kind = written.get(kind.name, kind)  # a custom type defined above, now with its id
        for start in range(0, len(creates), MAX_BATCH):
            await records.batch_create(actor, kind, creates[start : start + MAX_BATCH])
    deals = await _write_companies(records, links, actor, data, companies)
    return Seeded(
        properties=len(new),
        contacts=len(inputs),
        schemas=len(prepared),
        objects=sum(len(creates) for _, creates in objects),
        owners=len(data.owners),
        companies=len(companies),
        deals=deals,
    )


async def _checked(records: Records, portal_id: int, schema: Schema, owners: set[str]) -> Schema:
    """The schema, checking the owners (existing or the seed's own) and the pipelines and
    stages its values name, as a write would."""
    names = {n for n, d in schema.definitions.items() if d.referenced_object_type == "OWNER"}
    checks = [OwnerCheck(names, owners)]
    pipelines = Pipelines(records.store, records.clock, counted_by_search(records))
    stages = await pipelines.check_loader(portal_id, schema, set(schema.definitions))
    return schema.bound([*checks, *([stages] if stages else [])])


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


async def _prepared(
    service: ObjectSchemas, records: Records, portal_id: int, data: SeedFile
) -> list[PreparedSchema]:
    """The seed's custom object types, checked; a name already taken is a 409."""
    taken = {s.object_type.name for s in await records.types.schemas(portal_id)}
    prepared = []
    for egg in data.schemas:
        if egg.name in taken:
            raise Conflict(messages.SCHEMA_EXISTS.format(name=egg.name))
        taken.add(egg.name)
        prepared.append(await service.prepare(portal_id, egg))
    return prepared


async def _objects(
    records: Records,
    portal_id: int,
    data: SeedFile,
    new: list[tuple[ObjectType, PropertyDefinition]],
    schemas: dict[str, Schema],
    prepared: list[PreparedSchema],
) -> list[tuple[ObjectType, list[CreateInput]]]:
    """The records of other types to create, every value and required property checked."""
    out: list[tuple[ObjectType, list[CreateInput]]] = []
    issues = []
    for key, items in data.objects.items():
        defined = next((p for p in prepared if p.schema.name == key), None)
        if defined is not None:
            kind = defined.object_type(portal_id)
            schema = Schema(kind, defined.properties)
        else:
            kind = await _named_type(records, portal_id, key)
            if kind.type_id not in schemas:
                schemas[kind.type_id] = await _schema_with(records, portal_id, new, kind)
            schema = schemas[kind.type_id]
        creates = []
        for item in items:
            values = _values(item.get("properties", item) if isinstance(item, dict) else item)
            stored, found = schema.issues(values)
            issues += found
            if not found:
                writes.check_required(kind, stored)
            creates.append(CreateInput(properties=values))
        out.append((kind, creates))
    if issues:
        raise PropertyValuesInvalid(issues, portal_id)
    return out


# Companies with their contacts and deals

_PRIMARY = {"contacts": ("HUBSPOT_DEFINED", 1), "deals": ("HUBSPOT_DEFINED", 5)}


@dataclass(frozen=True)
class _Company:
    values: dict[str, PropertyValue]
    contacts: list[str]  # contact keys, normalised as stored
    deals: list[tuple[dict[str, PropertyValue], list[str]]]


async def _companies(
    records: Records,
    portal_id: int,
    data: SeedFile,
    new: list[tuple[ObjectType, PropertyDefinition]],
    contacts: list[UpsertInput],
    owners: set[str],
) -> list[_Company]:
    """Check every company and deal, and that each contact they name is seeded or exists."""
    if not data.companies:
        return []
    company_schema = await _checked(
        records,
        portal_id,
        await _schema_with(records, portal_id, new, object_type("companies")),
        owners,
    )
    deal_schema = await _checked(
        records,
        portal_id,
        await _schema_with(records, portal_id, new, object_type("deals")),
        owners,
    )
    contact_schema = await _schema_with(records, portal_id, new, object_type("contacts"))
    seeded = {_key(contact_schema, data.id_property, str(i.id)) for i in contacts}
    issues = []
    checked = []
    for company in data.companies:
        values = _values(company.properties)
        issues += company_schema.issues(values)[1]
        deals = []
        for deal in company.deals:
            deal_values = _values(deal.properties)
            issues += deal_schema.issues(deal_values)[1]
            deals.append(
                (deal_values, [_key(contact_schema, data.id_property, k) for k in deal.contacts])
            )
        keys = [_key(contact_schema, data.id_property, k) for k in company.contacts]
        checked.append(_Company(values, keys, deals))
    if issues:
        raise PropertyValuesInvalid(issues, portal_id)
    named = {k for c in checked for k in [*c.contacts, *(k for _, ks in c.deals for k in ks)]}
    namespace = object_type("contacts").unique_namespace(data.id_property)
    existing = await records.store.records_by_unique(
        portal_id, object_type("contacts").type_id, namespace, named - seeded
    )
    for key in sorted(named - seeded - set(existing)):
        raise ValidationError(messages.SEED_UNKNOWN_CONTACT.format(key=key))
    return checked


def _key(schema: Schema, id_property: str, raw: str) -> str:
    try:
        return schema.key(id_property, raw)[1]
    except ValueRejected:
        return raw


async def _write_companies(
    records: Records, links: Associations, actor: Actor, data: SeedFile, companies: list[_Company]
) -> int:
    if not companies:
        return 0
    contacts, company_type, deal_type = (
        object_type("contacts"),
        object_type("companies"),
        object_type("deals"),
    )
    namespace = contacts.unique_namespace(data.id_property)
    keys = {k for c in companies for k in [*c.contacts, *(k for _, ks in c.deals for k in ks)]}
    found = await records.store.records_by_unique(
        actor.portal_id, contacts.type_id, namespace, keys
    )
    ids = {key: record.record_id for key, record in found.items()}
    deals = 0
    for company in companies:
        made = await records.create(actor, company_type, company.values)
        company_id = made.record_id
        primary = [(ids[k], company_id, [_PRIMARY["contacts"]]) for k in company.contacts]
        if primary:
            await links.write(actor, contacts, company_type, primary, "add")
        for values, deal_contacts in company.deals:
            deal = await records.create(actor, deal_type, values)
            deals += 1
            await links.write(
                actor,
                deal_type,
                company_type,
                [(deal.record_id, company_id, [_PRIMARY["deals"]])],
                "add",
            )
            no_labels: list[tuple[str, int]] = []
            pairs = [(deal.record_id, ids[k], no_labels) for k in deal_contacts]
            if pairs:
                await links.write(actor, deal_type, contacts, pairs, "add")
    return deals


async def _named_type(records: Records, portal_id: int, key: str) -> ObjectType:
    """The type a seed names as the objects API does, or a custom type by its schema's name."""
    for schema in await records.types.schemas(portal_id):
        if not schema.archived and schema.object_type.name == key:
            return schema.object_type
    return await records.types.resolve(portal_id, key)


async def _schema_with(
    records: Records,
    portal_id: int,
    new: list[tuple[ObjectType, PropertyDefinition]],
    kind: ObjectType,
) -> Schema:
    """The type's definitions once the seed's are added; a name defined twice is a 409."""
    type_id = kind.type_id
    existing = await records.store.property_definitions(portal_id, type_id)
    names = {d.name for d in existing}
    added = [definition for k, definition in new if k.type_id == type_id]
    for definition in added:
        if definition.name in names:
            raise Conflict(messages.PROPERTY_EXISTS.format(name=definition.name))
        names.add(definition.name)
    return Schema(kind, [*existing, *added])


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
