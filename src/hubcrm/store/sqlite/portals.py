"""Portals, their tokens, and the test controls over a portal's data."""

from __future__ import annotations

import sqlite3
from typing import Any

from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.store.base import (
    Token,
)
from hubcrm.store.seeds import seed_rows
from hubcrm.store.sqlite.writer import Connections


def _token(row: tuple[Any, ...]) -> Token:
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


# A reset keeps these: the portal itself, its credentials, and its id sequences (reset in place).
_KEPT_ON_RESET = frozenset({"portals", "tokens", "object_schemas", "schema_migrations"})


def _portal_state_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table holding a portal's data, found in the schema so that new tables are reset too.

    Table names come from sqlite_master, never from a request.
    """
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [
        table
        for table in tables
        if table not in _KEPT_ON_RESET
        and not table.startswith("sqlite_")
        and any(col[1] == "portal_id" for col in conn.execute(f'PRAGMA table_info("{table}")'))
    ]


_TOKEN_COLUMNS = (
    "token_id, portal_id, scopes, name, created_at, expires_at, revoked_at, token_hash, app_id"
)


def _seed_schemas(
    conn: sqlite3.Connection, portal_id: int, schemas: dict[str, list[PropertyDefinition]]
) -> None:
    """A new or reset portal's id sequences and property definitions, per object type."""
    for object_type, definitions in schemas.items():
        key, rows = seed_rows(definitions)
        # On a reset the version moves on, never back, so that cached definitions are dropped.
        conn.execute(
            "INSERT INTO object_schemas (portal_id, object_type, next_record_id,"
            " properties_version, seed_key) VALUES (?, ?, 1, 1, ?)"
            " ON CONFLICT (portal_id, object_type) DO UPDATE SET next_record_id = 1,"
            " properties_version = properties_version + 1, seed_key = excluded.seed_key",
            (portal_id, object_type, key),
        )
        # The defaults are stored once per database, by the first portal that needs them.
        if not conn.execute(
            "SELECT 1 FROM seed_definitions WHERE seed_key = ? AND object_type = ? LIMIT 1",
            (key, object_type),
        ).fetchone():
            conn.executemany(
                "INSERT OR IGNORE INTO seed_definitions VALUES (?, ?, ?, ?)",
                [(key, object_type, name, text) for name, text in rows],
            )


class Portals(Connections):
    # Portals and tokens

    async def create_portal(
        self, portal_id: int, created_at: int, schemas: dict[str, list[PropertyDefinition]]
    ) -> bool:
        def create(conn: sqlite3.Connection) -> bool:
            inserted = conn.execute(
                "INSERT OR IGNORE INTO portals (portal_id, created_at) VALUES (?, ?)",
                (portal_id, created_at),
            ).rowcount
            if inserted:
                _seed_schemas(conn, portal_id, schemas)
            return bool(inserted)

        return await self._writer.run(create)

    async def portal_ids(self) -> list[int]:
        return await self._reader.run(
            lambda conn: [r[0] for r in conn.execute("SELECT portal_id FROM portals ORDER BY 1")]
        )

    async def add_token(
        self,
        portal_id: int,
        token_hash: str,
        scopes: frozenset[str],
        name: str | None,
        created_at: int,
        expires_at: int | None,
    ) -> Token:
        def add(conn: sqlite3.Connection) -> Token:
            row = conn.execute(
                "INSERT INTO tokens (portal_id, token_id, token_hash, scopes, name, created_at,"
                " expires_at) VALUES (?, (SELECT COALESCE(MAX(token_id), 0) + 1 FROM tokens"
                " WHERE portal_id = ?), ?, ?, ?, ?, ?) RETURNING token_id",
                (
                    portal_id,
                    portal_id,
                    token_hash,
                    " ".join(sorted(scopes)),
                    name,
                    created_at,
                    expires_at,
                ),
            ).fetchone()
            return Token(row[0], portal_id, scopes, name, created_at, expires_at, None, token_hash)

        return await self._writer.run(add)

    async def token_by_hash(self, token_hash: str) -> Token | None:
        def find(conn: sqlite3.Connection) -> Token | None:
            row = conn.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            return _token(row) if row else None

        return await self._reader.run(find)

    async def tokens(self, portal_id: int | None = None) -> list[Token]:
        def list_all(conn: sqlite3.Connection) -> list[Token]:
            rows = conn.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE ? IS NULL OR portal_id = ?"
                " ORDER BY portal_id, token_id",
                (portal_id, portal_id),
            )
            return [_token(row) for row in rows]

        return await self._reader.run(list_all)

    async def revoke_token(self, portal_id: int, token_id: int, revoked_at: int) -> bool:
        def revoke(conn: sqlite3.Connection) -> bool:
            return bool(
                conn.execute(
                    "UPDATE tokens SET revoked_at = ? WHERE portal_id = ? AND token_id = ?"
                    " AND revoked_at IS NULL",
                    (revoked_at, portal_id, token_id),
                ).rowcount
            )

        return await self._writer.run(revoke)

    # Test controls

    async def reset_portal(
        self, portal_id: int, schemas: dict[str, list[PropertyDefinition]]
    ) -> bool:
        def reset(conn: sqlite3.Connection) -> bool:
            if not conn.execute(
                "SELECT 1 FROM portals WHERE portal_id = ?", (portal_id,)
            ).fetchone():
                return False
            for table in _portal_state_tables(conn):
                conn.execute(f'DELETE FROM "{table}" WHERE portal_id = ?', (portal_id,))
            _seed_schemas(conn, portal_id, schemas)
            # Custom object schemas are gone: every process must drop the types it cached.
            conn.execute(
                "UPDATE portals SET schemas_version = schemas_version + 1 WHERE portal_id = ?",
                (portal_id,),
            )
            return True

        return await self._writer.run(reset)

    async def set_next_record_id(
        self, portal_id: int, object_type: str, next_id: int
    ) -> int | None:
        def set_next(conn: sqlite3.Connection) -> int | None:
            if not conn.execute(
                "SELECT 1 FROM object_schemas WHERE portal_id = ? AND object_type = ?",
                (portal_id, object_type),
            ).fetchone():
                return None
            (highest,) = conn.execute(
                "SELECT COALESCE(MAX(record_id), 0) FROM records"
                " WHERE portal_id = ? AND object_type = ?",
                (portal_id, object_type),
            ).fetchone()
            if next_id > highest:
                conn.execute(
                    "UPDATE object_schemas SET next_record_id = ?"
                    " WHERE portal_id = ? AND object_type = ?",
                    (next_id, portal_id, object_type),
                )
            return int(highest)

        return await self._writer.run(set_next)
