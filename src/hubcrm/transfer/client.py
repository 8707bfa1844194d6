"""An HTTP client of HubSpot's API (hubcrm's or HubSpot's own) that survives rate limits and
flaky networks, on the standard library alone.

It paces itself by the X-HubSpot-RateLimit-* headers of the latest answer: once Remaining is spent
(counting the requests sent since), it sends one request per Interval-Milliseconds / Max, the
pace at which a rolling window frees room; and every thread waits out a 429's Retry-After. 5xx
answers and dropped connections are retried with jittered exponential backoff, but only where a
second attempt cannot write twice: a request that is `idempotent` (an upsert, a read) is always
retried; one that is not (a batch create) only when the server certainly did not act on it (429,
503, a connection refused or failing before the request went out). Otherwise the caller gets
OutcomeUnknown and decides.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

USER_AGENT = "hubcrm-transfer/1"
# Connections idle longer than this are reopened before use: servers close idle keep-alive
# connections (hubcrm after 5 s), and a request on a connection the server has just closed
# fails in a way that looks like a dropped answer.
IDLE_REOPEN_SECONDS = 2.0
MAX_RETRIES = 8
MAX_RATE_LIMIT_RETRIES = 100
BACKOFF_BASE = 0.25
BACKOFF_CAP = 20.0


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any  # the decoded JSON, or None

    def error(self) -> tuple[str, str]:
        """HubSpot's category and message of an error answer."""
        body = self.body if isinstance(self.body, dict) else {}
        category = body.get("category") or body.get("errorType") or f"HTTP_{self.status}"
        return str(category), str(body.get("message") or "")


class TransferError(Exception):
    """The import or export cannot go on (authentication, a daily limit, retries exhausted)."""


class OutcomeUnknown(TransferError):
    """A non-idempotent request may or may not have been applied: retrying could write twice."""


@dataclass
class Stats:
    requests: int = 0
    rate_limited: int = 0
    retried: int = 0


@dataclass
class _Pace:
    """What the server's rate-limit headers said last, and what was sent since."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    window_ms: int = 0
    max: int = 0
    remaining: int | None = None  # of the window, in the latest answer
    sent_since: int = 0  # requests started since that answer
    last_start: float = 0.0
    not_before: float = 0.0  # a 429's Retry-After holds every thread until then


class Client:
    def __init__(self, base_url: str, token: str, timeout: float = 60.0) -> None:
        parts = urllib.parse.urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--url must be an http:// or https:// URL, not {base_url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path
        self._token = token
        self._timeout = timeout
        self._local = threading.local()
        self._pace = _Pace()
        self._open: set[http.client.HTTPConnection] = set()
        self.stats = Stats()

    def close(self) -> None:
        """Close the connections of every thread."""
        with self._pace.lock:
            for conn in self._open:
                conn.close()
            self._open.clear()

    def request(
        self, method: str, path: str, body: Any = None, *, idempotent: bool = True
    ) -> Answer:
        """The server's answer to a request, after waiting out rate limits and retrying failures
        that can safely be retried; any other status is returned for the caller to judge."""
        payload = None if body is None else json.dumps(body).encode()
        failures = 0
        limited = 0
        while True:
            self._wait_turn()
            try:
                answer = self._send(method, path, payload)
            except _NotSent as error:
                failures = self._backoff(failures, error.cause)
                continue
            except (OSError, http.client.HTTPException) as error:
                if not idempotent:
                    raise OutcomeUnknown(f"the connection failed after sending: {error}") from error
                failures = self._backoff(failures, error)
                continue
            self._learn(answer.headers)
            if answer.status == 429:
                limited += 1
                self._rate_limited(answer, limited)
                continue
            if answer.status >= 500:
                if not idempotent and answer.status != 503:
                    raise OutcomeUnknown(f"the server answered {answer.status}")
                failures = self._backoff(failures, TransferError(f"HTTP {answer.status}"))
                continue
            return answer

    def _send(self, method: str, path: str, payload: bytes | None) -> Answer:
        conn = self._connection()
        headers = {"Authorization": f"Bearer {self._token}", "User-Agent": USER_AGENT}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, self._prefix + path, body=payload, headers=headers)
        except (OSError, http.client.HTTPException) as error:
            self._drop()
            raise _NotSent(error) from error
        try:
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self._drop()
            raise
        self._local.used = time.monotonic()
        with self._pace.lock:
            self.stats.requests += 1
        if response.will_close:
            self._drop()
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = None
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, decoded)

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None and time.monotonic() - self._local.used > IDLE_REOPEN_SECONDS:
            self._drop()
            conn = None
        if conn is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = kind(self._host, self._port, timeout=self._timeout)
            with self._pace.lock:
                self._open.add(conn)
            self._local.conn = conn
            self._local.used = time.monotonic()
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            with self._pace.lock:
                self._open.discard(conn)
        self._local.conn = None

    def _wait_turn(self) -> None:
        """Hold until a 429's pause is over and the window has room for one more request."""
        pace = self._pace
        while True:
            with pace.lock:
                now = time.monotonic()
                wait = pace.not_before - now
                spent = pace.remaining is not None and pace.remaining - pace.sent_since <= 0
                if wait <= 0 and spent:
                    wait = pace.last_start + pace.window_ms / 1000 / pace.max - now
                if wait <= 0:
                    pace.sent_since += 1
                    pace.last_start = now
                    return
            time.sleep(wait)

    def _learn(self, headers: dict[str, str]) -> None:
        try:
            window_ms = int(headers["x-hubspot-ratelimit-interval-milliseconds"])
            most = int(headers["x-hubspot-ratelimit-max"])
            remaining = int(headers["x-hubspot-ratelimit-remaining"])
        except (KeyError, ValueError):
            return
        with self._pace.lock:
            self._pace.window_ms, self._pace.max = window_ms, max(1, most)
            self._pace.remaining, self._pace.sent_since = remaining, 0

    def _rate_limited(self, answer: Answer, count: int) -> None:
        body = answer.body if isinstance(answer.body, dict) else {}
        if body.get("policyName") == "DAILY":
            raise TransferError("the portal's daily API limit is reached: --resume once it resets")
        if count > MAX_RATE_LIMIT_RETRIES:
            raise TransferError("still rate limited after many attempts")
        try:
            seconds = float(answer.headers.get("retry-after", ""))
        except ValueError:
            seconds = (self._pace.window_ms or 10_000) / 1000 / max(1, self._pace.max or 10)
        with self._pace.lock:
            self.stats.rate_limited += 1
            until = time.monotonic() + seconds + random.uniform(0, 0.1 * seconds + 0.05)
            self._pace.not_before = max(self._pace.not_before, until)

    def _backoff(self, failures: int, error: BaseException) -> int:
        if failures >= MAX_RETRIES:
            raise TransferError(f"giving up after {failures + 1} attempts: {error}") from error
        with self._pace.lock:
            self.stats.retried += 1
        time.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**failures)))
        return failures + 1


class _NotSent(Exception):
    """The request never reached the server: always safe to send again."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause
