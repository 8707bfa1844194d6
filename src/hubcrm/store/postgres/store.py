"""The PostgreSQL store: the pools, opening and closing, and write transactions run again when
they lose a race."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from hubcrm.store.base import RateCounters, WriteTransaction
from hubcrm.store.errors import UniqueViolation, WriteConflict
from hubcrm.store.postgres.apps import Apps
from hubcrm.store.postgres.associations import Associations
from hubcrm.store.postgres.connection import open_pools, translated
from hubcrm.store.postgres.definitions import Definitions
from hubcrm.store.postgres.health import Health
from hubcrm.store.postgres.migrate import migrate_connection
from hubcrm.store.postgres.portals import Portals
from hubcrm.store.postgres.rates import SharedRateCounters
from hubcrm.store.postgres.records import Records
from hubcrm.store.postgres.schemas import Schemas
from hubcrm.store.postgres.transaction import Transaction
from hubcrm.store.postgres.webhooks import Outbox

T = TypeVar("T")

# How many times a transaction that lost a race runs before WriteConflict reaches the caller.
WRITE_ATTEMPTS = 8


class PostgresStore(Portals, Definitions, Records, Schemas, Health, Apps, Outbox, Associations):
    """base.Store on PostgreSQL: the reads and the test controls come from the mixins; opening,
    closing and write transactions are here."""

    def __init__(self, pool: asyncpg.Pool, ids: asyncpg.Pool) -> None:
        self._pool = pool
        self._ids = ids  # id allocation only: one short statement at a time, never waits on _pool

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> PostgresStore:
        pool, ids = await open_pools(url)
        store = cls(pool, ids)
        try:
            await store._migrate(None if migrate else 0)
        except BaseException:
            await store.close()
            raise
        return store

    async def _migrate(self, target: int | None) -> list[int]:
        with translated():
            async with self._pool.acquire() as conn:
                return await migrate_connection(conn, target)

    async def close(self) -> None:
        await self._pool.close()
        await self._ids.close()

    def shared_rate_counters(self) -> RateCounters:
        return SharedRateCounters(self._pool)

    async def transact(
        self,
        portal_id: int,
        object_type: str,
        work: Callable[[WriteTransaction], Awaitable[T]],
    ) -> T:
        """Run `work` in a transaction; run it again (a bounded number of times, with a short
        random pause) when it loses a race. If it keeps losing, raise what the database said:
        UniqueViolation for a unique value, else WriteConflict."""
        for attempt in range(WRITE_ATTEMPTS - 1):
            try:
                return await self._transact_once(portal_id, object_type, work)
            except WriteConflict:
                await asyncio.sleep(random.uniform(0, 0.002 * 2**attempt))
        try:
            return await self._transact_once(portal_id, object_type, work)
        except WriteConflict as error:
            if error.unique:
                raise UniqueViolation(str(error)) from error
            raise

    async def _transact_once(
        self,
        portal_id: int,
        object_type: str,
        work: Callable[[WriteTransaction], Awaitable[T]],
    ) -> T:
        with translated(in_write=True):
            async with self._pool.acquire() as conn, conn.transaction():
                return await work(Transaction(conn, self._ids, portal_id, object_type))
