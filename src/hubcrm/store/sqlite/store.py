"""The SQLite store: the contract's methods, gathered from the modules of each concern."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

from hubcrm.store.base import (
    Backpressure,
    WriteTransaction,
)
from hubcrm.store.sqlite.apps import Apps
from hubcrm.store.sqlite.associations import Associations
from hubcrm.store.sqlite.connection import Connection, path_from_url
from hubcrm.store.sqlite.definitions import Definitions
from hubcrm.store.sqlite.health import Health
from hubcrm.store.sqlite.owners import Owners
from hubcrm.store.sqlite.pipelines import Pipelines
from hubcrm.store.sqlite.portals import Portals
from hubcrm.store.sqlite.records import Records
from hubcrm.store.sqlite.schemas import Schemas
from hubcrm.store.sqlite.transaction import Transaction
from hubcrm.store.sqlite.webhooks import Outbox
from hubcrm.store.sqlite.writer import Writer

T = TypeVar("T")


class SQLiteStore(
    Portals, Definitions, Records, Schemas, Health, Apps, Outbox, Associations, Pipelines, Owners
):
    def __init__(
        self, path: str, migrate_to: int | None = None, backpressure: Backpressure | None = None
    ) -> None:
        self._writer = Writer(path, migrate_to, backpressure)
        self._reader = Connection(path, "hubcrm-sqlite-reader")

    @classmethod
    async def open(
        cls, url: str, *, migrate: bool = True, backpressure: Backpressure | None = None
    ) -> SQLiteStore:
        """Open the database, applying pending migrations unless `migrate` is False (then only
        check that its schema is not newer than this hubcrm)."""
        store = cls(path_from_url(url), None if migrate else 0, backpressure)
        try:
            await store._writer.start()
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        await self._writer.close()
        await self._reader.close()

    def shared_rate_counters(self) -> None:
        # Rate limits are counted per process: a write per request would serialise readers
        # behind the single SQLite writer.
        return None

    async def transact(
        self,
        portal_id: int,
        object_type: str,
        work: Callable[[WriteTransaction], Awaitable[T]],
    ) -> T:
        async def job(conn: sqlite3.Connection) -> T:
            return await work(Transaction(conn, portal_id, object_type))

        return await self._writer.transact(job)
