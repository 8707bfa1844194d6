"""How PostgreSQL plans hubcrm's reads: a portal that grows fast is analyzed as it grows, so that
its reads are planned knowing its size (reads by id as lookups by id, not scans of the whole
portal: finding 41 in BENCHMARKS.md), and catching up search reads the notes of lagging records
by their key, never by a scan of the table."""

from __future__ import annotations

import asyncio
import functools
import re

import asyncpg

from hubcrm.domain import portals
from hubcrm.domain.clock import FrozenClock
from hubcrm.store.base import WriteTransaction
from hubcrm.store.postgres import statistics
from hubcrm.store.postgres.store import PostgresStore
from tests.backends import fresh_postgres
from tests.store.test_contract import PORTAL, START_MS, TYPE, new_record


async def _grow(url: str, count: int) -> tuple[bool, int]:
    """Create `count` records in batches of 250: whether an analysis ran, and how many records
    the planner then expects the portal to have."""
    store = await PostgresStore.open(url)
    try:
        async with store._pool.acquire() as conn:
            # Only hubcrm analyzes here: autovacuum coming by mid-test would too.
            await conn.execute("ALTER TABLE records SET (autovacuum_enabled = false)")
        await portals.create_portal(store, FrozenClock(START_MS), PORTAL)

        async def batch(tx: WriteTransaction, size: int) -> None:
            ids = await tx.allocate_ids(size)
            await tx.save([new_record(i, f"c{i}@x.com") for i in ids])

        left = count
        while left:
            size = min(250, left)
            await store.transact(PORTAL, TYPE, functools.partial(batch, size=size))
            left -= size
        analyzed = store._statistics.analyzing
        await store._statistics.wait()
        async with store._pool.acquire() as conn:
            plan = await conn.fetchval(
                "EXPLAIN SELECT 1 FROM records WHERE portal_id = $1 AND object_type = $2",
                PORTAL,
                TYPE,
            )
        found = re.search(r"rows=(\d+)", plan)
        assert found is not None, plan
        return analyzed, int(found[1])
    finally:
        await store.close()


def test_a_portal_that_grew_by_a_thousand_records_is_planned_at_its_size() -> None:
    with fresh_postgres(migrated=False) as url:  # no statistics from an earlier test
        analyzed, expected = asyncio.run(_grow(url, statistics.MIN_CREATED))
    assert analyzed
    assert statistics.MIN_CREATED * 0.9 <= expected <= statistics.MIN_CREATED * 1.1


def test_a_smaller_portal_is_not_analyzed() -> None:
    """The test above can fail: a portal short of MIN_CREATED new records is left to
    autovacuum, and until it comes PostgreSQL plans as if the portal were a few records."""
    count = statistics.MIN_CREATED - 1
    with fresh_postgres(migrated=False) as url:  # no statistics from an earlier test
        analyzed, expected = asyncio.run(_grow(url, count))
    assert not analyzed
    assert expected < count / 10


# What a catch-up reads first: the oldest notes of one portal's type (transaction.search_lag).
LAG = "SELECT * FROM search_lag($1, $2, 200, 1, 'test')"
NOTES = (
    "SELECT record_id FROM search_pending WHERE portal_id = $1 AND object_type = $2"
    " ORDER BY record_id LIMIT 200"
)


async def _scans_of_the_notes(url: str, sql: str) -> tuple[int, int]:
    """Sequential and index scans of search_pending while `sql` runs, on a notes table of a few
    rows, whose scan PostgreSQL would otherwise plan."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO search_pending (portal_id, object_type, record_id)"
            " SELECT $1, $2, n FROM generate_series(1, 3) AS n",
            PORTAL,
            TYPE,
        )
        await conn.execute("ANALYZE search_pending")
        async with conn.transaction():
            await conn.fetch(sql, PORTAL, TYPE)
            row = await conn.fetchrow(
                "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables"
                " WHERE relname = 'search_pending'"
            )
        return row[0], row[1]
    finally:
        await conn.close()


def test_catching_up_reads_the_notes_by_their_key() -> None:
    """After a large import the notes table is many pages of nothing until vacuum cuts them off:
    catching up never reads them all (migration 0033)."""
    with fresh_postgres() as url:
        assert asyncio.run(_scans_of_the_notes(url, LAG)) == (0, 1)


def test_the_same_read_outside_it_scans_a_small_table() -> None:
    """The test above can fail: left to itself, PostgreSQL scans a table of a few rows."""
    with fresh_postgres() as url:
        sequential, _ = asyncio.run(_scans_of_the_notes(url, NOTES))
    assert sequential == 1
