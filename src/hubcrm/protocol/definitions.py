"""Property definitions as HubSpot shapes them: plain data for the domain and the store alike.

They are immutable (a change is a new definition, `msgspec.structs.replace`), so one decoded
definition can serve every portal that stores the same text: every portal's copy of a default
property does."""

from __future__ import annotations

from functools import lru_cache

import msgspec


class ModificationMetadata(msgspec.Struct, rename="camel", omit_defaults=True, frozen=True):
    archivable: bool = True
    read_only_definition: bool = False
    read_only_value: bool = False
    read_only_options: bool | None = None


class PropertyOption(msgspec.Struct, rename="camel", omit_defaults=True, frozen=True):
    label: str
    value: str
    display_order: int = -1
    hidden: bool = False
    description: str | None = None


class PropertyDefinition(
    msgspec.Struct, rename="camel", omit_defaults=True, kw_only=True, frozen=True
):
    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    description: str = ""
    options: list[PropertyOption] = msgspec.field(default_factory=list)
    display_order: int = -1
    calculated: bool = False
    external_options: bool = False
    has_unique_value: bool = False
    hidden: bool = False
    hubspot_defined: bool | None = None
    form_field: bool = False
    data_sensitivity: str | None = None
    referenced_object_type: str | None = None
    modification_metadata: ModificationMetadata = msgspec.field(
        default_factory=ModificationMetadata
    )
    # Epoch milliseconds; HubSpot-defined properties carry none.
    created_at: int | None = None
    updated_at: int | None = None
    archived_at: int | None = None

    @property
    def read_only(self) -> bool:
        return self.modification_metadata.read_only_value

    @property
    def multi_select(self) -> bool:
        return self.type == "enumeration" and self.field_type == "checkbox"


_definitions = msgspec.json.Decoder(list[PropertyDefinition])
_definition = msgspec.json.Decoder(PropertyDefinition)


def decode_definitions(raw: bytes) -> list[PropertyDefinition]:
    return _definitions.decode(raw)


@lru_cache(maxsize=8192)
def decode_definition(text: str) -> PropertyDefinition:
    """One stored definition, decoded once per process for each text it is stored as."""
    return _definition.decode(text)
