"""PostgreSQL connections lost in the middle of a write transaction: lost before COMMIT, the
transaction runs again on a new connection and succeeds; lost at COMMIT, the outcome is unknown
and reported as such (never run again, never a plain error)."""

from __future__ import annotations

import asyncio

import pytest

from hubcrm.domain import portals
from hubcrm.domain.clock import FrozenClock
from hubcrm.store import open_store
from hubcrm.store.base import WriteTransaction
from hubcrm.store.errors import OutcomeUnknown
from hubcrm.store.postgres.transaction import Transaction
from tests.backends import fresh_postgres, postgres_server_url
from tests.store.test_contract import START_MS, TYPE, new_record

PORTAL = 31337


async def _terminate(pid: int) -> None:
    import asyncpg

    admin = await asyncpg.connect(postgres_server_url(), timeout=5)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
        # Wait until the backend is gone: the next statement on it then fails for certain.
        for _ in range(100):
            if not await admin.fetchval("SELECT 1 FROM pg_stat_activity WHERE pid = $1", pid):
                return
            await asyncio.sleep(0.02)
    finally:
        await admin.close()


def _pid(tx: WriteTransaction) -> int:
    assert isinstance(tx, Transaction)
    pid: int = tx._conn.get_server_pid()
    return pid


@pytest.mark.parametrize("when", ["before the first statement", "after the save"])
def test_a_connection_lost_before_commit_is_retried_invisibly(when: str) -> None:
    calls: list[int] = []

    async def work(tx: WriteTransaction) -> list[int]:
        calls.append(_pid(tx))
        if len(calls) == 1 and when == "before the first statement":
            await _terminate(_pid(tx))
        ids = await tx.allocate_ids(1)
        await tx.save([new_record(ids[0], f"retried{len(calls)}@example.com")])
        if len(calls) == 1 and when == "after the save":
            await _terminate(_pid(tx))
            await tx.records(ids)  # the next statement finds the connection gone
        return ids

    async def main() -> list[str]:
        store = await open_store(url)
        try:
            await portals.create_portal(store, FrozenClock(START_MS), PORTAL)
            ids = await store.transact(PORTAL, TYPE, work)
            found = await store.records(PORTAL, TYPE, ids)
            return sorted(r.properties["email"] for r in found.values())
        finally:
            await store.close()

    with fresh_postgres() as url:
        emails = asyncio.run(main())
    assert len(calls) == 2
    assert calls[0] != calls[1]  # the second ran on a new connection
    assert emails == ["retried2@example.com"]


def test_a_connection_lost_at_commit_is_an_unknown_outcome_not_retried() -> None:
    calls: list[int] = []

    async def work(tx: WriteTransaction) -> None:
        calls.append(_pid(tx))
        ids = await tx.allocate_ids(1)
        await tx.save([new_record(ids[0], "unknown@example.com")])
        await _terminate(_pid(tx))  # COMMIT is sent next, on a connection already gone

    async def main() -> None:
        store = await open_store(url)
        try:
            await portals.create_portal(store, FrozenClock(START_MS), PORTAL)
            with pytest.raises(OutcomeUnknown):
                await store.transact(PORTAL, TYPE, work)
            # The store goes on: the pool replaced the connection.
            assert await store.portal_ids() == [PORTAL]
        finally:
            await store.close()

    with fresh_postgres() as url:
        asyncio.run(main())
    assert len(calls) == 1
