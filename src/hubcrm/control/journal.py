"""The request journal: the most recent requests of each portal, for tests to assert on.

Memory stays bounded whatever the load: each portal keeps at most `size` entries, each body is
cut at `body_bytes`, and at most MAX_PORTALS portals keep a journal (the least recently used
one is forgotten first). No entry ever holds a token: headers are not kept, and the query
parameters and bodies that could carry one are scrubbed before they are stored.
"""

from __future__ import annotations

import fnmatch
from collections import OrderedDict, deque
from dataclasses import dataclass

import msgspec

MAX_PORTALS = 1024
REDACTED = "[REDACTED]"
# Query parameters that carry credentials in HubSpot's APIs (legacy API keys, OAuth tokens).
SECRET_PARAMETERS = ("hapikey", "access_token", "refresh_token", "client_secret", "code")


class Entry(msgspec.Struct, rename="camel", kw_only=True):
    sequence: int  # 1 for the portal's first request since its journal was last cleared
    at: int  # epoch milliseconds by the portal's clock
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    correlation_id: str
    request_body: str
    request_truncated: bool
    response_body: str
    response_truncated: bool
    fault: str | None = None  # the id of the fault rule that answered, if one did


@dataclass(frozen=True)
class Query:
    """What to look for; every field left None matches anything."""

    method: str | None = None
    path: str | None = None  # exact, or a glob such as `*/batch/upsert`
    status: str | None = None  # `429`, or a class such as `4xx`
    since: int | None = None  # epoch ms, inclusive
    until: int | None = None  # epoch ms, inclusive

    def matches(self, entry: Entry) -> bool:
        return (
            (self.method is None or entry.method == self.method.upper())
            and (self.path is None or fnmatch.fnmatchcase(entry.path, self.path))
            and (self.status is None or _status_matches(self.status, entry.status))
            and (self.since is None or entry.at >= self.since)
            and (self.until is None or entry.at <= self.until)
        )


def _status_matches(wanted: str, status: int) -> bool:
    wanted = wanted.strip().lower()
    if len(wanted) == 3 and wanted.endswith("xx"):
        return str(status)[0] == wanted[0]
    return str(status) == wanted


class Journal:
    def __init__(self, size: int, body_bytes: int) -> None:
        self.size = size
        self.body_bytes = body_bytes
        self._portals: OrderedDict[int, deque[Entry]] = OrderedDict()
        self._sequences: dict[int, int] = {}

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def next_sequence(self, portal_id: int) -> int:
        self._sequences[portal_id] = self._sequences.get(portal_id, 0) + 1
        return self._sequences[portal_id]

    def record(self, portal_id: int, entry: Entry) -> None:
        if not self.enabled:
            return
        entries = self._portals.get(portal_id)
        if entries is None:
            entries = self._portals[portal_id] = deque(maxlen=self.size)
            while len(self._portals) > MAX_PORTALS:
                forgotten, _ = self._portals.popitem(last=False)
                self._sequences.pop(forgotten, None)
        self._portals.move_to_end(portal_id)
        entries.append(entry)

    def entries(self, portal_id: int, query: Query | None = None) -> list[Entry]:
        """Oldest first."""
        found = self._portals.get(portal_id, ())
        return [e for e in found if query is None or query.matches(e)]

    def clear(self, portal_id: int | None = None) -> None:
        if portal_id is None:
            self._portals.clear()
            self._sequences.clear()
        else:
            self._portals.pop(portal_id, None)
            self._sequences.pop(portal_id, None)

    def clip(self, body: bytes, secret: str | None) -> tuple[str, bool]:
        """The body as text, scrubbed of the secret, cut at body_bytes; and whether it was cut."""
        text = body[: self.body_bytes].decode("utf-8", errors="replace")
        if secret:
            text = text.replace(secret, REDACTED)
        return text, len(body) > self.body_bytes


def scrub_query(query: str, secret: str | None) -> str:
    """The query string with credential parameters' values (and the request's token) replaced."""
    parts = []
    for part in query.split("&") if query else ():
        name, sep, _ = part.partition("=")
        parts.append(f"{name}={REDACTED}" if sep and name.lower() in SECRET_PARAMETERS else part)
    scrubbed = "&".join(parts)
    return scrubbed.replace(secret, REDACTED) if secret else scrubbed
