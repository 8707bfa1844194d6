"""Storage behind one contract (base.Store); one module per database, chosen by URL scheme."""

from __future__ import annotations

from hubcrm.store.base import Store

POSTGRES_SCHEMES = ("postgresql:", "postgres:")


async def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the store a database URL names: `sqlite:///path.db` or `postgresql://...`.

    Pending schema migrations are applied unless `migrate` is False; a schema newer than this
    hubcrm knows raises errors.SchemaTooNew either way.
    """
    if url.startswith("sqlite:"):
        from hubcrm.store.sqlite import SQLiteStore

        return await SQLiteStore.open(url, migrate=migrate)
    if url.startswith(POSTGRES_SCHEMES):
        from hubcrm.store.postgres import PostgresStore

        return await PostgresStore.open(url, migrate=migrate)
    raise ValueError(_unsupported(url))


async def migrate(url: str, target: int | None = None) -> list[int]:
    """Bring the database at `url` to schema version `target` (default: the latest); return the
    versions applied. A schema newer than this hubcrm knows raises errors.SchemaTooNew."""
    if url.startswith("sqlite:"):
        from hubcrm.store import sqlite

        return await sqlite.migrate(url, target)
    if url.startswith(POSTGRES_SCHEMES):
        from hubcrm.store import postgres

        return await postgres.migrate(url, target)
    raise ValueError(_unsupported(url))


def _unsupported(url: str) -> str:
    return f"unsupported database URL: {url!r} (expected sqlite:///path or postgresql://host/db)"
