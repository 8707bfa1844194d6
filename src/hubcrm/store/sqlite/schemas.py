"""Custom object schemas, and the version that moves on whenever a portal's schemas change."""

from __future__ import annotations

import sqlite3

from hubcrm.store.base import SchemaBuilder, StoredObjectSchema
from hubcrm.store.errors import UniqueViolation
from hubcrm.store.sqlite.connection import encode
from hubcrm.store.sqlite.writer import Connections


def bump_schemas_version(conn: sqlite3.Connection, portal_id: int) -> None:
    conn.execute(
        "UPDATE portals SET schemas_version = schemas_version + 1 WHERE portal_id = ?",
        (portal_id,),
    )


class Schemas(Connections):
    async def schemas_version(self, portal_id: int) -> int:
        def version(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT schemas_version FROM portals WHERE portal_id = ?", (portal_id,)
            ).fetchone()
            return int(row[0]) if row else 0

        return await self._reader.run(version)

    async def object_schemas(self, portal_id: int) -> list[StoredObjectSchema]:
        def schemas(conn: sqlite3.Connection) -> list[StoredObjectSchema]:
            rows = conn.execute(
                "SELECT object_type, name, definition, archived FROM custom_object_schemas"
                " WHERE portal_id = ? ORDER BY CAST(substr(object_type, 3) AS INTEGER)",
                (portal_id,),
            )
            return [StoredObjectSchema(r[0], r[1], r[2].encode(), bool(r[3])) for r in rows]

        return await self._reader.run(schemas)

    async def add_object_schema(
        self, portal_id: int, name: str, build: SchemaBuilder
    ) -> StoredObjectSchema:
        def add(conn: sqlite3.Connection) -> StoredObjectSchema:
            if conn.execute(
                "SELECT 1 FROM custom_object_schemas WHERE portal_id = ? AND name = ?",
                (portal_id, name),
            ).fetchone():
                raise UniqueViolation(f"object schema {name} exists")
            (number,) = conn.execute(
                "UPDATE portals SET next_custom_type = next_custom_type + 1,"
                " schemas_version = schemas_version + 1 WHERE portal_id = ?"
                " RETURNING next_custom_type - 1",
                (portal_id,),
            ).fetchone()
            object_type = f"2-{number}"
            definition, properties = build(object_type)
            conn.execute(
                "INSERT INTO custom_object_schemas (portal_id, object_type, name, definition)"
                " VALUES (?, ?, ?, ?)",
                (portal_id, object_type, name, definition.decode()),
            )
            conn.execute(
                "INSERT INTO object_schemas (portal_id, object_type, next_record_id,"
                " properties_version) VALUES (?, ?, 1, 1) ON CONFLICT (portal_id, object_type)"
                " DO UPDATE SET next_record_id = 1,"
                " properties_version = properties_version + 1",
                (portal_id, object_type),
            )
            conn.executemany(
                "INSERT INTO property_definitions VALUES (?, ?, ?, ?, 0)",
                [(portal_id, object_type, d.name, encode(d)) for d in properties],
            )
            return StoredObjectSchema(object_type, name, definition)

        return await self._writer.run(add)

    async def update_object_schema(
        self, portal_id: int, object_type: str, definition: bytes, *, archived: bool
    ) -> None:
        def update(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE custom_object_schemas SET definition = ?, archived = ?"
                " WHERE portal_id = ? AND object_type = ?",
                (definition.decode(), int(archived), portal_id, object_type),
            )
            bump_schemas_version(conn, portal_id)

        await self._writer.run(update)

    async def purge_object_schema(self, portal_id: int, object_type: str) -> None:
        def purge(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM custom_object_schemas WHERE portal_id = ? AND object_type = ?",
                (portal_id, object_type),
            )
            bump_schemas_version(conn, portal_id)

        await self._writer.run(purge)
