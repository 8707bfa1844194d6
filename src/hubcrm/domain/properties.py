"""The properties API's domain: defining, changing and archiving a portal's properties.

A change bumps the portal's properties version, so the records domain picks up the new
definitions on its next request: a new option or a new unique property works at once.
"""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

from hubcrm.domain.clock import Clock
from hubcrm.domain.objects import ObjectType
from hubcrm.protocol import messages
from hubcrm.protocol.definitions import ModificationMetadata, PropertyDefinition, PropertyOption
from hubcrm.protocol.errors import Conflict, ObjectNotFound, ValidationError
from hubcrm.protocol.wire import OptionInput, PropertyCreate, PropertyUpdate
from hubcrm.store.base import Store
from hubcrm.store.errors import UniqueViolation

# HubSpot's properties guide: each type and the field types that may present it.
FIELD_TYPES: dict[str, tuple[str, ...]] = {
    "bool": ("booleancheckbox", "calculation_equation"),
    "enumeration": ("booleancheckbox", "checkbox", "radio", "select", "calculation_equation"),
    "date": ("date",),
    "datetime": ("date",),
    "string": ("file", "text", "textarea", "calculation_equation", "html", "phonenumber"),
    "number": ("number", "calculation_equation"),
    "phone_number": ("phonenumber",),
}
UNIQUE_TYPES = frozenset({"string", "number"})
T = TypeVar("T")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


class PropertyDefinitions:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def list(
        self, portal_id: int, object_type: ObjectType, *, archived: bool = False
    ) -> list[PropertyDefinition]:
        return await self.store.property_definitions(
            portal_id, object_type.type_id, archived=archived
        )

    async def get(
        self, portal_id: int, object_type: ObjectType, name: str, *, archived: bool = False
    ) -> PropertyDefinition:
        for definition in await self.list(portal_id, object_type, archived=archived):
            if definition.name == name:
                return definition
        raise ObjectNotFound(
            messages.PROPERTY_NOT_FOUND.format(name=name, type_id=object_type.type_id)
        )

    async def create(
        self, portal_id: int, object_type: ObjectType, spec: PropertyCreate
    ) -> PropertyDefinition:
        definition = define(spec, self.clock.now_ms())
        try:
            await self.store.add_property(portal_id, object_type.type_id, definition)
        except UniqueViolation:
            raise Conflict(messages.PROPERTY_EXISTS.format(name=spec.name)) from None
        return definition

    async def update(
        self, portal_id: int, object_type: ObjectType, name: str, change: PropertyUpdate
    ) -> PropertyDefinition:
        current = await self.get(portal_id, object_type, name)
        if (
            change.has_unique_value is not None
            and change.has_unique_value != current.has_unique_value
        ):
            raise ValidationError(messages.UNIQUE_NOT_CHANGEABLE)
        if current.modification_metadata.read_only_definition:
            raise ValidationError(messages.READ_ONLY_DEFINITION.format(name=name))
        if (change.type or current.type, change.field_type or current.field_type) != (
            current.type,
            current.field_type,
        ):
            # Stored values and the search index are typed by the definition.
            raise ValidationError(messages.TYPE_NOT_CHANGEABLE.format(name=name))
        options = current.options if change.options is None else _options(change.options)
        if current.type == "enumeration" and not options and not current.external_options:
            raise ValidationError(messages.ENUMERATION_NEEDS_OPTIONS)
        updated = msgspec.structs.replace(
            current,
            label=_or(change.label, current.label),
            description=_or(change.description, current.description),
            group_name=_or(change.group_name, current.group_name),
            options=options,
            display_order=_or(change.display_order, current.display_order),
            hidden=_or(change.hidden, current.hidden),
            form_field=_or(change.form_field, current.form_field),
            updated_at=self.clock.now_ms(),
        )
        await self.store.update_property(portal_id, object_type.type_id, updated)
        return updated

    async def archive(self, portal_id: int, object_type: ObjectType, name: str) -> None:
        current = await self.get(portal_id, object_type, name)
        if current.hubspot_defined:
            raise ValidationError(messages.NOT_ARCHIVABLE.format(name=name))
        now = self.clock.now_ms()
        archived = msgspec.structs.replace(current, updated_at=now, archived_at=now)
        await self.store.update_property(portal_id, object_type.type_id, archived, archived=True)


def define(spec: PropertyCreate, now: int) -> PropertyDefinition:
    """A new custom property as `spec` asks, or HubSpot's 400 for what it may not ask."""
    if not _NAME.match(spec.name):
        raise ValidationError(messages.INVALID_PROPERTY_NAME.format(name=spec.name))
    _check_types(spec.type, spec.field_type)
    options = _options(spec.options)
    if spec.type == "enumeration" and not options and not spec.external_options:
        raise ValidationError(messages.ENUMERATION_NEEDS_OPTIONS)
    if spec.has_unique_value and spec.type not in UNIQUE_TYPES:
        raise ValidationError(messages.UNIQUE_TYPE)
    return PropertyDefinition(
        name=spec.name,
        label=spec.label,
        type=spec.type,
        field_type=spec.field_type,
        group_name=spec.group_name,
        description=spec.description,
        options=options,
        display_order=spec.display_order,
        external_options=spec.external_options,
        has_unique_value=spec.has_unique_value,
        hidden=spec.hidden,
        hubspot_defined=False,
        form_field=spec.form_field,
        data_sensitivity=spec.data_sensitivity or "non_sensitive",
        referenced_object_type=spec.referenced_object_type,
        modification_metadata=ModificationMetadata(
            archivable=True, read_only_definition=False, read_only_value=False
        ),
        created_at=now,
        updated_at=now,
    )


def _check_types(kind: str, field_type: str) -> None:
    allowed = FIELD_TYPES.get(kind)
    if allowed is None:
        raise ValidationError(
            messages.INVALID_PROPERTY_TYPE.format(type=kind, allowed=", ".join(FIELD_TYPES))
        )
    if field_type not in allowed:
        raise ValidationError(
            messages.INVALID_FIELD_TYPE.format(
                field_type=field_type, type=kind, allowed=", ".join(allowed)
            )
        )


def _options(inputs: list[OptionInput]) -> list[PropertyOption]:
    seen: set[str] = set()
    for option in inputs:
        if option.value in seen:
            raise ValidationError(messages.DUPLICATE_OPTION.format(value=option.value))
        seen.add(option.value)
    return [
        PropertyOption(
            label=o.label,
            value=o.value,
            display_order=o.display_order,
            hidden=o.hidden,
            description=o.description,
        )
        for o in inputs
    ]


def _or(value: T | None, default: T) -> T:
    return default if value is None else value
