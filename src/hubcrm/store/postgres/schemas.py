"""Custom object schemas, and the version that moves on whenever a portal's schemas change."""

from __future__ import annotations

from hubcrm.store.base import SchemaBuilder, StoredObjectSchema
from hubcrm.store.errors import UniqueViolation
from hubcrm.store.postgres.connection import Pooled, acquired, encode, translated

_BUMP = "UPDATE portals SET schemas_version = schemas_version + 1 WHERE portal_id = $1"


class Schemas(Pooled):
    """Custom object schemas."""

    async def schemas_version(self, portal_id: int) -> int:
        row = await self._fetchrow(
            "SELECT schemas_version FROM portals WHERE portal_id = $1", portal_id
        )
        return int(row[0]) if row else 0

    async def object_schemas(self, portal_id: int) -> list[StoredObjectSchema]:
        rows = await self._fetch(
            "SELECT object_type, name, definition, archived FROM custom_object_schemas"
            " WHERE portal_id = $1 ORDER BY substr(object_type, 3)::bigint",
            portal_id,
        )
        return [StoredObjectSchema(r[0], r[1], r[2].encode(), r[3]) for r in rows]

    async def add_object_schema(
        self, portal_id: int, name: str, build: SchemaBuilder
    ) -> StoredObjectSchema:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                # The portal row, locked, serialises schema changes of one portal.
                number = await conn.fetchval(
                    "UPDATE portals SET next_custom_type = next_custom_type + 1,"
                    " schemas_version = schemas_version + 1 WHERE portal_id = $1"
                    " RETURNING next_custom_type - 1",
                    portal_id,
                )
                taken = await conn.fetchval(
                    "SELECT true FROM custom_object_schemas WHERE portal_id = $1 AND name = $2",
                    portal_id,
                    name,
                )
                if taken:
                    raise UniqueViolation(f"object schema {name} exists")
                object_type = f"2-{number}"
                definition, properties = build(object_type)
                await conn.execute(
                    "INSERT INTO custom_object_schemas (portal_id, object_type, name, definition)"
                    " VALUES ($1, $2, $3, $4)",
                    portal_id,
                    object_type,
                    name,
                    definition.decode(),
                )
                await conn.execute(
                    "INSERT INTO object_schemas VALUES ($1, $2, 1, 1)"
                    " ON CONFLICT (portal_id, object_type) DO UPDATE SET next_record_id = 1,"
                    " properties_version = object_schemas.properties_version + 1",
                    portal_id,
                    object_type,
                )
                await conn.execute(
                    "INSERT INTO property_definitions (portal_id, object_type, name, definition)"
                    " SELECT $1, $2, d.* FROM unnest($3::text[], $4::text[]) AS d",
                    portal_id,
                    object_type,
                    [d.name for d in properties],
                    [encode(d).decode() for d in properties],
                )
                return StoredObjectSchema(object_type, name, definition)

    async def update_object_schema(
        self, portal_id: int, object_type: str, definition: bytes, *, archived: bool
    ) -> None:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                await conn.execute(
                    "UPDATE custom_object_schemas SET definition = $1, archived = $2"
                    " WHERE portal_id = $3 AND object_type = $4",
                    definition.decode(),
                    archived,
                    portal_id,
                    object_type,
                )
                await conn.execute(_BUMP, portal_id)

    async def purge_object_schema(self, portal_id: int, object_type: str) -> None:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                await conn.execute(
                    "DELETE FROM custom_object_schemas WHERE portal_id = $1 AND object_type = $2",
                    portal_id,
                    object_type,
                )
                await conn.execute(_BUMP, portal_id)
