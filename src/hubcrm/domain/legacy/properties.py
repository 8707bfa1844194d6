"""Legacy property definitions (/properties/v1, /properties/v2, /companies/v2/properties): the
definitions the v3 properties API serves, in the older shape (hubspot-legacy-apis.md §3)."""

from __future__ import annotations

from hubcrm.domain.objects import ObjectType
from hubcrm.domain.schemas import ObjectTypes
from hubcrm.protocol import messages
from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.protocol.errors import ValidationError
from hubcrm.protocol.legacy import LegacyNotFound, LegacyOption, LegacyProperty

# The object types /properties/v1 serves (v2 serves every type).
V1_TYPES = frozenset({"contacts", "companies", "deals"})
# Singular names the legacy APIs take beside the plural ones and type ids.
_SINGULAR = {
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "ticket": "tickets",
    "product": "products",
    "line_item": "line_items",
    "call": "calls",
    "email": "emails",
    "meeting": "meetings",
    "note": "notes",
    "task": "tasks",
}


async def legacy_type(types: ObjectTypes, portal_id: int, name: str) -> ObjectType:
    """The object type a legacy path names (plural, singular or type id), or a legacy 404."""
    try:
        return await types.resolve(portal_id, _SINGULAR.get(name.lower(), name))
    except ValidationError:
        raise LegacyNotFound(messages.LEGACY_UNKNOWN_OBJECT_TYPE.format(name=name)) from None


def find(definitions: list[PropertyDefinition], name: str) -> PropertyDefinition:
    for definition in definitions:
        if definition.name == name:
            return definition
    raise LegacyNotFound(messages.LEGACY_PROPERTY_NOT_FOUND.format(name=name))


def legacy_property(definition: PropertyDefinition) -> LegacyProperty:
    meta = definition.modification_metadata
    builtin = bool(definition.hubspot_defined)
    return LegacyProperty(
        name=definition.name,
        label=definition.label,
        description=definition.description,
        group_name=definition.group_name,
        type=definition.type,
        field_type=definition.field_type,
        hidden=definition.hidden,
        options=[
            LegacyOption(
                label=o.label,
                value=o.value,
                display_order=o.display_order,
                hidden=o.hidden,
                description=o.description,
                read_only=None,
                double_data=0.0,
            )
            for o in definition.options
        ],
        deleted=definition.archived_at is not None,
        # Legacy answers carried no dates for HubSpot's own properties.
        created_at=None if builtin else definition.created_at,
        form_field=definition.form_field,
        display_order=definition.display_order,
        read_only_value=meta.read_only_value,
        read_only_definition=meta.read_only_definition,
        mutable_definition_not_deletable=builtin and not meta.archivable,
        favorited=False,
        favorited_order=-1,
        calculated=definition.calculated,
        external_options=definition.external_options,
        display_mode="current_value",
        hubspot_defined=True if builtin else None,
        show_currency_symbol=None,
        created_user_id=None,
        text_display_hint=None,
        number_display_hint=None,
        options_are_mutable=None,
        referenced_object_type=definition.referenced_object_type,
        updated_at=None if builtin else definition.updated_at,
        is_customized_default=False,
        searchable_in_global_search=False,
        currency_property_name=None,
        has_unique_value=definition.has_unique_value,
        updated_user_id=None,
    )
