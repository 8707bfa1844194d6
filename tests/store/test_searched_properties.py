"""Search keeps rows only for the properties a search has named, and builds a property's rows the
first time a search names it: writes pay nothing for properties nobody searches, and what search
answers does not change."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from hubcrm.domain import portals
from hubcrm.domain.clock import FrozenClock
from hubcrm.domain.objects import CONTACTS
from hubcrm.domain.records import Actor, Records
from hubcrm.domain.records.indexer import CHUNK
from hubcrm.protocol.wire import Filter, FilterGroup, SearchRequest, Sort, UpsertInput
from hubcrm.store import open_store
from hubcrm.store.base import Store
from tests.store.raw import sql

START_MS = 1_767_225_600_000
PORTAL = 12345678
TYPE = CONTACTS.type_id
ACTOR = Actor(PORTAL, "1")
COMPANIES = ["acme", "globex", "initech"]


def equal(name: str, value: str, limit: int = 100) -> SearchRequest:
    return SearchRequest(
        filter_groups=[FilterGroup([Filter(name, "EQ", value=value)])], limit=limit
    )


async def rows_by_property(url: str) -> dict[str, int]:
    """How many value and word rows search keeps for each property."""
    found: dict[str, int] = {}
    for table in ("search_values", "search_tokens"):
        statement = f"SELECT property, COUNT(*) FROM {table} GROUP BY 1"
        for name, count in await asyncio.to_thread(sql, url, [(statement, ())]):
            found[name] = found.get(name, 0) + int(count)
    return found


async def with_records(
    url: str, scenario: Callable[[Store, Records], Awaitable[None]], stores: int = 1
) -> None:
    opened = [await open_store(url) for _ in range(stores)]
    try:
        await portals.create_portal(opened[0], FrozenClock(START_MS), PORTAL)
        await scenario(opened[0], Records(opened[0], FrozenClock(START_MS)))
    finally:
        for store in opened:
            await store.close()


async def write_contacts(records: Records, count: int, start: int = 0) -> None:
    for first in range(start, start + count, 100):
        inputs = [
            UpsertInput(
                id=f"c{n}@x.com",
                id_property="email",
                properties={"firstname": f"n{n}", "company": COMPANIES[n % 3]},
            )
            for n in range(first, min(first + 100, start + count))
        ]
        await records.batch_upsert(ACTOR, CONTACTS, inputs)


def test_writes_keep_no_search_rows_for_properties_nobody_searched(database_url: str) -> None:
    async def scenario(store: Store, records: Records) -> None:
        await write_contacts(records, 30)
        await records.indexer.catch_up(PORTAL, CONTACTS)
        assert await rows_by_property(database_url) == {}
        found = await records.search(PORTAL, CONTACTS, equal("firstname", "n7"))
        assert [r.properties["email"] for r in found.records] == ["c7@x.com"]
        # firstname now has a value row per contact (one word: the value is its own token);
        # company and email still have none.
        assert await rows_by_property(database_url) == {"firstname": 30}
        assert await store.searched_properties(PORTAL, TYPE) == {"firstname": None}

    asyncio.run(with_records(database_url, scenario))


def test_the_first_search_of_a_property_builds_its_rows_for_every_record(
    database_url: str,
) -> None:
    count = 2 * CHUNK + 50  # more than one chunk of building

    async def scenario(store: Store, records: Records) -> None:
        await write_contacts(records, count)
        found = await records.search(PORTAL, CONTACTS, equal("company", "globex"))
        expected = sum(1 for n in range(count) if n % 3 == 1)
        assert found.total == expected
        # Sorted by a property named for the first time: every record has its row.
        by_company = SearchRequest(
            sorts=[Sort(property_name="company", direction="DESCENDING")], limit=1
        )
        first = await records.search(PORTAL, CONTACTS, by_company)
        assert (first.total, first.records[0].properties["company"]) == (count, "initech")
        # From now on writes keep company's rows as they keep any searched property.
        await records.batch_upsert(
            ACTOR,
            CONTACTS,
            [UpsertInput(id="c1@x.com", id_property="email", properties={"company": "hooli"})],
        )
        moved = await records.search(PORTAL, CONTACTS, equal("company", "hooli"))
        assert [r.properties["email"] for r in moved.records] == ["c1@x.com"]
        assert (await records.search(PORTAL, CONTACTS, equal("company", "globex"))).total == (
            expected - 1
        )

    asyncio.run(with_records(database_url, scenario))


def test_a_build_stopped_midway_is_finished_by_the_next_search_of_any_process(
    database_url: str,
) -> None:
    count = 2 * CHUNK + 10

    async def scenario(store: Store, records: Records) -> None:
        await write_contacts(records, count)
        assert not await records.indexer.build_step(PORTAL, CONTACTS, {"company"})
        state = await store.searched_properties(PORTAL, TYPE)
        assert state == {"company": CHUNK}  # one chunk built, and remembered in the database
        other = await open_store(database_url)
        try:
            # Another process, with nothing in memory: its search finishes the build first.
            elsewhere = Records(other, FrozenClock(START_MS))
            found = await elsewhere.search(PORTAL, CONTACTS, equal("company", "acme"))
            assert found.total == sum(1 for n in range(count) if n % 3 == 0)
            assert await other.searched_properties(PORTAL, TYPE) == {"company": None}
        finally:
            await other.close()

    asyncio.run(with_records(database_url, scenario))


def test_builds_racing_writers_leave_search_exact(database_url: str) -> None:
    """Writers change company while two stores build its rows and catch up: in the end every
    company finds exactly the contacts that hold it."""
    count = CHUNK + 100
    emails = [f"c{n}@x.com" for n in range(count)]

    async def scenario(store: Store, records: Records) -> None:
        await write_contacts(records, count)
        other = await open_store(database_url)
        try:
            services = [records, Records(other, FrozenClock(START_MS))]
            rng = random.Random(11)

            async def writer(service: Records) -> None:
                for _ in range(15):
                    picked = rng.sample(emails, 20)
                    inputs = [
                        UpsertInput(
                            id=e, id_property="email", properties={"company": rng.choice(COMPANIES)}
                        )
                        for e in picked
                    ]
                    await service.batch_upsert(ACTOR, CONTACTS, inputs)
                    await asyncio.sleep(0)

            async def searcher(service: Records) -> None:
                for _ in range(5):
                    await service.search(PORTAL, CONTACTS, equal("company", "acme"))
                    await asyncio.sleep(0)

            await asyncio.gather(*(writer(s) for s in services), *(searcher(s) for s in services))
            page = await records.page(PORTAL, CONTACTS, after=None, limit=100, archived=False)
            everyone = list(page.records)
            while page.next_after:
                page = await records.page(
                    PORTAL, CONTACTS, after=page.next_after, limit=100, archived=False
                )
                everyone += page.records
            for company in COMPANIES:
                holders = sorted(
                    r.record_id for r in everyone if r.properties["company"] == company
                )
                found = await records.search(PORTAL, CONTACTS, equal("company", company, 200))
                assert found.total == len(holders), company
                ids = [r.record_id for r in found.records]
                page_two = await records.search(
                    PORTAL,
                    CONTACTS,
                    SearchRequest(
                        filter_groups=[FilterGroup([Filter("company", "EQ", value=company)])],
                        limit=200,
                        after="200",
                    ),
                )
                ids += [r.record_id for r in page_two.records]
                assert sorted(ids) == holders, company
        finally:
            await other.close()

    asyncio.run(with_records(database_url, scenario))


def test_free_text_builds_the_types_query_properties(database_url: str) -> None:
    async def scenario(store: Store, records: Records) -> None:
        await write_contacts(records, 20)
        found = await records.search(PORTAL, CONTACTS, SearchRequest(query="globex", limit=100))
        assert found.total == sum(1 for n in range(20) if n % 3 == 1)
        searched = await store.searched_properties(PORTAL, TYPE)
        assert searched == dict.fromkeys(CONTACTS.search_properties, None)

    asyncio.run(with_records(database_url, scenario))


def test_properties_whose_builds_stand_at_different_records_are_finished_together(
    database_url: str,
) -> None:
    count = 2 * CHUNK + 30
    last_acme = max(n for n in range(count) if n % 3 == 0)  # past the first chunk built

    async def scenario(store: Store, records: Records) -> None:
        await write_contacts(records, count)
        assert not await records.indexer.build_step(PORTAL, CONTACTS, {"company"})
        both = SearchRequest(
            filter_groups=[
                FilterGroup(
                    [
                        Filter("company", "EQ", value="acme"),
                        Filter("firstname", "EQ", value=f"n{last_acme}"),
                    ]
                )
            ]
        )
        found = await records.search(PORTAL, CONTACTS, both)
        assert [r.properties["email"] for r in found.records] == [f"c{last_acme}@x.com"]
        assert await store.searched_properties(PORTAL, TYPE) == {"company": None, "firstname": None}
        by_company = await records.search(PORTAL, CONTACTS, equal("company", "initech", 200))
        assert by_company.total == sum(1 for n in range(count) if n % 3 == 2)

    asyncio.run(with_records(database_url, scenario))
