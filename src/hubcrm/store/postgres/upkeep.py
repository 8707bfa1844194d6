"""What autovacuum does a minute apart at best, done at the pace of this process's writes: the
planner's statistics of the portals it grows, and the search notes its catch-ups delete.

Statistics. PostgreSQL plans each query from statistics that ANALYZE samples. To statistics
taken before it grew, a portal that grew from nothing in the last minute (an import, an
integration's first sync, a load test) is a handful of rows, and reads of its records by id are
then planned as scans of the whole portal: at 80,000 records, 10 ms a read instead of 0.3,
growing with the portal. So each process counts the records it creates in each portal's type.
Once it has created MIN_CREATED, and again each time it has created as many as the planner last
estimated the portal to hold, it asks the planner for that estimate (which follows the table's
growth, at the share of it the portal had when last analyzed). When this process alone has
created at least as many records since, the estimate is off by half or more, and it analyzes the
tables that writes grow. A portal that the statistics already know to be large, or whose share
of the tables has not changed, is not analyzed again: an ANALYZE of the tables of a portal of
300,000 contacts took over a second of the server's time, and a process that added a few
thousand records to it ran several (finding 46 in BENCHMARKS.md).

Notes. Every write leaves a note per record in search_pending and catching up deletes it: the
table's live rows are few, its dead ones as many as records written since it was last vacuumed.
Catching up reads the notes in key order, through every dead entry left at the front of the
index: after an import of 300,000 contacts, 1,560 pages and 5 ms for each check of whether
anything lags, against 3 pages and 0.1 ms once vacuumed (finding 47). So each process vacuums the
table each time its catch-ups have deleted VACUUM_NOTES notes.

Builds. The first search that names a property builds its rows for every record. To statistics
taken before, the property has no rows, and a search of it is planned as a read of a few rows
through the table's key, filtering every value of the property: 150 ms a search at 300,000
contacts instead of 0.1 (finding 47). So a build that wrote the rows of MIN_CREATED records or
more analyzes the search tables as it completes, in its own transaction: the search waiting for
it is planned knowing them.

The others run in the background, one at a time, on a connection of the pool. All need the role
to own the tables (docs/deployment.md). A process that restarts counts from nothing again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

import asyncpg

from hubcrm.store.postgres.connection import DRIVER_ERRORS, acquired

log = logging.getLogger("hubcrm")

# New records of one portal's type before its first analysis (a smaller portal is cheap to scan).
MIN_CREATED = 1000
# The tables a write grows with its records.
TABLES = "records, unique_values, property_changes, search_pending, search_values, search_tokens"
# The tables a build of a property's search rows grows.
SEARCH_TABLES = "search_values, search_tokens"
# Notes deleted by this process's catch-ups between two vacuums of the notes table.
VACUUM_NOTES = 10_000
# What the statistics say a portal's type holds: the planner's estimate of its records.
_ESTIMATE = "EXPLAIN SELECT 1 FROM records WHERE portal_id = $1 AND object_type = $2"
_ROWS = re.compile(r"rows=(\d+)")


class Upkeep:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._created: dict[tuple[int, str], int] = {}  # new records by this process since
        self._due: dict[tuple[int, str], int] = {}  # ... the count at which to look again
        self._looking: set[tuple[int, str]] = set()  # due, for the task below
        self._built: dict[tuple[int, str], int] = {}  # records given rows by builds running
        self._deleted = 0  # notes deleted by catch-ups since the last vacuum
        self._vacuum = False  # the notes table is due to be vacuumed
        self._task: asyncio.Task[None] | None = None
        self.analyses = 0  # ANALYZEs this process has run
        self.vacuums = 0  # and VACUUMs of the notes table

    def created(self, portal_id: int, object_type: str, count: int) -> None:
        """Note `count` new records of a portal's type; look at its statistics once due."""
        key = (portal_id, object_type)
        total = self._created.get(key, 0) + count
        self._created[key] = total
        if total < self._due.get(key, MIN_CREATED) or key in self._looking:
            return
        self._looking.add(key)
        self._start()

    def building(self, portal_id: int, object_type: str, count: int) -> None:
        """Note `count` records given search rows by a build of a portal's type."""
        key = (portal_id, object_type)
        self._built[key] = self._built.get(key, 0) + count

    async def built(self, conn: asyncpg.Connection, portal_id: int, object_type: str) -> None:
        """A build of a portal's type has completed, in the transaction of `conn`: analyze the
        search tables if it wrote rows for MIN_CREATED records or more."""
        if self._built.pop((portal_id, object_type), 0) >= MIN_CREATED:
            await conn.execute(f"ANALYZE {SEARCH_TABLES}")
            self.analyses += 1

    def caught_up(self, count: int) -> None:
        """Note `count` notes deleted by a catch-up; vacuum the notes table once due."""
        self._deleted += count
        if self._deleted >= VACUUM_NOTES:
            self._deleted = 0
            self._vacuum = True
            self._start()

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._work())

    async def wait(self) -> None:
        """Until the upkeep due now is done."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _work(self) -> None:
        while self._looking or self._vacuum:
            if self._vacuum:
                self._vacuum = False
                await self._vacuum_notes()
            if self._looking:
                await self._look(self._looking.pop())

    async def _vacuum_notes(self) -> None:
        try:
            async with acquired(self._pool) as conn:
                # Another process vacuuming it already does this one's work too.
                await conn.execute("VACUUM (SKIP_LOCKED) search_pending")
            self.vacuums += 1
        except DRIVER_ERRORS as error:
            log.warning("vacuuming the search notes failed: %s", error)

    async def _look(self, key: tuple[int, str]) -> None:
        try:
            async with acquired(self._pool) as conn:
                known = await _estimate(conn, key)
                created = self._created[key]
                if created >= known:  # the portal has doubled since it was analyzed
                    await conn.execute(f"ANALYZE {TABLES}")
                    self.analyses += 1
                    self._created[key] -= created
                    known = await _estimate(conn, key)
        except DRIVER_ERRORS as error:
            # Only plans suffer: look again after as many creates as before the first look.
            log.warning("analyzing the tables a portal grew failed: %s", error)
            known = self._created[key] + MIN_CREATED
        self._due[key] = max(MIN_CREATED, known)


async def _estimate(conn: asyncpg.Connection, key: tuple[int, str]) -> int:
    plan = await conn.fetchval(_ESTIMATE, *key)
    found = _ROWS.search(plan)
    return int(found[1]) if found else 0
