"""The seed file: what a JSON or CSV seed document may hold, read and checked before anything is
written (docs/testing.md)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import msgspec

from hubcrm.control.owners import OwnerInput
from hubcrm.protocol import messages
from hubcrm.protocol.definitions import PropertyDefinition, PropertyOption
from hubcrm.protocol.errors import ValidationError
from hubcrm.protocol.schemas import ObjectSchemaEgg

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


class SeedDeal(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    properties: dict[str, Any] = msgspec.field(default_factory=dict)
    contacts: list[str] = msgspec.field(default_factory=list)  # contact keys (idProperty)


class SeedCompany(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    properties: dict[str, Any] = msgspec.field(default_factory=dict)
    # Contacts by key (the seed's idProperty): the company becomes their primary company.
    contacts: list[str] = msgspec.field(default_factory=list)
    deals: list[SeedDeal] = msgspec.field(default_factory=list)


class SeedFile(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    properties: list[SeedProperty] = msgspec.field(default_factory=list)
    contacts: list[dict[str, Any]] = msgspec.field(default_factory=list)
    id_property: str = "email"
    # Custom object types, as the schemas API defines them.
    schemas: list[ObjectSchemaEgg] = msgspec.field(default_factory=list)
    # Records of any other type, created: by type name or id ("companies", "0-3"), or a
    # custom type by its schema's name, fully qualified name or id.
    objects: dict[str, list[dict[str, Any]]] = msgspec.field(default_factory=dict)
    # Added before the contacts, which may name them in hubspot_owner_id (give them an id).
    owners: list[OwnerInput] = msgspec.field(default_factory=list)
    companies: list[SeedCompany] = msgspec.field(default_factory=list)


_seed_file = msgspec.json.Decoder(SeedFile | list[dict[str, Any]])


@dataclass(frozen=True)
class Seeded:
    properties: int
    contacts: int
    schemas: int = 0
    objects: int = 0  # records of other types than contacts
    owners: int = 0
    companies: int = 0
    deals: int = 0


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


def definition_of(item: SeedProperty) -> PropertyDefinition:
    problem = problem_of(item)
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


def problem_of(item: SeedProperty) -> str | None:
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
