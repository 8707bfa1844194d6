"""Storage behind one contract (base.Store); one module per database, chosen by URL scheme."""

from __future__ import annotations

from hubcrm.store.base import Store


async def open_store(url: str) -> Store:
    """Open (and migrate) the store a database URL names: `sqlite:///path.db`."""
    if url.startswith("sqlite:"):
        from hubcrm.store.sqlite import SQLiteStore

        return await SQLiteStore.open(url)
    raise ValueError(f"unsupported database URL: {url!r} (expected sqlite:///path)")
