"""Property definitions, and the version that moves on whenever a portal type's definitions
change (so that cached definitions are dropped)."""

from __future__ import annotations

import msgspec

from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.store.postgres.connection import Pooled, acquired, encode, translated

_decode_definition = msgspec.json.Decoder(PropertyDefinition).decode


class Definitions(Pooled):
    """Property definitions."""

    async def properties_version(self, portal_id: int, object_type: str) -> int:
        row = await self._fetchrow(
            "SELECT properties_version FROM object_schemas"
            " WHERE portal_id = $1 AND object_type = $2",
            portal_id,
            object_type,
        )
        return int(row[0]) if row else 0

    async def property_definitions(
        self, portal_id: int, object_type: str, *, archived: bool = False
    ) -> list[PropertyDefinition]:
        rows = await self._fetch(
            "SELECT definition FROM property_definitions"
            " WHERE portal_id = $1 AND object_type = $2 AND archived = $3 ORDER BY name",
            portal_id,
            object_type,
            archived,
        )
        return [_decode_definition(row[0]) for row in rows]

    async def add_property(
        self, portal_id: int, object_type: str, definition: PropertyDefinition
    ) -> None:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO property_definitions (portal_id, object_type, name, definition)"
                    " VALUES ($1, $2, $3, $4)",
                    portal_id,
                    object_type,
                    definition.name,
                    encode(definition).decode(),
                )
                await conn.execute(
                    "UPDATE object_schemas SET properties_version = properties_version + 1"
                    " WHERE portal_id = $1 AND object_type = $2",
                    portal_id,
                    object_type,
                )

    async def update_property(
        self,
        portal_id: int,
        object_type: str,
        definition: PropertyDefinition,
        *,
        archived: bool = False,
    ) -> None:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                await conn.execute(
                    "UPDATE property_definitions SET definition = $4, archived = $5"
                    " WHERE portal_id = $1 AND object_type = $2 AND name = $3",
                    portal_id,
                    object_type,
                    definition.name,
                    encode(definition).decode(),
                    archived,
                )
                await conn.execute(
                    "UPDATE object_schemas SET properties_version = properties_version + 1"
                    " WHERE portal_id = $1 AND object_type = $2",
                    portal_id,
                    object_type,
                )
