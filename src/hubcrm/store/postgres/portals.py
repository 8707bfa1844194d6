"""Portals, their tokens, and the test controls that reset a portal or move its id sequence."""

from __future__ import annotations

from typing import Any

import asyncpg

from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.store.base import Token
from hubcrm.store.postgres.connection import Pooled, acquired, translated
from hubcrm.store.seeds import seed_rows

_TOKEN_COLUMNS = (
    "token_id, portal_id, scopes, name, created_at, expires_at, revoked_at, token_hash, app_id"
)


def _token(row: Any) -> Token:
    return Token(
        token_id=row[0],
        portal_id=row[1],
        scopes=frozenset(filter(None, row[2].split(" "))),
        name=row[3],
        created_at=row[4],
        expires_at=row[5],
        revoked_at=row[6],
        token_hash=row[7],
        app_id=row[8],
    )


# A reset keeps these: the portal itself, its credentials, its id sequences (reset in place), and
# its rate-limit usage (a reset does not give a portal its quota back).
_KEPT_ON_RESET = frozenset(
    {"portals", "tokens", "object_schemas", "schema_migrations", "rate_hits", "rate_days"}
)


async def _portal_state_tables(conn: asyncpg.Connection) -> list[str]:
    """Every table holding a portal's data, found in the catalogue so that new tables are reset
    too; quoted as identifiers. Table names come from the catalogue, never from a request."""
    rows = await conn.fetch(
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'portal_id'"
        " AND table_schema = current_schema() ORDER BY table_name"
    )
    names = [row[0] for row in rows if row[0] not in _KEPT_ON_RESET]
    return ['"' + name.replace('"', '""') + '"' for name in names]


async def _seed_schemas(
    conn: asyncpg.Connection, portal_id: int, schemas: dict[str, list[PropertyDefinition]]
) -> None:
    """A new or reset portal's id sequences and property definitions, per object type."""
    types = list(schemas)
    # On a reset the version moves on, never back, so that cached definitions are dropped.
    await conn.execute(
        "INSERT INTO object_schemas SELECT $1, t, 1, 1 FROM unnest($2::text[]) AS t"
        " ON CONFLICT (portal_id, object_type) DO UPDATE SET next_record_id = 1,"
        " properties_version = object_schemas.properties_version + 1",
        portal_id,
        types,
    )
    seeds = {t: seed_rows(schemas[t]) for t in types}
    await conn.execute(
        "UPDATE object_schemas SET seed_key = s.key FROM unnest($2::text[], $3::text[])"
        " AS s(type, key) WHERE portal_id = $1 AND object_type = s.type",
        portal_id,
        types,
        [seeds[t][0] for t in types],
    )
    # The defaults are stored once per database, by the first portal that needs them.
    present = await conn.fetch(
        "SELECT DISTINCT seed_key, object_type FROM seed_definitions"
        " WHERE (seed_key, object_type) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
        [seeds[t][0] for t in types],
        types,
    )
    known = {(row[0], row[1]) for row in present}
    rows = [
        (key, t, name, text)
        for t, (key, seeded) in seeds.items()
        if (key, t) not in known
        for name, text in seeded
    ]
    if rows:
        await conn.execute(
            "INSERT INTO seed_definitions"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])"
            " ON CONFLICT DO NOTHING",
            *([r[i] for r in rows] for i in range(4)),
        )


class Portals(Pooled):
    """Portals and tokens, and the test controls."""

    async def create_portal(
        self, portal_id: int, created_at: int, schemas: dict[str, list[PropertyDefinition]]
    ) -> bool:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                inserted = await conn.fetchval(
                    "INSERT INTO portals (portal_id, created_at) VALUES ($1, $2)"
                    " ON CONFLICT DO NOTHING RETURNING true",
                    portal_id,
                    created_at,
                )
                if not inserted:
                    return False
                await _seed_schemas(conn, portal_id, schemas)
                return True

    async def portal_ids(self) -> list[int]:
        return [row[0] for row in await self._fetch("SELECT portal_id FROM portals ORDER BY 1")]

    async def add_token(
        self,
        portal_id: int,
        token_hash: str,
        scopes: frozenset[str],
        name: str | None,
        created_at: int,
        expires_at: int | None,
    ) -> Token:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                # The portal row serialises token numbering across processes.
                await conn.execute(
                    "SELECT 1 FROM portals WHERE portal_id = $1 FOR UPDATE", portal_id
                )
                token_id = await conn.fetchval(
                    "INSERT INTO tokens (portal_id, token_id, token_hash, scopes, name, created_at,"
                    " expires_at) VALUES ($1, (SELECT COALESCE(MAX(token_id), 0) + 1 FROM tokens"
                    " WHERE portal_id = $1), $2, $3, $4, $5, $6) RETURNING token_id",
                    portal_id,
                    token_hash,
                    " ".join(sorted(scopes)),
                    name,
                    created_at,
                    expires_at,
                )
        return Token(token_id, portal_id, scopes, name, created_at, expires_at, None, token_hash)

    async def token_by_hash(self, token_hash: str) -> Token | None:
        row = await self._fetchrow(
            f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE token_hash = $1", token_hash
        )
        return _token(row) if row else None

    async def tokens(self, portal_id: int | None = None) -> list[Token]:
        rows = await self._fetch(
            f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE $1::bigint IS NULL OR portal_id = $1"
            " ORDER BY portal_id, token_id",
            portal_id,
        )
        return [_token(row) for row in rows]

    async def revoke_token(self, portal_id: int, token_id: int, revoked_at: int) -> bool:
        with translated():
            async with acquired(self._pool) as conn:
                status = await conn.execute(
                    "UPDATE tokens SET revoked_at = $3 WHERE portal_id = $1 AND token_id = $2"
                    " AND revoked_at IS NULL",
                    portal_id,
                    token_id,
                    revoked_at,
                )
        return bool(status != "UPDATE 0")

    # Test controls

    async def reset_portal(
        self, portal_id: int, schemas: dict[str, list[PropertyDefinition]]
    ) -> bool:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                exists = await conn.fetchval(
                    "SELECT true FROM portals WHERE portal_id = $1 FOR UPDATE", portal_id
                )
                if not exists:
                    return False
                for table in await _portal_state_tables(conn):
                    await conn.execute(f"DELETE FROM {table} WHERE portal_id = $1", portal_id)
                await _seed_schemas(conn, portal_id, schemas)
                # Custom object schemas are gone: every process must drop the types it cached.
                await conn.execute(
                    "UPDATE portals SET schemas_version = schemas_version + 1 WHERE portal_id = $1",
                    portal_id,
                )
                return True

    async def set_next_record_id(
        self, portal_id: int, object_type: str, next_id: int
    ) -> int | None:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                exists = await conn.fetchval(
                    "SELECT true FROM object_schemas WHERE portal_id = $1 AND object_type = $2"
                    " FOR UPDATE",
                    portal_id,
                    object_type,
                )
                if not exists:
                    return None
                highest: int = await conn.fetchval(
                    "SELECT COALESCE(MAX(record_id), 0) FROM records"
                    " WHERE portal_id = $1 AND object_type = $2",
                    portal_id,
                    object_type,
                )
                if next_id > highest:
                    await conn.execute(
                        "UPDATE object_schemas SET next_record_id = $3"
                        " WHERE portal_id = $1 AND object_type = $2",
                        portal_id,
                        object_type,
                        next_id,
                    )
                return int(highest)
