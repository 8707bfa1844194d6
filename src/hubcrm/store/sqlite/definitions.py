"""A portal's property definitions, per object type."""

from __future__ import annotations

import sqlite3

from hubcrm.protocol.definitions import PropertyDefinition, decode_definition
from hubcrm.store.errors import UniqueViolation
from hubcrm.store.seeds import DEFINITIONS_SQL, SEEDED_SQL
from hubcrm.store.sqlite.connection import encode
from hubcrm.store.sqlite.writer import Connections

_DEFINITIONS = DEFINITIONS_SQL.format("?1", "?2", "?3")
_SEEDED = SEEDED_SQL.format("?", "?", "?")


def _bump_properties_version(conn: sqlite3.Connection, portal_id: int, object_type: str) -> None:
    conn.execute(
        "UPDATE object_schemas SET properties_version = properties_version + 1"
        " WHERE portal_id = ? AND object_type = ?",
        (portal_id, object_type),
    )


class Definitions(Connections):
    async def properties_version(self, portal_id: int, object_type: str) -> int:
        def version(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT properties_version FROM object_schemas"
                " WHERE portal_id = ? AND object_type = ?",
                (portal_id, object_type),
            ).fetchone()
            return int(row[0]) if row else 0

        return await self._reader.run(version)

    async def property_definitions(
        self, portal_id: int, object_type: str, *, archived: bool = False
    ) -> list[PropertyDefinition]:
        def definitions(conn: sqlite3.Connection) -> list[PropertyDefinition]:
            rows = conn.execute(_DEFINITIONS, (portal_id, object_type, int(archived)))
            return [decode_definition(row[1]) for row in rows]

        return await self._reader.run(definitions)

    async def add_property(
        self, portal_id: int, object_type: str, definition: PropertyDefinition
    ) -> None:
        def add(conn: sqlite3.Connection) -> None:
            if conn.execute(_SEEDED, (portal_id, object_type, definition.name)).fetchone():
                raise UniqueViolation(f"property {definition.name} exists")
            conn.execute(
                "INSERT INTO property_definitions VALUES (?, ?, ?, ?, 0)",
                (portal_id, object_type, definition.name, encode(definition)),
            )
            _bump_properties_version(conn, portal_id, object_type)

        await self._writer.run(add)

    async def update_property(
        self,
        portal_id: int,
        object_type: str,
        definition: PropertyDefinition,
        *,
        archived: bool = False,
    ) -> None:
        def update(conn: sqlite3.Connection) -> None:
            # A changed default becomes the portal's own row, over the seed's.
            conn.execute(
                "INSERT INTO property_definitions VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (portal_id, object_type, name) DO UPDATE"
                " SET definition = excluded.definition, archived = excluded.archived",
                (portal_id, object_type, definition.name, encode(definition), int(archived)),
            )
            _bump_properties_version(conn, portal_id, object_type)

        await self._writer.run(update)
