"""The planner's statistics kept up with the portals a process grows.

PostgreSQL plans each query from statistics that ANALYZE samples, and autovacuum refreshes them
a minute apart at best. To statistics taken before it grew, a portal that grew from nothing in
the last minute (an import, a load test, an integration's first sync) is a handful of rows, and
reads of its records by id are then planned as scans of the whole portal: at 80,000 records,
10 ms a read instead of 0.3, growing with the portal. So each process analyzes the tables that
writes grow whenever one portal's type has doubled by its hand, from MIN_CREATED new records:
in the background, one ANALYZE at a time. Statistics are shared by every process; a process
that restarts counts from nothing again, which costs at most a few needless analyses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from hubcrm.store.postgres.connection import DRIVER_ERRORS, acquired

log = logging.getLogger("hubcrm")

# New records of one portal's type before its first analysis (a smaller portal is cheap to scan).
MIN_CREATED = 1000
# The tables a write grows with its records.
TABLES = "records, unique_values, property_changes, search_pending, search_values, search_tokens"


class Statistics:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._created: dict[tuple[int, str], int] = {}  # new records by this process
        self._due: dict[tuple[int, str], int] = {}  # the count at which to analyze again
        self._task: asyncio.Task[None] | None = None
        self._again = False  # another portal grew while an analysis ran

    @property
    def analyzing(self) -> bool:
        return self._task is not None and not self._task.done()

    def created(self, portal_id: int, object_type: str, count: int) -> None:
        """Note `count` new records of a portal's type; analyze once it has doubled."""
        key = (portal_id, object_type)
        total = self._created.get(key, 0) + count
        self._created[key] = total
        if total < self._due.get(key, MIN_CREATED):
            return
        self._due[key] = 2 * total
        if self.analyzing:
            self._again = True
        else:
            self._task = asyncio.get_running_loop().create_task(self._analyze())

    async def wait(self) -> None:
        """Until the analysis running now (if any) is done."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _analyze(self) -> None:
        again = True
        while again:
            self._again = False
            try:
                async with acquired(self._pool) as conn:
                    await conn.execute(f"ANALYZE {TABLES}")
            except DRIVER_ERRORS as error:
                # Only plans suffer: the next doubling tries again.
                log.warning("analyzing the tables a portal grew failed: %s", error)
                return
            again = self._again
