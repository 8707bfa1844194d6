"""Storage behind one contract (base.Store); one module per database, chosen by URL scheme."""

from __future__ import annotations

from types import ModuleType

from hubcrm.store.base import Backpressure, Store
from hubcrm.store.errors import CannotOpen

POSTGRES_SCHEMES = ("postgresql:", "postgres:")


async def open_store(
    url: str, *, migrate: bool = True, backpressure: Backpressure | None = None
) -> Store:
    """Open the store a database URL names: `sqlite:///path.db` or `postgresql://...`.

    Pending schema migrations are applied unless `migrate` is False; a schema newer than this
    hubcrm knows raises errors.SchemaTooNew either way.
    """
    if url.startswith("sqlite:"):
        from hubcrm.store.sqlite import SQLiteStore

        return await SQLiteStore.open(url, migrate=migrate, backpressure=backpressure)
    if url.startswith(POSTGRES_SCHEMES):
        store: Store = await _postgres().PostgresStore.open(
            url, migrate=migrate, backpressure=backpressure
        )
        return store
    raise CannotOpen(_unsupported(url))


async def migrate(url: str, target: int | None = None) -> list[int]:
    """Bring the database at `url` to schema version `target` (default: the latest); return the
    versions applied. A schema newer than this hubcrm knows raises errors.SchemaTooNew."""
    if url.startswith("sqlite:"):
        from hubcrm.store import sqlite

        return await sqlite.migrate(url, target)
    if url.startswith(POSTGRES_SCHEMES):
        applied: list[int] = await _postgres().migrate(url, target)
        return applied
    raise CannotOpen(_unsupported(url))


def _unsupported(url: str) -> str:
    scheme = url.partition(":")[0] if ":" in url else url
    return (
        f"unsupported database URL (scheme {scheme!r}): give sqlite:///relative/path.db,"
        " sqlite:////absolute/path.db or postgresql://user:password@host:port/dbname"
    )


def _postgres() -> ModuleType:
    """store/postgres/, which needs the optional driver."""
    try:
        from hubcrm.store import postgres
    except ImportError as error:
        raise CannotOpen(
            f"PostgreSQL needs its driver: pip install 'hubcrm[postgres]' ({error})"
        ) from error
    return postgres
