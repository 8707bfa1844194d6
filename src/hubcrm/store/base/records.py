"""Records, tokens and property history as the store keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Token:
    token_id: int
    portal_id: int
    scopes: frozenset[str]
    name: str | None
    created_at: int
    expires_at: int | None
    revoked_at: int | None
    # The SHA-256 of the secret, so that a lookup can be confirmed in constant time.
    token_hash: str = ""
    # The app an OAuth access token was issued to (None: a private-app style token).
    app_id: int | None = None


@dataclass
class Record:
    record_id: int
    properties: dict[str, str]
    created_at: int
    updated_at: int
    archived: bool = False
    archived_at: int | None = None


class HistoryEntry(NamedTuple):
    """One value a property held, from when and from whom (a tuple: a batch makes thousands)."""

    property: str
    value: str
    timestamp: int
    source_type: str
    source_id: str | None


@dataclass
class RecordWrite:
    """The new state of one record, and what changed to get there.

    Saving an archived record moves the unique values it holds aside (free for live records,
    still found by reads of archived records). Saving any record leaves its search rows behind
    it until they are caught up (see WriteTransaction.search_lag).
    """

    record: Record
    is_new: bool
    # For each unique namespace this write touches: every value the record holds there now.
    unique_values: dict[str, set[str]] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
