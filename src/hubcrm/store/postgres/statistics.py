"""The planner's statistics kept up with the portals a process grows.

PostgreSQL plans each query from statistics that ANALYZE samples, and autovacuum refreshes them
a minute apart at best. To statistics taken before it grew, a portal that grew from nothing in
the last minute (an import, an integration's first sync, a load test) is a handful of rows, and
reads of its records by id are then planned as scans of the whole portal: at 80,000 records,
10 ms a read instead of 0.3, growing with the portal.

So each process counts the records it creates in each portal's type. Once it has created
MIN_CREATED, and again each time it has created as many as the planner last estimated the portal
to hold, it asks the planner for that estimate (which follows the table's growth, at the share
of it the portal had when last analyzed). When this process alone has created at least as many
records since, the estimate is off by half or more, and it analyzes the tables that writes grow:
in the background, one ANALYZE at a time. A portal that the statistics already know to be large,
or whose share of the tables has not changed, is not analyzed again: an ANALYZE of the tables of
a portal of 300,000 contacts took over a second of the server's time, and a process that added a
few thousand records to it ran several (finding 46 in BENCHMARKS.md). Statistics are shared by
every process; a process that restarts counts from nothing again.
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
# What the statistics say a portal's type holds: the planner's estimate of its records.
_ESTIMATE = "EXPLAIN SELECT 1 FROM records WHERE portal_id = $1 AND object_type = $2"
_ROWS = re.compile(r"rows=(\d+)")


class Statistics:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._created: dict[tuple[int, str], int] = {}  # new records by this process since
        self._due: dict[tuple[int, str], int] = {}  # ... the count at which to look again
        self._looking: set[tuple[int, str]] = set()  # due, for the task below
        self._task: asyncio.Task[None] | None = None
        self.analyses = 0  # ANALYZEs this process has run

    def created(self, portal_id: int, object_type: str, count: int) -> None:
        """Note `count` new records of a portal's type; look at its statistics once due."""
        key = (portal_id, object_type)
        total = self._created.get(key, 0) + count
        self._created[key] = total
        if total < self._due.get(key, MIN_CREATED) or key in self._looking:
            return
        self._looking.add(key)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._look())

    async def wait(self) -> None:
        """Until the statistics due now have been looked at (and analyzed, if they had to be)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _look(self) -> None:
        while self._looking:
            key = self._looking.pop()
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
