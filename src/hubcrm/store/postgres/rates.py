"""Rate-limit counters shared by every process: one window per key, kept in the database."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from hubcrm.store.base import WindowUsage
from hubcrm.store.postgres.connection import acquired, lock_keys, translated


def _portal_of(key: str) -> int:
    """The portal a rate-limit key counts against: ratelimit.py's keys begin with its id."""
    return int(key.partition(":")[0])


class SharedRateCounters:
    """Rate-limit counters in the database, so that every process counts against one window.

    Each take() is one transaction holding an advisory lock on its key: concurrent requests of a
    portal, in any process, queue for the read-decide-record step.
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def take(
        self,
        key: str,
        now_ms: int,
        window_ms: int,
        day: int,
        admit: Callable[[WindowUsage], bool],
    ) -> WindowUsage:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                portal_id = _portal_of(key)
                await conn.execute(
                    "SELECT pg_advisory_xact_lock($1)",
                    lock_keys(portal_id, "rate", "", [key])[0],
                )
                await conn.execute(
                    "DELETE FROM rate_hits WHERE portal_id = $1 AND key = $2 AND at_ms <= $3",
                    portal_id,
                    key,
                    now_ms - window_ms,
                )
                row = await conn.fetchrow(
                    "SELECT count(*), min(at_ms), (SELECT count FROM rate_days"
                    " WHERE portal_id = $1 AND key = $2 AND day = $3)"
                    " FROM rate_hits WHERE portal_id = $1 AND key = $2",
                    portal_id,
                    key,
                    day,
                )
                usage = WindowUsage(row[0], row[1], row[2] or 0)
                if admit(usage):
                    await conn.execute(
                        "INSERT INTO rate_hits VALUES ($1, $2, $3)", portal_id, key, now_ms
                    )
                    await conn.execute(
                        "INSERT INTO rate_days VALUES ($1, $2, $3, 1)"
                        " ON CONFLICT (portal_id, key) DO UPDATE"
                        " SET count = CASE WHEN rate_days.day = $3 THEN rate_days.count + 1"
                        " ELSE 1 END, day = $3",
                        portal_id,
                        key,
                        day,
                    )
        return usage
