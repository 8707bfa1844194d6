"""The webhook outbox on every store: claims are leases, never overlapping, and an app and
portal never has more batches in flight than its maxConcurrentRequests."""

from __future__ import annotations

import asyncio

from hubcrm.store import open_store
from hubcrm.store.base import ClaimedBatch, DeliveryOutcome, OutboxEvent, Store, WriteTransaction

PORTAL = 1


async def outbox_with(store: Store, count: int, max_concurrent: int = 6) -> None:
    await store.create_portal(PORTAL, 0, {"0-1": []})
    app = await store.create_app(PORTAL, "a", "cid", "secret", "hash", frozenset(), (), 0)
    await store.set_webhook_settings(app.app_id, "http://127.0.0.1:9/", max_concurrent, 0)
    sub = await store.add_subscription(
        app.app_id, "contact.creation", "creation", "0-1", "", True, 0
    )
    events = [
        OutboxEvent(app.app_id, sub.subscription_id, "contact.creation", i, {"objectId": i})
        for i in range(count)
    ]

    async def work(tx: WriteTransaction) -> None:
        await tx.record_webhook_events(events, 0)

    await store.transact(PORTAL, "0-1", work)


async def claim(store: Store, now: int = 10) -> list[ClaimedBatch]:
    return await store.claim_webhook_events(now, 1000, due_before=now, batch_size=100, batches=20)


def test_batches_in_flight_never_exceed_max_concurrent(database_url: str) -> None:
    async def scenario() -> None:
        store = await open_store(database_url)
        try:
            await outbox_with(store, 1000)
            held: list[ClaimedBatch] = []
            for _ in range(10):
                held += await claim(store)
            assert len(held) == 6
            assert [len(b.events) for b in held] == [100] * 6
            ids = [e.event_id for b in held for e in b.events]
            assert len(set(ids)) == 600
            assert {e.attempt for b in held for e in b.events} == {0}
            done = DeliveryOutcome(held[0].delivery_id, 11, 200, None, "", True, {})
            await store.finish_webhook_delivery(done)
            (more,) = await claim(store, 11)
            assert not {e.event_id for e in more.events} & set(ids)
            # Once a lease lapses (a process died mid-delivery), its events go again as a retry.
            lapsed = await claim(store, 2000)
            assert lapsed
            assert {e.attempt for b in lapsed for e in b.events} == {1}
            events = await store.webhook_events(PORTAL)
            assert sum(e.state == "delivered" for e in events) == 100
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_failed_delivery_waits_for_its_retry_and_then_is_dropped(database_url: str) -> None:
    async def scenario() -> None:
        store = await open_store(database_url)
        try:
            await outbox_with(store, 1)
            (batch,) = await claim(store)
            (event,) = batch.events
            retry = DeliveryOutcome(
                batch.delivery_id, 20, 503, None, "", False, {event.event_id: 500}
            )
            await store.finish_webhook_delivery(retry)
            assert await claim(store, 499) == []
            assert not await store.webhook_events_due(499)
            assert await store.webhook_events_due(500)
            (again,) = await claim(store, 500)
            assert again.events[0].attempt == 1
            drop = DeliveryOutcome(
                again.delivery_id, 501, None, "timeout", None, False, {event.event_id: None}
            )
            await store.finish_webhook_delivery(drop)
            assert await claim(store, 10**12) == []
            (record,) = await store.webhook_events(PORTAL)
            assert (record.state, record.attempts) == ("dropped", 2)
            first, second = await store.webhook_deliveries(PORTAL)
            assert (first.status, first.events) == (503, [(event.event_id, 0)])
            assert (second.error, second.events) == ("timeout", [(event.event_id, 1)])
        finally:
            await store.close()

    asyncio.run(scenario())


def test_two_stores_claiming_together_never_share_an_event(database_url: str) -> None:
    """Two processes' stores on one database (on PostgreSQL, FOR UPDATE SKIP LOCKED)."""

    async def scenario() -> None:
        first, second = await open_store(database_url), await open_store(database_url)
        try:
            await outbox_with(first, 3000, max_concurrent=100)
            claimed: list[ClaimedBatch] = []
            for _ in range(200):  # a claim that meets another's lock claims nothing this time
                results = await asyncio.gather(claim(first), claim(second), claim(first))
                claimed += [b for found in results for b in found]
                if sum(len(b.events) for b in claimed) >= 3000:
                    break
            ids = [e.event_id for b in claimed for e in b.events]
            assert len(ids) == len(set(ids)) == 3000
        finally:
            await first.close()
            await second.close()

    asyncio.run(scenario())


def test_an_app_without_a_target_url_has_its_deliveries_paused(database_url: str) -> None:
    async def scenario() -> None:
        store = await open_store(database_url)
        try:
            await outbox_with(store, 3)
            (app,) = await store.apps()
            await store.set_webhook_settings(app.app_id, None, 10, 5)
            assert not await store.webhook_events_due(10)
            assert await claim(store) == []
            await store.set_webhook_settings(app.app_id, "http://127.0.0.1:9/", 10, 6)
            (batch,) = await claim(store)
            assert len(batch.events) == 3
        finally:
            await store.close()

    asyncio.run(scenario())


def test_deliveries_and_events_are_read_a_page_at_a_time_newest_first(database_url: str) -> None:
    async def scenario() -> None:
        store = await open_store(database_url)
        try:
            await outbox_with(store, 5)
            for now in (10, 20):
                for batch in await store.claim_webhook_events(
                    now, 1, due_before=now, batch_size=2, batches=1
                ):
                    done = DeliveryOutcome(batch.delivery_id, now, 200, None, "", True, {})
                    await store.finish_webhook_delivery(done)
            everything = await store.webhook_deliveries(PORTAL)
            ids = [d.delivery_id for d in everything][::-1]
            page = await store.webhook_deliveries_page(PORTAL, before=None, limit=1)
            assert [d.delivery_id for d in page] == ids[:1]
            rest = await store.webhook_deliveries_page(PORTAL, before=ids[0], limit=9)
            assert [d.delivery_id for d in rest] == ids[1:]
            events = [e.event_id for e in await store.webhook_events(PORTAL)][::-1]
            newest = await store.webhook_events_page(PORTAL, before=None, limit=2)
            assert [e.event_id for e in newest] == events[:2]
            older = await store.webhook_events_page(PORTAL, before=events[1], limit=9)
            assert [e.event_id for e in older] == events[2:]
        finally:
            await store.close()

    asyncio.run(scenario())
