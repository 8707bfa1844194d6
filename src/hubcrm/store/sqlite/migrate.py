"""Applying the SQLite schema migrations, safely against a concurrent migrator."""

from __future__ import annotations

import asyncio
import sqlite3

from hubcrm.store import migrations
from hubcrm.store.errors import StoreError
from hubcrm.store.sqlite.connection import (
    DIALECT,
    cannot_open,
    connect,
    path_from_url,
    translated,
)


def migrate_connection(conn: sqlite3.Connection, target: int | None = None) -> list[int]:
    """Apply pending migrations; return the versions applied. Safe against a concurrent migrator:
    each script first claims its version row, and a lost claim means it is already done."""
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {migrations.TABLE}"
        " (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    done: list[int] = []
    while True:
        applied = {row[0] for row in conn.execute(f"SELECT version FROM {migrations.TABLE}")}
        pending = migrations.plan(DIALECT, applied, target)
        if not pending:
            return done
        step = pending[0]
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n"
                f"INSERT INTO {migrations.TABLE} (version) VALUES ({step.version});\n"
                f"{step.sql}\nCOMMIT;"
            )
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK")  # another process applied it first
            continue
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        done.append(step.version)


async def migrate(url: str, target: int | None = None) -> list[int]:
    """Bring the database at `url` to schema version `target` (default: the latest)."""

    path = path_from_url(url)

    def run() -> list[int]:
        try:
            with translated():
                conn = connect(path)
        except StoreError as error:
            raise cannot_open(path, error) from error
        try:
            with translated():
                return migrate_connection(conn, target)
        finally:
            conn.close()

    return await asyncio.to_thread(run)
