"""SQLite group commit: concurrent writes share commits, yet each one succeeds or fails alone,
and none is answered before it is committed."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from hubcrm.domain import portals
from hubcrm.domain.clock import FrozenClock
from hubcrm.domain.objects import CONTACTS
from hubcrm.domain.records import Actor, Records
from hubcrm.protocol.errors import Conflict
from hubcrm.protocol.wire import UpsertInput
from hubcrm.store.base import Record, RecordWrite, WriteTransaction
from hubcrm.store.errors import UniqueViolation
from hubcrm.store.sqlite import SQLiteStore

START_MS = 1_767_225_600_000


def upserts(*emails: str) -> list[UpsertInput]:
    return [UpsertInput(id=e, id_property="email", properties={"firstname": e}) for e in emails]


def committed_emails(path: Path) -> list[str]:
    """What another connection, outside hubcrm, reads from the file."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT value FROM unique_values WHERE namespace = 'email'")
        return sorted(row[0] for row in rows)
    finally:
        conn.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "hubcrm.db"


async def open_records(path: Path) -> tuple[SQLiteStore, Records, Actor]:
    store = await SQLiteStore.open(f"sqlite:///{path}")
    clock = FrozenClock(START_MS)
    portal_id = await portals.create_portal(store, clock, 12345678)
    return store, Records(store, clock), Actor(portal_id, "1")


def test_every_answered_write_is_already_committed(path: Path) -> None:
    async def scenario() -> list[bool]:
        store, records, actor = await open_records(path)
        try:

            async def write(n: int) -> bool:
                await records.batch_upsert(actor, CONTACTS, upserts(f"c{n}@example.com"))
                # Read at once, from outside hubcrm: the answer came after the commit.
                return f"c{n}@example.com" in committed_emails(path)

            return list(await asyncio.gather(*(write(n) for n in range(20))))
        finally:
            await store.close()

    assert asyncio.run(scenario()) == [True] * 20
    assert committed_emails(path) == sorted(f"c{n}@example.com" for n in range(20))


def test_a_failing_write_fails_alone_and_leaves_nothing(path: Path) -> None:
    async def scenario() -> tuple[list[object], dict[int, Record]]:
        store, records, actor = await open_records(path)

        async def half_then_fail(tx: WriteTransaction) -> None:
            (record_id,) = await tx.allocate_ids(1)
            record = Record(record_id, {"email": "ghost@example.com"}, START_MS, START_MS)
            await tx.save([RecordWrite(record, True, {"email": {"ghost@example.com"}})])
            raise RuntimeError("the work failed after writing")

        try:
            outcomes = await asyncio.gather(
                records.batch_upsert(actor, CONTACTS, upserts("a@example.com")),
                store.transact(actor.portal_id, CONTACTS.type_id, half_then_fail),
                records.batch_upsert(actor, CONTACTS, upserts("b@example.com")),
                return_exceptions=True,
            )

            async def read(tx: WriteTransaction) -> dict[int, Record]:
                return await tx.records(range(1, 10))

            stored = await store.transact(actor.portal_id, CONTACTS.type_id, read)
        finally:
            await store.close()
        return list(outcomes), stored

    outcomes, stored = asyncio.run(scenario())
    assert isinstance(outcomes[1], RuntimeError)
    assert not isinstance(outcomes[0], BaseException)
    assert not isinstance(outcomes[2], BaseException)
    assert committed_emails(path) == ["a@example.com", "b@example.com"]
    assert sorted(r.properties["email"] for r in stored.values()) == [
        "a@example.com",
        "b@example.com",
    ]


def test_a_database_unique_violation_fails_only_its_own_write(path: Path) -> None:
    async def scenario() -> list[object]:
        store, records, actor = await open_records(path)
        await records.batch_upsert(actor, CONTACTS, upserts("taken@example.com"))

        async def claim_taken(tx: WriteTransaction) -> None:
            (record_id,) = await tx.allocate_ids(1)
            record = Record(record_id, {"email": "taken@example.com"}, START_MS, START_MS)
            await tx.save([RecordWrite(record, True, {"email": {"taken@example.com"}})])

        try:
            return list(
                await asyncio.gather(
                    store.transact(actor.portal_id, CONTACTS.type_id, claim_taken),
                    records.batch_upsert(actor, CONTACTS, upserts("new@example.com")),
                    return_exceptions=True,
                )
            )
        finally:
            await store.close()

    outcomes = asyncio.run(scenario())
    assert isinstance(outcomes[0], UniqueViolation)
    assert not isinstance(outcomes[1], BaseException)
    assert committed_emails(path) == ["new@example.com", "taken@example.com"]


def test_concurrent_upserts_of_one_email_make_one_contact(path: Path) -> None:
    async def scenario() -> list[int]:
        store, records, actor = await open_records(path)
        try:
            outcomes = await asyncio.gather(
                *(
                    records.batch_upsert(actor, CONTACTS, upserts("same@example.com", f"{n}@x.io"))
                    for n in range(16)
                )
            )
        finally:
            await store.close()
        return [o.results[0].record.record_id for o in outcomes]

    ids = asyncio.run(scenario())
    assert len(set(ids)) == 1
    assert committed_emails(path) == sorted(["same@example.com", *(f"{n}@x.io" for n in range(16))])


def test_a_conflict_in_one_batch_does_not_undo_its_neighbours(path: Path) -> None:
    async def scenario() -> list[object]:
        store, records, actor = await open_records(path)
        try:
            await records.batch_upsert(actor, CONTACTS, upserts("first@example.com"))
            clash = UpsertInput(
                id="second@example.com",
                id_property="email",
                properties={"hs_additional_emails": "first@example.com"},
            )
            return list(
                await asyncio.gather(
                    records.batch_upsert(actor, CONTACTS, [clash]),
                    records.batch_upsert(actor, CONTACTS, upserts("third@example.com")),
                    return_exceptions=True,
                )
            )
        finally:
            await store.close()

    outcomes = asyncio.run(scenario())
    assert isinstance(outcomes[0], Conflict)
    assert not isinstance(outcomes[1], BaseException)
    assert committed_emails(path) == ["first@example.com", "third@example.com"]


def test_callers_that_give_up_leave_the_writer_working(path: Path) -> None:
    """A write whose caller is cancelled (a client gone, a server shutting down) either never
    runs or runs to its commit; the writes behind it go on."""

    async def scenario() -> tuple[set[str], list[str]]:
        store, records, actor = await open_records(path)
        try:
            emails = [f"c{n}@example.com" for n in range(60)]
            tasks = [
                asyncio.create_task(records.batch_upsert(actor, CONTACTS, upserts(e)))
                for e in emails
            ]
            for delay_ms in range(len(tasks)):
                await asyncio.sleep(delay_ms / 10_000)
                if delay_ms % 2:
                    tasks[delay_ms].cancel()
            # A writer that died would leave these waiting: give up on it instead.
            results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
            answered = {
                e for e, r in zip(emails, results, strict=True) if not isinstance(r, BaseException)
            }
            after = records.batch_upsert(actor, CONTACTS, upserts("after@example.com"))
            await asyncio.wait_for(after, 30)
            return answered, committed_emails(path)
        finally:
            await store.close()

    answered, committed = asyncio.run(scenario())
    assert "after@example.com" in committed
    assert answered <= set(committed)
    assert len(answered) >= 30


def test_committed_pages_reach_the_database_file_in_the_background(path: Path) -> None:
    """A checkpointer copies committed pages from the WAL into the database file soon after a
    commit; the writer itself would copy them only once the WAL had grown to thousands of pages."""

    async def scenario() -> bool:
        store, records, actor = await open_records(path)
        try:
            await records.batch_upsert(actor, CONTACTS, upserts("checkpointed@example.com"))
            for _ in range(200):
                if b"checkpointed@example.com" in path.read_bytes():
                    return True
                await asyncio.sleep(0.025)
            return False
        finally:
            await store.close()  # closing copies the rest, so look before

    assert asyncio.run(scenario())
