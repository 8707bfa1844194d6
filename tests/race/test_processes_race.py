"""Several `hubcrm serve` processes on one PostgreSQL database, hammered at once with batches that
overlap: one contact per email, no value lost, no 5xx, and a history that agrees with what was
acknowledged.

Every write of a property gives it a value no other write uses, so each value names the write
that made it. Writes to one contact that overlapped in time may commit in either order; a write
acknowledged before another was sent must come first.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.backends import fresh_postgres
from tests.server import LiveServer

EMAILS = [f"racer{n}@example.com" for n in range(40)]
PROPERTIES = ("firstname", "lastname")
CLIENTS = 8
BATCHES_PER_CLIENT = 15
UPSERT = "/crm/v3/objects/contacts/batch/upsert"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Write:
    """One acknowledged write of one property of one contact."""

    email: str
    property: str
    value: str
    sent: float
    acked: float


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    sent: float
    acked: float
    inputs: list[dict[str, Any]]


@pytest.fixture
def servers() -> Iterator[tuple[str, list[LiveServer]]]:
    with fresh_postgres() as url:
        first = LiveServer(url).start()  # creates the portal and prints its token
        others = [LiveServer(url).start()]
        try:
            yield url, [first, *others]
        finally:
            for server in (first, *others):
                server.stop()


class Client:
    """Requests to the servers, each on a new connection (an idle kept-alive one may be closed)."""

    def __init__(self, servers: list[LiveServer], token: str) -> None:
        self.addresses = []
        for server in servers:
            parts = urlsplit(server.base_url)
            assert parts.hostname is not None
            assert parts.port is not None
            self.addresses.append((parts.hostname, parts.port))
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(self, server: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection(*self.addresses[server], timeout=60)
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, self.headers)
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()


def hammer(servers: list[LiveServer], token: str) -> list[Answer]:
    answers: list[Answer] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n)
        http_client = Client(servers, token)
        for batch in range(BATCHES_PER_CLIENT):
            inputs = []
            for email in rng.sample(EMAILS, rng.randint(5, 25)):
                written = rng.sample(PROPERTIES, rng.randint(1, len(PROPERTIES)))
                properties = {name: f"{name}-c{n}-b{batch}" for name in written}
                inputs.append({"idProperty": "email", "id": email, "properties": properties})
            sent = time.monotonic()
            status, body = http_client.send(
                rng.randrange(len(servers)), "POST", UPSERT, {"inputs": inputs}
            )
            answer = Answer(status, body, sent, time.monotonic(), inputs)
            with lock:
                answers.append(answer)

    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client, n) for n in range(CLIENTS)]:
            future.result()
    return answers


def acknowledged_writes(answers: list[Answer]) -> dict[tuple[str, str], list[Write]]:
    writes: dict[tuple[str, str], list[Write]] = {}
    for answer in answers:
        for item in answer.inputs:
            for name, value in item["properties"].items():
                write = Write(item["id"], name, value, answer.sent, answer.acked)
                writes.setdefault((item["id"], name), []).append(write)
    return writes


def stored_rows(url: str, portal_id: int) -> tuple[int, int, int]:
    """Contacts, email values and distinct record ids in the portal, read from the database."""

    async def read() -> tuple[int, int, int]:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            row = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM records WHERE portal_id = $1),"
                " (SELECT count(*) FROM unique_values WHERE portal_id = $1"
                "  AND namespace = 'email'),"
                " (SELECT count(DISTINCT record_id) FROM records WHERE portal_id = $1)",
                portal_id,
            )
            assert row is not None
            return row[0], row[1], row[2]
        finally:
            await conn.close()

    return asyncio.run(read())


def test_processes_racing_on_one_database_lose_nothing(
    servers: tuple[str, list[LiveServer]],
) -> None:
    url, live = servers
    token, portal_id = live[0].token, live[0].portal_id
    answers = hammer(live, token)

    assert sorted({a.status for a in answers}) == [200], [
        (a.status, a.body) for a in answers if a.status != 200
    ]
    # Exactly one create per email; every other write of it was an update of that contact.
    ids: dict[str, set[str]] = {}
    creates: dict[str, int] = {}
    for answer in answers:
        for result in answer.body["results"]:
            email = result["properties"]["email"]
            ids.setdefault(email, set()).add(result["id"])
            creates[email] = creates.get(email, 0) + result["new"]
    touched = set(ids)
    assert all(len(record_ids) == 1 for record_ids in ids.values()), ids
    assert creates == dict.fromkeys(touched, 1)
    assert len({next(iter(record_ids)) for record_ids in ids.values()}) == len(touched)
    assert stored_rows(url, portal_id) == (len(touched),) * 3

    writes = acknowledged_writes(answers)
    reader = Client(live, token)
    for email in sorted(touched):
        status, contact = reader.send(
            0,
            "GET",
            f"/crm/v3/objects/contacts/{email}?idProperty=email"
            f"&propertiesWithHistory={','.join(PROPERTIES)}",
        )
        assert status == 200
        for name in PROPERTIES:
            check_property(email, name, contact, writes.get((email, name), []))


def check_property(email: str, name: str, contact: dict[str, Any], writes: list[Write]) -> None:
    history = [h["value"] for h in contact["propertiesWithHistory"].get(name, [])]
    if not writes:
        assert history == []
        return
    final = contact["properties"][name]
    by_value = {w.value: w for w in writes}
    # Every acknowledged value is in the history once, and nothing else is.
    assert sorted(history) == sorted(by_value), (email, name)
    assert history[0] == final
    last = by_value[final]
    # The final value is the last acknowledged one: no write began after it was acknowledged.
    assert not [w for w in writes if w.sent > last.acked], (email, name, final)
    # A write acknowledged before another was sent is older in the history.
    position = {value: index for index, value in enumerate(history)}  # 0 = newest
    for earlier in writes:
        for later in writes:
            if earlier.acked < later.sent:
                assert position[earlier.value] > position[later.value], (email, name)
