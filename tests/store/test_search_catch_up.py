"""Search catches up behind writes: whatever order writes and catch-ups run in, on one store or
several sharing a database, search ends up knowing every record exactly as it is."""

from __future__ import annotations

import asyncio
import random

from hubcrm.domain import portals
from hubcrm.domain.clock import FrozenClock
from hubcrm.domain.objects import CONTACTS
from hubcrm.domain.records import Actor, Records
from hubcrm.protocol.wire import Filter, FilterGroup, SearchRequest, UpsertInput
from hubcrm.store import open_store

START_MS = 1_767_225_600_000
PORTAL = 12345678
NAMES = ["ann", "bob", "cy", "dee", "eve"]
EMAILS = [f"c{n}@x.com" for n in range(12)]


def named(name: str) -> SearchRequest:
    return SearchRequest(
        filter_groups=[FilterGroup([Filter("firstname", "EQ", value=name)])],
        properties=["firstname"],
        limit=100,
    )


async def search_matches_records(records: Records) -> None:
    """Every name finds exactly the contacts that hold it now, by value and by word."""
    page = await records.page(PORTAL, CONTACTS, after=None, limit=100, archived=False)
    for name in NAMES:
        holders = sorted(r.record_id for r in page.records if r.properties["firstname"] == name)
        found = await records.search(PORTAL, CONTACTS, named(name))
        assert sorted(r.record_id for r in found.records) == holders, name
        assert found.total == len(holders)


def test_concurrent_writers_and_catch_ups_leave_search_exact(database_url: str) -> None:
    async def scenario() -> None:
        # Two stores on one database: on PostgreSQL, two processes' worth of connections.
        stores = [await open_store(database_url) for _ in range(2)]
        try:
            clock = FrozenClock(START_MS)
            await portals.create_portal(stores[0], clock, PORTAL)
            services = [Records(store, clock) for store in stores]
            actor = Actor(PORTAL, "1")
            rng = random.Random(7)

            async def writer(records: Records) -> None:
                for _ in range(40):
                    emails = rng.sample(EMAILS, 4)
                    inputs = [
                        UpsertInput(
                            id=e, id_property="email", properties={"firstname": rng.choice(NAMES)}
                        )
                        for e in emails
                    ]
                    await records.batch_upsert(actor, CONTACTS, inputs)
                    await asyncio.sleep(0)

            async def catcher(records: Records) -> None:
                for _ in range(80):
                    await records.indexer.catch_up(PORTAL, CONTACTS)
                    await asyncio.sleep(0)

            await asyncio.gather(
                *(writer(r) for r in services for _ in range(2)),
                *(catcher(r) for r in services),
            )
            for records in services:
                await search_matches_records(records)
            assert not await stores[0].search_lags(PORTAL, CONTACTS.type_id)
        finally:
            for store in stores:
                await store.close()

    asyncio.run(scenario())


def test_lagging_records_are_caught_up_after_a_restart(database_url: str) -> None:
    async def write() -> None:
        store = await open_store(database_url)
        try:
            clock = FrozenClock(START_MS)
            await portals.create_portal(store, clock, PORTAL)
            inputs = [
                UpsertInput(id="ann@x.com", id_property="email", properties={"firstname": "ann"})
            ]
            await Records(store, clock).batch_upsert(Actor(PORTAL, "1"), CONTACTS, inputs)
        finally:
            await store.close()  # before any catch-up

    async def search() -> None:
        store = await open_store(database_url)
        try:
            assert await store.search_lagging() == [(PORTAL, CONTACTS.type_id)]
            found = await Records(store, FrozenClock(START_MS)).search(
                PORTAL, CONTACTS, named("ann")
            )
            assert [r.properties["email"] for r in found.records] == ["ann@x.com"]
            assert await store.search_lagging() == []
        finally:
            await store.close()

    asyncio.run(write())
    asyncio.run(search())


def test_the_background_indexer_catches_up_without_a_search(database_url: str) -> None:
    async def scenario() -> None:
        store = await open_store(database_url)
        clock = FrozenClock(START_MS)
        records = Records(store, clock)
        indexing = asyncio.create_task(records.indexer.run())
        try:
            await portals.create_portal(store, clock, PORTAL)
            inputs = [
                UpsertInput(id="bo@x.com", id_property="email", properties={"firstname": "bob"})
            ]
            await records.batch_upsert(Actor(PORTAL, "1"), CONTACTS, inputs)
            for _ in range(500):
                if not await store.search_lags(PORTAL, CONTACTS.type_id):
                    break
                await asyncio.sleep(0.01)
            assert not await store.search_lags(PORTAL, CONTACTS.type_id)
            await search_matches_records(records)
        finally:
            indexing.cancel()
            await asyncio.gather(indexing, return_exceptions=True)
            await store.close()

    asyncio.run(scenario())
