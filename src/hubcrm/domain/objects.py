"""The CRM object types hubcrm serves, as data.

HubSpot's objects API has one shape for every object type; what differs between one type and the
next is data, loaded from `data/object_types.json` (see scripts/OBJECT_TYPES_RESEARCH.md for the
source of every rule), so the domain and the storage stay keyed by type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from hubcrm.protocol import messages
from hubcrm.protocol.definitions import PropertyDefinition, decode_definitions
from hubcrm.protocol.errors import ValidationError

RECORD_URL = "https://app.hubspot.com/contacts/{portalId}/record/{objectTypeId}/{recordId}"
# Custom object types (domain/schemas.py): their records, and the schemas API.
CUSTOM_READ = ("crm.objects.custom.read",)
CUSTOM_WRITE = ("crm.objects.custom.write",)
SCHEMAS_READ = ("crm.schemas.custom.read",)
SCHEMAS_WRITE = ("crm.schemas.custom.write",)
CUSTOM_SCOPES = CUSTOM_READ + CUSTOM_WRITE + SCHEMAS_READ + SCHEMAS_WRITE


@dataclass(frozen=True)
class ObjectType:
    name: str  # the plural path name, e.g. "contacts"
    type_id: str  # HubSpot's object type id, e.g. "0-1"
    label: str  # used in messages: "Contact already exists..."
    seed_file: str | None = None  # the default property definitions; None for custom objects
    fully_qualified_name: str = ""  # "CONTACT", or "p{portalId}_{name}" for custom objects
    plural_label: str = ""
    # Properties whose values are email addresses: validated, stored lower-case, and unique
    # across each other (a contact's primary and additional emails share one namespace).
    email_properties: frozenset[str] = frozenset()
    # Properties whose value is a `;`-separated list, each item unique on its own.
    multi_value_properties: frozenset[str] = frozenset()
    # Returned by reads that name no properties.
    default_properties: tuple[str, ...] = ()
    # Searched by the free-text `query` of a search request.
    search_properties: tuple[str, ...] = ()
    # Must hold a value when a record is created.
    required_properties: tuple[str, ...] = ()
    # HubSpot-defined unique properties a request may name as its idProperty (custom properties
    # with hasUniqueValue are allowed on every type).
    upsert_id_properties: frozenset[str] = frozenset()
    # Scopes a route demands: any one of each tuple suffices.
    read_scopes: tuple[str, ...] = ()
    write_scopes: tuple[str, ...] = ()
    schema_read_scopes: tuple[str, ...] = ()
    schema_write_scopes: tuple[str, ...] = ()
    # Maintained by hubcrm itself on every write.
    created_property: str = "createdate"
    modified_property: str = "lastmodifieddate"
    id_property: str = "hs_object_id"
    primary_display_property: str | None = None
    secondary_display_properties: tuple[str, ...] = ()
    record_url_template: str = RECORD_URL

    @property
    def scopes(self) -> tuple[str, ...]:
        """Every scope this type's routes accept."""
        return (
            self.read_scopes
            + self.write_scopes
            + self.schema_read_scopes
            + self.schema_write_scopes
        )

    def record_columns(self) -> dict[str, str]:
        """The properties hubcrm maintains that equal a column of the record itself."""
        return {
            self.id_property: "record_id",
            self.created_property: "created_at",
            self.modified_property: "updated_at",
        }

    def unique_namespace(self, property_name: str) -> str:
        """Values in one namespace must be unique across the portal's records of this type."""
        return "email" if property_name in self.email_properties else property_name

    def record_url(self, portal_id: int, record_id: int) -> str:
        return self.record_url_template.format(
            portalId=portal_id, objectTypeId=self.type_id, recordId=record_id
        )

    def seed_properties(self) -> list[PropertyDefinition]:
        return _seed(self.seed_file) if self.seed_file else []


def _scopes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def from_data(entry: dict[str, Any]) -> ObjectType:
    """An object type as `data/object_types.json` describes it."""
    scopes = entry["scopes"]
    read, write = _scopes(scopes["read"]), _scopes(scopes["write"])
    return ObjectType(
        name=entry["name"],
        type_id=entry["objectTypeId"],
        label=entry["labels"]["singular"],
        plural_label=entry["labels"]["plural"],
        seed_file=entry["propertiesFile"],
        fully_qualified_name=entry["fullyQualifiedName"],
        email_properties=frozenset(entry.get("emailProperties", ())),
        multi_value_properties=frozenset(entry.get("multiValueProperties", ())),
        default_properties=tuple(entry["defaultProperties"]),
        search_properties=tuple(entry["searchableProperties"]),
        required_properties=tuple(entry["requiredProperties"]),
        upsert_id_properties=frozenset(entry["upsertIdProperties"]),
        read_scopes=read,
        write_scopes=write,
        # Engagements have no schema scopes of their own: their properties take the type's
        # record scopes (hubcrm's choice; docs/fidelity.md).
        schema_read_scopes=_scopes(scopes["schemaRead"]) or read,
        schema_write_scopes=_scopes(scopes["schemaWrite"]) or write,
        created_property=entry["createdDateProperty"],
        modified_property=entry["lastModifiedDateProperty"],
        primary_display_property=entry.get("primaryDisplayProperty"),
        secondary_display_properties=tuple(entry.get("secondaryDisplayProperties", ())),
        record_url_template=entry.get("recordUrl", RECORD_URL),
    )


def _load() -> tuple[ObjectType, ...]:
    raw = resources.files("hubcrm.data").joinpath("object_types.json").read_bytes()
    return tuple(from_data(entry) for entry in json.loads(raw))


OBJECT_TYPES: tuple[ObjectType, ...] = _load()
_BY_PATH = {key: t for t in OBJECT_TYPES for key in (t.name, t.type_id)}
CONTACTS = _BY_PATH["contacts"]


def standard_type(path_name: str) -> ObjectType | None:
    """The standard object type a URL names, by plural name or type id."""
    return _BY_PATH.get(path_name)


def object_type(path_name: str) -> ObjectType:
    """The standard object type a URL names, or HubSpot's 400."""
    found = standard_type(path_name)
    if found is None:
        raise ValidationError(messages.UNKNOWN_OBJECT_TYPE.format(name=path_name))
    return found


def seed_schemas() -> dict[str, list[PropertyDefinition]]:
    """Every standard type's default property definitions: what a new or reset portal holds."""
    return _seed_schemas()


@cache
def _seed_schemas() -> dict[str, list[PropertyDefinition]]:
    return {t.type_id: t.seed_properties() for t in OBJECT_TYPES}


@cache
def _seed(file_name: str) -> list[PropertyDefinition]:
    return decode_definitions(resources.files("hubcrm.data").joinpath(file_name).read_bytes())
