"""Schema migrations on PostgreSQL: migrations.plan's steps, each in its own transaction, under
an advisory lock, so that concurrent starts migrate once."""

from __future__ import annotations

import asyncpg

from hubcrm.store import migrations
from hubcrm.store.postgres.connection import CONNECT_TIMEOUT, starting, translated

DIALECT = "postgresql"
# The advisory lock key migrations run under: b"hubcrm" as a number.
_MIGRATION_LOCK = 0x687562_63726D


async def migrate_connection(conn: asyncpg.Connection, target: int | None) -> list[int]:
    """Apply pending migrations under a session advisory lock: concurrent starts migrate once."""
    await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {migrations.TABLE} (version INTEGER PRIMARY KEY,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        applied = {row[0] for row in await conn.fetch(f"SELECT version FROM {migrations.TABLE}")}
        done = []
        for step in migrations.plan(DIALECT, applied, target):
            async with conn.transaction():
                await conn.execute(step.sql)
                await conn.execute(
                    f"INSERT INTO {migrations.TABLE} (version) VALUES ($1)", step.version
                )
            done.append(step.version)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)


async def migrate(url: str, target: int | None = None) -> list[int]:
    """Bring the database at `url` to schema version `target` (default: the latest)."""
    conn = await starting(url, lambda: asyncpg.connect(url, timeout=CONNECT_TIMEOUT))
    try:
        with translated():
            return await migrate_connection(conn, target)
    finally:
        await conn.close()
