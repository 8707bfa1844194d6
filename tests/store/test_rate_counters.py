"""The rate limiter over each backend's counters: in memory for SQLite, in the database for
PostgreSQL, where every process shares them."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from hubcrm.domain.ratelimit import DAY_MS, Limiter, Limits, MemoryCounters
from hubcrm.store import open_store
from tests.server import LiveServer

NOON_MS = 20_000 * DAY_MS + DAY_MS // 2


def scenario(database_url: str) -> list[str | None]:
    """Which policy refused each of a sequence of requests (None: admitted)."""

    async def run() -> list[str | None]:
        store = await open_store(database_url)
        try:
            counters = store.shared_rate_counters() or MemoryCounters()
            limiter = Limiter(Limits.of("free", burst=2, daily=4), counters)
            outcomes = []
            for portal, offset in [
                (1, 0),
                (1, 1),
                (1, 2),
                (2, 3),
                (1, 10_000),
                (1, 10_001),
                (1, 20_002),
                (1, 20_003),
                (1, DAY_MS),
            ]:
                verdict = await limiter.check(portal, 1, "standard", NOON_MS + offset)
                outcomes.append(verdict.refusal.policy_name if verdict.refusal else None)
            return outcomes
        finally:
            await store.close()

    return asyncio.run(run())


def test_every_backend_counts_the_same(database_url: str) -> None:
    assert scenario(database_url) == [
        None,
        None,
        "TEN_SECONDLY_ROLLING",
        None,
        None,
        None,
        "DAILY",
        "DAILY",
        None,
    ]


def test_postgres_shares_counters_and_sqlite_does_not(backend: str, database_url: str) -> None:
    async def shared() -> bool:
        store = await open_store(database_url)
        try:
            return store.shared_rate_counters() is not None
        finally:
            await store.close()

    assert asyncio.run(shared()) == (backend == "postgres")


@pytest.fixture
def two_servers(database_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    limits = ("--rate-limit", "free", "--rate-limit-burst", "3", "--rate-limit-window-ms", "60000")
    first = LiveServer(database_url, *limits).start()
    second = LiveServer(database_url, *limits)
    try:
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()


@pytest.mark.slow
def test_processes_on_postgres_share_one_window(
    backend: str, two_servers: tuple[LiveServer, LiveServer]
) -> None:
    first, second = two_servers

    def status(server: LiveServer) -> int:
        request = urllib.request.Request(
            server.base_url + "/crm/v3/objects/contacts/1",
            headers={"Authorization": f"Bearer {first.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            error.close()
            return error.code

    answers = [status(s) for s in (first, second, first, second, first, second)]
    if backend == "postgres":
        assert answers == [404, 404, 404, 429, 429, 429]
    else:
        assert answers == [404, 404, 404, 404, 404, 404]  # each process counts its own
