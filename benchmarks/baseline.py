"""The limit: the same rows, with the same durability, written straight into the same engine.

No HTTP and no validation, but the storage work hubcrm does per batch: one transaction per 100
contacts, an upsert keyed by the unique email, one history row per property written.

- SQLite: `executemany` in WAL mode with `synchronous=FULL`, as hubcrm runs it.
- PostgreSQL: an `unnest` upsert and an `unnest` history insert over one connection, with the
  server's default (durable) commit, as hubcrm runs it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from itertools import islice
from typing import Any, Protocol

from hubcrm.store.sqlite import CACHE_MIB, CHECKPOINT_PAGES

Rows = list[tuple[str, dict[str, str]]]
SEED_BATCHES_PER_TRANSACTION = 100


async def seed(base: Baseline, batches: Iterable[Rows]) -> None:
    """The same rows as writing each batch, faster: many batches to a transaction."""
    iterator = iter(batches)
    while chunk := list(islice(iterator, SEED_BATCHES_PER_TRANSACTION)):
        await base.write([row for batch in chunk for row in batch])


class Baseline(Protocol):
    async def write(self, batch: Rows) -> None:
        """One batch, in one durable transaction."""

    async def close(self) -> None: ...


SQLITE_SCHEMA = """
CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,
                       properties TEXT NOT NULL);
CREATE TABLE history (contact_id INTEGER NOT NULL, property TEXT NOT NULL, value TEXT NOT NULL,
                      timestamp INTEGER NOT NULL);
CREATE INDEX history_by_contact ON history (contact_id, property, timestamp);
"""


class SQLiteBaseline:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")  # as hubcrm: every commit durable
        self.conn.execute(f"PRAGMA cache_size = -{CACHE_MIB * 1024}")  # and as much memory
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
        self.conn.executescript(SQLITE_SCHEMA)

    async def write(self, batch: Rows) -> None:
        now = time.time_ns() // 1_000_000
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO contacts (email, properties) VALUES (?, ?) ON CONFLICT (email) DO UPDATE"
            " SET properties = json_patch(properties, excluded.properties)",
            [(key, json.dumps(props)) for key, props in batch],
        )
        conn.executemany(
            "INSERT INTO history SELECT id, ?, ?, ? FROM contacts WHERE email = ?",
            [(name, value, now, key) for key, props in batch for name, value in props.items()],
        )
        conn.execute("COMMIT")

    async def close(self) -> None:
        self.conn.close()


POSTGRES_SCHEMA = """
CREATE TABLE contacts (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE,
                       properties JSONB NOT NULL);
CREATE TABLE history (contact_id BIGINT NOT NULL, property TEXT NOT NULL, value TEXT NOT NULL,
                      timestamp BIGINT NOT NULL);
CREATE INDEX history_by_contact ON history (contact_id, property, timestamp);
"""


class PostgresBaseline:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @classmethod
    async def open(cls, url: str) -> PostgresBaseline:
        import asyncpg

        conn = await asyncpg.connect(url)
        await conn.execute(POSTGRES_SCHEMA)
        return cls(conn)

    async def write(self, batch: Rows) -> None:
        now = time.time_ns() // 1_000_000
        async with self.conn.transaction():
            ids = await self.conn.fetch(
                "INSERT INTO contacts (email, properties)"
                " SELECT * FROM unnest($1::text[], $2::jsonb[])"
                " ON CONFLICT (email) DO UPDATE SET properties = contacts.properties"
                " || excluded.properties RETURNING id, email",
                [key for key, _ in batch],
                [json.dumps(props) for _, props in batch],
            )
            by_email = {row["email"]: row["id"] for row in ids}
            history = [
                (by_email[key], name, value)
                for key, props in batch
                for name, value in props.items()
            ]
            await self.conn.execute(
                "INSERT INTO history SELECT c, p, v, $4"
                " FROM unnest($1::bigint[], $2::text[], $3::text[]) AS h (c, p, v)",
                [h[0] for h in history],
                [h[1] for h in history],
                [h[2] for h in history],
                now,
            )

    async def close(self) -> None:
        await self.conn.close()
