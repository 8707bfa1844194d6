"""Which association types exist between two object types: HubSpot's defined ones (from
data/association_types.json, the same in every portal) and a portal's custom labels.

Types are directional: each has an inverse, the type of the row back. The default type of a pair
(`label` null) exists whenever any association between two records does; a "primary" type is a
label beside it that a record may hold towards one record of the other type only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from hubcrm.protocol import messages
from hubcrm.protocol.errors import ValidationError
from hubcrm.store.base import AssociationLabel

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"
# HubSpot keeps a contact's primary company in this contact property (a number, the company id).
PRIMARY_COMPANY_PROPERTY = {"0-1": "associatedcompanyid"}
COMPANIES_TYPE_ID = "0-2"

TypeKey = tuple[str, int]  # (category, type id)


@dataclass(frozen=True)
class AssociationType:
    from_type: str  # object type ids
    to_type: str
    category: str
    type_id: int
    inverse_type_id: int
    label: str | None
    default: bool = False  # the unlabeled type of the pair
    primary: bool = False
    single: bool = False  # a record holds this type towards one record at most
    name: str | None = None  # custom labels: the internal name

    @property
    def key(self) -> TypeKey:
        return (self.category, self.type_id)

    @property
    def inverse_key(self) -> TypeKey:
        return (self.category, self.inverse_type_id)


@cache
def _object_data() -> dict[str, dict[str, Any]]:
    raw = resources.files("hubcrm.data").joinpath("object_types.json").read_bytes()
    return {entry["objectTypeId"]: entry for entry in json.loads(raw)}


@cache
def hubspot_defined() -> tuple[AssociationType, ...]:
    raw = resources.files("hubcrm.data").joinpath("association_types.json").read_bytes()
    return tuple(
        AssociationType(
            from_type=row["fromObjectTypeId"],
            to_type=row["toObjectTypeId"],
            category=row["category"],
            type_id=row["typeId"],
            inverse_type_id=row["inverseTypeId"],
            label=row["label"],
            default=row["default"],
            primary=row["primary"],
            single=row.get("cardinality") == "ONE_TO_ONE",
        )
        for row in json.loads(raw)
    )


def qualified_name(type_id: str) -> str:
    """HubSpot's name of an object type in association errors: CONTACT, COMPANY, ..."""
    entry = _object_data().get(type_id)
    return entry["fullyQualifiedName"] if entry else type_id


def singular_name(type_id: str) -> str:
    """The lower-case singular name in v3 type strings and batch-read errors: contact, company."""
    return qualified_name(type_id).lower()


def path_name(name: str) -> str:
    """The name the object types know a type by: associations URLs and `?associations=` may
    also name a standard type in the singular (`contact`, `company`)."""
    lowered = name.lower()
    for entry in _object_data().values():
        if lowered == entry["fullyQualifiedName"].lower():
            return str(entry["name"])
    return name


def _from_label(label: AssociationLabel) -> AssociationType:
    return AssociationType(
        from_type=label.from_type,
        to_type=label.to_type,
        category=USER_DEFINED,
        type_id=label.type_id,
        inverse_type_id=label.inverse_type_id,
        label=label.label,
        name=label.name,
    )


# The inverse of a custom object's association type (whose id the schemas API gives) is hubcrm's
# own: the type id plus this.
CUSTOM_INVERSE_OFFSET = 500


@dataclass(frozen=True)
class SchemaAssociation:
    """An association a custom object schema defines (its `associations`): the default type
    between the custom object and another type, in both directions."""

    type_id: int
    from_type: str
    to_type: str
    name: str


def _from_schema(definition: SchemaAssociation) -> tuple[AssociationType, AssociationType]:
    inverse_id = definition.type_id + CUSTOM_INVERSE_OFFSET
    forward = AssociationType(
        from_type=definition.from_type,
        to_type=definition.to_type,
        category=USER_DEFINED,
        type_id=definition.type_id,
        inverse_type_id=inverse_id,
        label=None,
        default=True,
        name=definition.name,
    )
    back_name = "_to_".join(reversed(definition.name.split("_to_", 1)))
    inverse = AssociationType(
        from_type=definition.to_type,
        to_type=definition.from_type,
        category=USER_DEFINED,
        type_id=inverse_id,
        inverse_type_id=definition.type_id,
        label=None,
        default=True,
        name=back_name,
    )
    return forward, inverse


class Catalogue:
    """Every association type of one portal."""

    def __init__(
        self, labels: list[AssociationLabel], schemas: list[SchemaAssociation] | None = None
    ) -> None:
        custom = tuple(t for d in schemas or [] for t in _from_schema(d))
        self.types = hubspot_defined() + custom + tuple(_from_label(label) for label in labels)
        self.labels = labels
        self._by_key: dict[tuple[str, str, TypeKey], AssociationType] = {
            (t.from_type, t.to_type, t.key): t for t in self.types
        }

    def between(self, from_type: str, to_type: str) -> list[AssociationType]:
        return [t for t in self.types if t.from_type == from_type and t.to_type == to_type]

    def find(self, from_type: str, to_type: str, key: TypeKey) -> AssociationType | None:
        return self._by_key.get((from_type, to_type, key))

    def default(self, from_type: str, to_type: str) -> AssociationType | None:
        return next((t for t in self.between(from_type, to_type) if t.default), None)

    def inverse(self, kind: AssociationType) -> AssociationType:
        found = self.find(kind.to_type, kind.from_type, kind.inverse_key)
        assert found is not None, kind
        return found

    def owner_of(self, key: TypeKey) -> AssociationType | None:
        """A type with this key between any two object types (to report a misfit)."""
        return next((t for t in self.types if t.key == key), None)

    def check(
        self, from_type: str, to_type: str, from_id: str, to_id: str, key: TypeKey
    ) -> AssociationType:
        """The type `key` names between these object types, or HubSpot's 400 for it."""
        found = self.find(from_type, to_type, key)
        if found is not None:
            return found
        owner = self.owner_of(key)
        # HubSpot checks the ids against the type's own object pair, and reports the first that
        # does not fit as an invalid record of the type's object type.
        if owner is not None and owner.from_type != from_type:
            raise invalid_ids(owner.from_type, [from_id])
        if owner is not None:
            raise invalid_ids(owner.to_type, [to_id])
        raise unknown_type(key)

    def from_type_key(self, from_type: str, key: TypeKey) -> AssociationType:
        """The type `key` names from this object type (to whichever type it leads), or HubSpot's
        400 for an unknown type id."""
        found = next((t for t in self.types if t.from_type == from_type and t.key == key), None)
        if found is None:
            raise unknown_type(key)
        return found

    def label_of(self, type_id: int) -> AssociationLabel | None:
        return next((label for label in self.labels if label.type_id == type_id), None)


def unknown_type(key: TypeKey) -> ValidationError:
    spec = f"{key[0]}={key[1]}"
    return ValidationError(
        messages.ASSOCIATIONS_INVALID,
        context={
            "associationSpec": [spec],
            "INVALID_ASSOCIATION_TYPE_ID": [messages.INVALID_ASSOCIATION_TYPE.format(spec=spec)],
        },
    )


def invalid_ids(type_id: str, ids: list[str]) -> ValidationError:
    """HubSpot's 400 for ids that name no live record of the object type."""
    name = qualified_name(type_id)
    return ValidationError(
        messages.ASSOCIATIONS_INVALID,
        context={
            "INVALID_OBJECT_IDS": [
                messages.INVALID_OBJECT_ID.format(type=name, id=record_id) for record_id in ids
            ],
            "objectId": ids,
            "objectType": [name],
        },
    )


def v3_name(kind: AssociationType, catalogue: Catalogue) -> str | None:
    """The v3 type string of a type: `contact_to_company` for the primary (or the default of a
    pair without one), `contact_to_company_unlabeled` for the default beside a primary; None for
    other labels, which v3 reads leave out."""
    if kind.default and kind.name:
        return kind.name  # a custom object's association, by the name its schema gives it
    base = f"{singular_name(kind.from_type)}_to_{singular_name(kind.to_type)}"
    if kind.primary:
        return base
    if not kind.default:
        return None
    has_primary = any(t.primary for t in catalogue.between(kind.from_type, kind.to_type))
    return base + "_unlabeled" if has_primary else base


def from_v3_name(name: str, from_type: str, to_type: str, catalogue: Catalogue) -> AssociationType:
    for kind in catalogue.between(from_type, to_type):
        if v3_name(kind, catalogue) == name:
            return kind
    raise ValidationError(messages.UNKNOWN_V3_ASSOCIATION_TYPE.format(name=name))
