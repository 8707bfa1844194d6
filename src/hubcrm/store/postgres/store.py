"""The PostgreSQL store: the pools, opening and closing, and write transactions run again when
they lose a race."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import asyncpg

from hubcrm.store.base import Backpressure, RateCounters, WriteTransaction
from hubcrm.store.errors import (
    OutcomeUnknown,
    Overloaded,
    StoreUnavailable,
    UniqueViolation,
    WriteConflict,
)
from hubcrm.store.postgres.apps import Apps
from hubcrm.store.postgres.associations import Associations
from hubcrm.store.postgres.connection import (
    DRIVER_ERRORS,
    POOL_SIZE,
    RECONNECT_SECONDS,
    acquired,
    is_lost,
    open_pools,
    short,
    translated,
)
from hubcrm.store.postgres.definitions import Definitions
from hubcrm.store.postgres.health import Health
from hubcrm.store.postgres.legacy import Legacy
from hubcrm.store.postgres.migrate import migrate_connection
from hubcrm.store.postgres.owners import Owners
from hubcrm.store.postgres.pipelines import Pipelines
from hubcrm.store.postgres.portals import Portals
from hubcrm.store.postgres.rates import SharedRateCounters
from hubcrm.store.postgres.records import Records
from hubcrm.store.postgres.schemas import Schemas
from hubcrm.store.postgres.transaction import Transaction
from hubcrm.store.postgres.upkeep import Upkeep
from hubcrm.store.postgres.webhooks import Outbox

T = TypeVar("T")
log = logging.getLogger("hubcrm")

# How many times a transaction that lost a race runs before WriteConflict reaches the caller.
WRITE_ATTEMPTS = 8


class PostgresStore(
    Portals,
    Definitions,
    Records,
    Schemas,
    Health,
    Apps,
    Outbox,
    Associations,
    Pipelines,
    Owners,
    Legacy,
):
    """base.Store on PostgreSQL: the reads and the test controls come from the mixins; opening,
    closing and write transactions are here."""

    def __init__(
        self, pool: asyncpg.Pool, ids: asyncpg.Pool, backpressure: Backpressure | None = None
    ) -> None:
        self._pool = pool
        self._ids = ids  # id allocation only: one short statement at a time, never waits on _pool
        self._backpressure = backpressure or Backpressure()
        self._writes = 0  # write transactions running or waiting for a connection
        self._upkeep = Upkeep(pool)

    @classmethod
    async def open(
        cls, url: str, *, migrate: bool = True, backpressure: Backpressure | None = None
    ) -> PostgresStore:
        pool, ids = await open_pools(url)
        store = cls(pool, ids, backpressure)
        try:
            await store._migrate(None if migrate else 0)
        except BaseException:
            await store.close()
            raise
        return store

    async def _migrate(self, target: int | None) -> list[int]:
        with translated():
            async with acquired(self._pool) as conn:
                try:
                    return await migrate_connection(conn, target)
                finally:
                    # Migrations hold a session lock; the pool itself no longer resets a
                    # connection's session (connection.py), so this one is reset here.
                    await conn.reset()

    async def close(self) -> None:
        await self._upkeep.close()
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
        UniqueViolation for a unique value, else WriteConflict.

        A transaction whose connection died before COMMIT was sent committed nothing: it runs
        again on a fresh connection for up to RECONNECT_SECONDS, then StoreUnavailable. One whose
        connection died during COMMIT may have committed: OutcomeUnknown, never run again."""
        loop = asyncio.get_running_loop()
        conflicts = 0
        deadline: float | None = None
        pause = 0.05
        while True:
            try:
                return await self._transact_once(portal_id, object_type, work)
            except (OutcomeUnknown, Overloaded):
                raise
            except StoreUnavailable as error:
                now = loop.time()
                deadline = deadline if deadline is not None else now + RECONNECT_SECONDS
                if now >= deadline:
                    raise
                log.warning("PostgreSQL connection lost (%s); writing again", short(error))
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.5)
            except WriteConflict as error:
                conflicts += 1
                if conflicts >= WRITE_ATTEMPTS:
                    if error.unique:
                        raise UniqueViolation(str(error)) from error
                    raise
                await asyncio.sleep(random.uniform(0, 0.002 * 2 ** (conflicts - 1)))

    async def _transact_once(
        self,
        portal_id: int,
        object_type: str,
        work: Callable[[WriteTransaction], Awaitable[T]],
    ) -> T:
        with translated(in_write=True):
            async with self._connection() as conn:
                transaction = conn.transaction()
                await transaction.start()
                try:
                    result = await work(
                        Transaction(conn, self._ids, self._upkeep, portal_id, object_type)
                    )
                except BaseException as error:
                    if not is_lost(error):  # a connection that died has nothing to roll back
                        with contextlib.suppress(
                            asyncpg.PostgresError,
                            asyncpg.InterfaceError,
                            asyncpg.InternalClientError,
                        ):
                            await transaction.rollback()
                    raise
                try:
                    await transaction.commit()
                except DRIVER_ERRORS as error:
                    if is_lost(error):
                        raise OutcomeUnknown(str(error)) from error
                    raise
                return result

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection for a write, or Overloaded when too many writes wait for one already or
        this one waited too long."""
        limit = self._backpressure.queue_limit
        if limit and self._writes >= POOL_SIZE + limit:
            raise Overloaded(f"{self._writes} writes already running or waiting")
        timeout = self._backpressure.queue_timeout or None
        self._writes += 1
        try:
            async with acquired(self._pool, timeout) as conn:
                yield conn
        finally:
            self._writes -= 1
