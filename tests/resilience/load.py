"""Load for the fault tests: client threads sending tagged batch creates over real HTTP, and the
checks every fault test makes of what they were answered.

Every batch gives each of its contacts the batch's tag as `firstname`, so after the fault the
contacts of each batch can be counted: an acknowledged batch must be there whole, a refused one
(429, 503) must be absent, and one whose outcome the client cannot know (a 503 saying the commit's
outcome is unknown, a connection refused) absent or whole, never in part.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

CREATE = "/crm/v3/objects/contacts/batch/create"
REFUSED = "refused"  # the connection was not accepted: the request was never sent
DROPPED = "dropped"  # the connection was accepted, then closed without an answer


@dataclass
class Outcome:
    tag: str
    size: int
    status: int | str  # the HTTP status, or REFUSED / DROPPED
    body: dict[str, Any]
    retry_after: str | None
    seconds: float
    sent_at: float


@dataclass
class Load:
    """`clients` threads, each sending batches of `size` contacts one after another until
    stopped, each on a new connection (so that no answer depends on a kept-alive one)."""

    base_url: str
    token: str
    clients: int
    size: int = 5
    pause: float = 0.0  # between one client's requests
    timeout: float = 60.0
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)
        return self.outcomes

    def count(self, status: int | str) -> int:
        """How many answers of `status` (or REFUSED, DROPPED) have come back so far."""
        with self._lock:
            return sum(1 for o in self.outcomes if o.status == status)

    def wait_for(self, status: int | str, more: int = 1, timeout: float = 30.0) -> None:
        """Until `more` answers of `status` beyond those so far have come back: the condition a
        test waits for, rather than a fixed time. Past the deadline it returns all the same, and
        the test's own checks say what was missing."""
        target = self.count(status) + more
        deadline = time.monotonic() + timeout
        while self.count(status) < target and time.monotonic() < deadline:
            time.sleep(0.02)

    def run_for(self, seconds: float) -> list[Outcome]:
        with self:
            time.sleep(seconds)
        return self.outcomes

    def _client(self, client: int) -> None:
        n = 0
        while not self._stop.is_set():
            tag = f"c{client}b{n}t{time.monotonic_ns() % 1_000_000_000}"
            n += 1
            outcome = send_batch(self.base_url, self.token, tag, self.size, self.timeout)
            with self._lock:
                self.outcomes.append(outcome)
            if outcome.status in (429, 503) and not self._stop.is_set():
                time.sleep(0.05)  # a polite client backs off (for less than Retry-After)
            elif self.pause:
                time.sleep(self.pause)


def send_batch(base_url: str, token: str, tag: str, size: int, timeout: float) -> Outcome:
    inputs = [
        {"properties": {"email": f"{tag}-{i}@load.example", "firstname": tag}} for i in range(size)
    ]
    body = json.dumps({"inputs": inputs})
    parts = urlsplit(base_url)
    start = time.monotonic()
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        try:
            conn.connect()
        except ConnectionRefusedError:
            return Outcome(tag, size, REFUSED, {}, None, time.monotonic() - start, start)
        try:
            conn.request(
                "POST",
                CREATE,
                body=body,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Connection": "close",
                },
            )
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            return Outcome(tag, size, DROPPED, {}, None, time.monotonic() - start, start)
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            answer = {"raw": raw.decode(errors="replace")}
        return Outcome(
            tag,
            size,
            response.status,
            answer,
            response.getheader("Retry-After"),
            time.monotonic() - start,
            start,
        )
    finally:
        conn.close()


def stored_tags(base_url: str, token: str) -> Counter[str]:
    """How many contacts carry each tag, read page by page through the API."""
    parts = urlsplit(base_url)
    counts: Counter[str] = Counter()
    after: str | None = None
    while True:
        path = "/crm/v3/objects/contacts?limit=100&properties=firstname"
        if after:
            path += f"&after={after}"
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            page = json.loads(response.read())
        finally:
            conn.close()
        assert response.status == 200, page
        for record in page["results"]:
            counts[record["properties"]["firstname"]] += 1
        after = page.get("paging", {}).get("next", {}).get("after")
        if not after:
            return counts


def check(
    outcomes: list[Outcome],
    stored: Counter[str],
    *,
    allowed: frozenset[int | str] = frozenset({201, 503}),
) -> Counter[int | str]:
    """The checks every fault test makes; returns how many answers of each status there were.

    - every answer has an allowed status (never a 500, never a dropped connection unless allowed);
    - every 503 and 429 is HubSpot's envelope with Retry-After;
    - an acknowledged batch is stored whole, a refused one not at all, and one whose outcome is
      unknown (its commit's, or a request never answered) whole or not at all.
    """
    statuses: Counter[int | str] = Counter(o.status for o in outcomes)
    wrong = [o for o in outcomes if o.status not in allowed]
    assert not wrong, [(o.status, o.body) for o in wrong[:5]]
    for o in outcomes:
        count = stored.get(o.tag, 0)
        if o.status == 201:
            assert o.body["status"] == "COMPLETE", o.body
            assert count == o.size, (o.tag, count)
        elif o.status in (429, 503):
            assert o.retry_after is not None, o
            assert int(o.retry_after) >= 1, o
            assert o.body["status"] == "error", o.body
            assert "correlationId" in o.body, o.body
            if o.status == 503:
                assert o.body["category"] == "SERVICE_UNAVAILABLE", o.body
            if "may or may not" in o.body.get("message", ""):
                assert count in (0, o.size), (o.tag, count)
            else:
                assert count == 0, (o.tag, count, o.body)
        else:
            assert count in (0, o.size), (o.tag, count, o.status)
    return statuses
