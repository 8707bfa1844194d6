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
    raise ValueError(
        f"unsupported database URL: {url!r} (expected sqlite:///path or postgresql://host/db)"
    )
