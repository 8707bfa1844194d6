"""Property definitions, and the version that moves on whenever a portal type's definitions
change (so that cached definitions are dropped)."""

from __future__ import annotations

from hubcrm.protocol.definitions import PropertyDefinition, decode_definition
from hubcrm.store.errors import UniqueViolation
from hubcrm.store.postgres.connection import Pooled, acquired, encode, translated
from hubcrm.store.seeds import DEFINITIONS_SQL, SEEDED_SQL

_DEFINITIONS = DEFINITIONS_SQL.format("$1", "$2", "$3")
_SEEDED = SEEDED_SQL.format("$1", "$2", "$3")


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
        rows = await self._fetch(_DEFINITIONS, portal_id, object_type, archived)
        return [decode_definition(row[1]) for row in rows]

    async def add_property(
        self, portal_id: int, object_type: str, definition: PropertyDefinition
    ) -> None:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                if await conn.fetchval(_SEEDED, portal_id, object_type, definition.name):
                    raise UniqueViolation(f"property {definition.name} exists")
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
                # A changed default becomes the portal's own row, over the seed's.
                await conn.execute(
                    "INSERT INTO property_definitions VALUES ($1, $2, $3, $4, $5)"
                    " ON CONFLICT (portal_id, object_type, name) DO UPDATE"
                    " SET definition = excluded.definition, archived = excluded.archived",
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
