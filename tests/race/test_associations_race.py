"""Two `hubcrm serve` processes on one PostgreSQL database, racing on associations: the same
pairs associated at once, primary companies moved from both sides at once. Afterwards every
association has its inverse, each pair holds each type once, each contact has one primary
company at most, and its associatedcompanyid names that company."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.backends import fresh_postgres
from tests.race.test_processes_race import Client
from tests.server import LiveServer

CONTACTS = 6
COMPANIES = 3
CLIENTS = 8
ROUNDS = 12

pytestmark = pytest.mark.slow


@pytest.fixture
def servers() -> Iterator[tuple[str, list[LiveServer]]]:
    with fresh_postgres() as url:
        first = LiveServer(url).start()
        second = LiveServer(url).start()
        try:
            yield url, [first, second]
        finally:
            first.stop()
            second.stop()


def primary_spec(type_id: int) -> list[dict[str, Any]]:
    return [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]


def race(live: list[LiveServer], token: str) -> list[tuple[int, Any]]:
    answers: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n)
        http = Client(live, token)
        for _ in range(ROUNDS):
            contact = rng.randint(1, CONTACTS)
            company = rng.randint(1, COMPANIES)
            server = rng.randrange(len(live))
            choice = rng.randrange(4)
            if choice == 0:
                path = (
                    f"/crm/v4/objects/contacts/{contact}/associations/default/companies/{company}"
                )
                answer = http.send(server, "PUT", path)
            elif choice == 1:
                path = f"/crm/v4/objects/contacts/{contact}/associations/companies/{company}"
                answer = http.send(server, "PUT", path, primary_spec(1))
            elif choice == 2:
                path = f"/crm/v4/objects/companies/{company}/associations/contacts/{contact}"
                answer = http.send(server, "PUT", path, primary_spec(2))
            else:
                pairs = [
                    {"from": {"id": str(c)}, "to": {"id": str(company)}}
                    for c in rng.sample(range(1, CONTACTS + 1), 3)
                ]
                path = "/crm/v4/associations/contacts/companies/batch/associate/default"
                answer = http.send(server, "POST", path, {"inputs": pairs})
            with lock:
                answers.append(answer)

    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client, n) for n in range(CLIENTS)]:
            future.result()
    return answers


def rows(url: str, portal_id: int) -> list[tuple[Any, ...]]:
    async def read() -> list[tuple[Any, ...]]:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            found = await conn.fetch(
                "SELECT from_type, from_id, to_type, to_id, category, type_id FROM associations"
                " WHERE portal_id = $1",
                portal_id,
            )
            return [tuple(row) for row in found]
        finally:
            await conn.close()

    return asyncio.run(read())


def test_processes_racing_on_associations_keep_them_whole(
    servers: tuple[str, list[LiveServer]],
) -> None:
    url, live = servers
    token, portal_id = live[0].token, live[0].portal_id
    http = Client(live, token)
    for _ in range(CONTACTS):
        assert http.send(0, "POST", "/crm/v3/objects/contacts", {"properties": {}})[0] == 201
    for n in range(1, COMPANIES + 1):
        made = http.send(1, "POST", "/crm/v3/objects/companies", {"properties": {"name": f"c{n}"}})
        assert made[0] == 201

    answers = race(live, token)
    assert {status for status, _ in answers} <= {200, 201}, [
        a for a in answers if a[0] not in (200, 201)
    ]

    stored = rows(url, portal_id)
    assert len(stored) == len(set(stored))
    inverse = {1: 2, 2: 1, 279: 280, 280: 279}
    for from_type, from_id, to_type, to_id, category, type_id in stored:
        assert (to_type, to_id, from_type, from_id, category, inverse[type_id]) in stored
    for contact in range(1, CONTACTS + 1):
        primaries = [r[3] for r in stored if r[:2] == ("0-1", contact) and r[5] == 1]
        assert len(primaries) <= 1, (contact, primaries)
        # Every labelled association has its unlabeled one.
        for company in primaries:
            assert ("0-1", contact, "0-2", company, "HUBSPOT_DEFINED", 279) in stored
        status, body = http.send(
            contact % 2, "GET", f"/crm/v3/objects/contacts/{contact}?properties=associatedcompanyid"
        )
        assert status == 200
        expected = str(primaries[0]) if primaries else None
        assert body["properties"]["associatedcompanyid"] == expected, contact
