"""Custom object schemas as the store keeps them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hubcrm.protocol.definitions import PropertyDefinition


@dataclass(frozen=True)
class StoredObjectSchema:
    """A custom object schema as stored: its type id ("2-<n>"), name, and JSON definition."""

    object_type: str
    name: str
    definition: bytes
    archived: bool = False


# Builds a new custom object schema once its type id is known: (definition, property definitions).
SchemaBuilder = Callable[[str], tuple[bytes, list[PropertyDefinition]]]
