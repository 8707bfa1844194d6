"""How PostgreSQL plans hubcrm's reads: a portal that grows fast is analyzed as it grows, so that
its reads are planned knowing its size (reads by id as lookups by id, not scans of the whole
portal: finding 41 in BENCHMARKS.md), and catching up search reads the notes of lagging records
by their key, never by a scan of the table, through a notes table vacuumed as catch-ups empty
it (finding 47)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
from collections.abc import AsyncIterator

import asyncpg

from hubcrm.domain import portals
from hubcrm.domain.clock import FrozenClock
from hubcrm.store import search_sql
from hubcrm.store.base import (
    Condition,
    SearchChange,
    SearchEntries,
    SearchQuery,
    SearchValue,
    SortKey,
    WriteTransaction,
)
from hubcrm.store.postgres import search, upkeep
from hubcrm.store.postgres.store import PostgresStore
from tests.backends import fresh_postgres
from tests.store.test_contract import PORTAL, START_MS, TYPE, new_record


@contextlib.asynccontextmanager
async def _process(url: str, portal_id: int, quiet: str) -> AsyncIterator[PostgresStore]:
    """The store of a new process, with the portal created, and autovacuum kept off the table
    `quiet`: there only hubcrm's upkeep runs, whatever the timing."""
    store = await PostgresStore.open(url)
    try:
        async with store._pool.acquire() as conn:
            await conn.execute(f"ALTER TABLE {quiet} SET (autovacuum_enabled = false)")
        await portals.create_portal(store, FrozenClock(START_MS), portal_id)
        yield store
    finally:
        await store.close()


async def _write(tx: WriteTransaction, size: int) -> None:
    """`size` new records."""
    ids = await tx.allocate_ids(size)
    await tx.save([new_record(i, f"c{i}@x.com") for i in ids])


async def _plan(store: PostgresStore, explain: str, portal_id: int, rest: str = "") -> str:
    """The plan of `explain` (an EXPLAIN of a table) over one portal's type, then `rest`."""
    async with store._pool.acquire() as conn:
        plan: str = await conn.fetchval(
            f"{explain} WHERE portal_id = $1 AND object_type = $2 {rest}", portal_id, TYPE
        )
    return plan


def _rows(plan: str) -> int:
    """The rows a plan expects."""
    found = re.search(r"rows=(\d+)", plan)
    assert found is not None, plan
    return int(found[1])


async def _grow(url: str, count: int, portal_id: int = PORTAL) -> tuple[int, int]:
    """Create `count` records in batches of 250 from a new process (a store of its own), each
    batch after the statistics it made due were seen to: how many analyses the process ran, and
    how many records the planner then expects the portal to have."""
    async with _process(url, portal_id, "records") as store:  # autovacuum would analyze too
        left = count
        while left:
            size = min(250, left)
            await store.transact(portal_id, TYPE, functools.partial(_write, size=size))
            await store._upkeep.wait()  # done before the next batch, whatever the timing
            left -= size
        expected = _rows(await _plan(store, "EXPLAIN SELECT 1 FROM records", portal_id))
        return store._upkeep.analyses, expected


def test_a_portal_that_grew_by_a_thousand_records_is_planned_at_its_size() -> None:
    with fresh_postgres(migrated=False) as url:  # no statistics from an earlier test
        analyses, expected = asyncio.run(_grow(url, upkeep.MIN_CREATED))
    assert analyses == 1
    assert upkeep.MIN_CREATED * 0.9 <= expected <= upkeep.MIN_CREATED * 1.1


def test_a_smaller_portal_is_not_analyzed() -> None:
    """The test above can fail: a portal short of MIN_CREATED new records is left to
    autovacuum, and until it comes PostgreSQL plans as if the portal were a few records."""
    count = upkeep.MIN_CREATED - 1
    with fresh_postgres(migrated=False) as url:  # no statistics from an earlier test
        analyses, expected = asyncio.run(_grow(url, count))
    assert analyses == 0
    assert expected < count / 10


def test_a_portal_is_analyzed_once_its_share_of_the_tables_is_known() -> None:
    """From its first analysis the planner scales the portal's share of the tables with their
    growth, and its estimate follows the portal to 4,000 records without another analysis."""
    with fresh_postgres(migrated=False) as url:
        analyses, expected = asyncio.run(_grow(url, 4 * upkeep.MIN_CREATED))
    assert analyses == 1
    assert 4 * upkeep.MIN_CREATED * 0.9 <= expected <= 4 * upkeep.MIN_CREATED * 1.1


def test_a_portal_the_statistics_know_to_be_large_is_not_analyzed_for_fewer_new_records() -> None:
    """Another process grew the portal to 2,000 records and analyzed it; a new process that adds
    1,500 more has not doubled it, and leaves the statistics (which it would otherwise refresh
    at its 1,000th new record, at a cost that grows with the tables: finding 46)."""
    with fresh_postgres(migrated=False) as url:
        first, _ = asyncio.run(_grow(url, 2 * upkeep.MIN_CREATED))
        second, expected = asyncio.run(_grow(url, 3 * upkeep.MIN_CREATED // 2))
    assert (first, second) == (1, 0)
    assert 3.5 * upkeep.MIN_CREATED * 0.9 <= expected <= 3.5 * upkeep.MIN_CREATED * 1.1


def test_a_new_portal_among_large_ones_is_analyzed_as_it_grows() -> None:
    """The tests above can fail: a portal that was a sliver of the tables when they were
    analyzed stays one to the planner however it grows, until it is analyzed again."""
    with fresh_postgres(migrated=False) as url:
        asyncio.run(_grow(url, 4 * upkeep.MIN_CREATED))
        analyses, expected = asyncio.run(_grow(url, upkeep.MIN_CREATED, portal_id=PORTAL + 1))
    assert analyses == 1
    assert upkeep.MIN_CREATED * 0.9 <= expected <= upkeep.MIN_CREATED * 1.1


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


async def _lag_check_pages(url: str, notes: int) -> tuple[int, int]:
    """Write `notes` records and catch search up with them, as one process: how many times it
    vacuumed the notes table, and how many pages checking whether anything lags then reads."""
    async with _process(url, PORTAL, "search_pending") as store:

        async def catch_up(tx: WriteTransaction) -> int:
            lagging = await tx.search_lag(500)
            nothing = SearchChange(SearchEntries([], []), SearchEntries([], []))
            await tx.save_search([(lag.record_id, nothing) for lag in lagging])
            return len(lagging)

        left = notes
        while left:
            size = min(500, left)
            await store.transact(PORTAL, TYPE, functools.partial(_write, size=size))
            assert await store.transact(PORTAL, TYPE, catch_up) == size
            await store._upkeep.wait()
            left -= size
        plan = await _plan(
            store,
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT 1 FROM search_pending",
            PORTAL,
            "ORDER BY record_id LIMIT 1",
        )
        pages = json.loads(plan)[0]["Plan"]["Shared Hit Blocks"]
        return store._upkeep.vacuums, pages


def test_the_notes_table_is_vacuumed_as_catch_ups_empty_it() -> None:
    with fresh_postgres() as url:
        vacuums, pages = asyncio.run(_lag_check_pages(url, upkeep.VACUUM_NOTES))
    assert vacuums == 1
    assert pages < 20  # 10 here


def test_until_then_checking_for_lag_reads_every_dead_note() -> None:
    """The test above can fail: short of VACUUM_NOTES notes caught up, the check reads its way
    through the pages of the notes deleted."""
    with fresh_postgres() as url:
        vacuums, pages = asyncio.run(_lag_check_pages(url, upkeep.VACUUM_NOTES - 500))
    assert vacuums == 0
    assert pages > 40  # 52 here; 1,560 after an import of 300,000 contacts


async def _value_plans(url: str, conditions: list[Condition]) -> list[str]:
    """The plan of each search over 5,000 values of one property, told to avoid scanning tables
    (as it would on a large portal)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO search_values (portal_id, object_type, property, record_id, text_value)"
            " SELECT $1, $2, 'email', n, 'c' || n || '@x.com' FROM generate_series(1, 5000) AS n",
            PORTAL,
            TYPE,
        )
        await conn.execute("ANALYZE search_values")
        plans = []
        for condition in conditions:
            query = SearchQuery(((condition,),), SortKey(None), offset=0, limit=10)
            sql = search_sql.statements(search.DIALECT, PORTAL, TYPE, query)
            async with conn.transaction():
                await conn.execute("SET LOCAL enable_seqscan = off")
                rows = await conn.fetch(f"EXPLAIN {search.numbered(sql.count)}", *sql.count_params)
            plans.append("\n".join(row[0] for row in rows))
        return plans
    finally:
        await conn.close()


def test_a_search_by_text_values_reads_them_from_their_index() -> None:
    """Compared in the index's collation, a value is looked up in the by-text index, not found
    by reading every value of the property (a search by email at 300,000 contacts took 37 ms
    instead of 0.7: finding 47)."""
    conditions = [
        Condition("email", "EQ", ("c5@x.com",)),
        Condition("email", "IN", ("c5@x.com", "c6@x.com")),
        Condition("email", "GT", ("c999",)),
        Condition("email", "BETWEEN", ("c10", "c11")),
    ]
    with fresh_postgres() as url:
        plans = asyncio.run(_value_plans(url, conditions))
    for plan in plans:
        assert "search_values_by_text" in plan, plan


async def _build(url: str, records: int) -> tuple[int, int]:
    """Create `records` records, then build search rows of a property for each, as the first
    search naming it would: how many analyses the build ran, and how many rows of the property
    the planner then expects."""
    async with _process(url, PORTAL, "search_values") as store:
        for start in range(0, records, 500):
            size = min(500, records - start)
            await store.transact(PORTAL, TYPE, functools.partial(_write, size=size))
        await store._upkeep.wait()
        before = store._upkeep.analyses  # of the records written

        async def chunk(tx: WriteTransaction, after: int) -> int | None:
            await tx.search_properties(["nickname"])
            known = await tx.search_known(after, 200)
            rows = [
                (record_id, SearchEntries([SearchValue("nickname", f"n{record_id}")], []))
                for record_id, _ in known
            ]
            nothing = SearchEntries([], [])
            await tx.save_search([(r, SearchChange(nothing, e)) for r, e in rows], caught_up=False)
            upto = known[-1][0] if len(known) == 200 else None
            await tx.built(["nickname"], upto)
            return upto

        after: int | None = 0
        while after is not None:
            after = await store.transact(PORTAL, TYPE, functools.partial(chunk, after=after))
        sql = "EXPLAIN SELECT 1 FROM search_values"
        expected = _rows(await _plan(store, sql, PORTAL, "AND property = 'nickname'"))
        return store._upkeep.analyses - before, expected


def test_a_build_of_a_thousand_records_rows_is_planned_at_its_size() -> None:
    """The search waiting for a build is planned knowing its rows: read as a range of the
    by-text index, not every value of the property (1.2 s a free-text search at 300,000
    contacts, 7 ms once analyzed: finding 47)."""
    with fresh_postgres() as url:
        analyses, expected = asyncio.run(_build(url, upkeep.MIN_CREATED))
    assert analyses == 1
    assert upkeep.MIN_CREATED * 0.9 <= expected <= upkeep.MIN_CREATED * 1.1


def test_a_smaller_build_is_not_analyzed() -> None:
    """The test above can fail: until analyzed, the planner expects next to no rows of a
    property just built."""
    with fresh_postgres() as url:
        analyses, expected = asyncio.run(_build(url, upkeep.MIN_CREATED - 1))
    assert analyses == 0
    assert expected < upkeep.MIN_CREATED / 10
