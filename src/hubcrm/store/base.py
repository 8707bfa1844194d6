"""The storage contract: what the domain needs from a database, and nothing more.

A store keeps portals, tokens, property definitions, records, the unique values records hold and
their property history, every row keyed first by portal. Values arrive validated and normalised:
the store checks nothing but what the database itself enforces (uniqueness), and reports a
violation as errors.UniqueViolation.

Implementations: store/sqlite/ (the embedded default) and store/postgres/ (many processes
sharing one database). `open_store()` in store/__init__.py picks one by URL scheme. Their schemas
are created and upgraded by the versioned migrations in store/migrations/.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol, TypeVar

from hubcrm.protocol.definitions import PropertyDefinition

T = TypeVar("T")


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


class SearchValue(NamedTuple):
    """One value a live record holds, as search compares it."""

    property: str
    text: str  # lower-cased
    number: float | None = None  # numbers; dates and datetimes as epoch milliseconds


class SearchToken(NamedTuple):
    property: str
    token: str  # lower-cased word of a value, or the whole value


@dataclass(frozen=True)
class SearchEntries:
    """Values and words of a record that search knows (or should)."""

    values: list[SearchValue]
    tokens: list[SearchToken]


@dataclass(frozen=True)
class SearchChange:
    """What search must forget of a record, and then learn: only what a write changed."""

    removed: SearchEntries
    added: SearchEntries


@dataclass(frozen=True)
class SearchLag:
    """A record whose search rows lag behind its writes."""

    record_id: int
    indexed: dict[str, str] | None  # the properties search knows it by; None: it knows none
    current: Record | None  # the record now (None if it is gone)


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


# Search: a query over the search tables, built by the domain with typed values.

Operand = str | float


@dataclass(frozen=True)
class Condition:
    """One filter. `numeric` compares `number`, else `text`; operands are already typed.

    Operators: EQ NEQ LT LTE GT GTE BETWEEN IN NOT_IN HAS_PROPERTY NOT_HAS_PROPERTY, and TOKEN /
    NOT_TOKEN whose operands are glob patterns over tokens (`*` any run of characters).
    Negated operators (NEQ, NOT_IN, NOT_HAS_PROPERTY, NOT_TOKEN) match records without a value.
    """

    property: str
    operator: str
    operands: tuple[Operand, ...] = ()
    numeric: bool = False
    # The records column holding this property for every live record (RECORD_COLUMNS), if one
    # does: then it is compared there, as an integer, and search keeps no rows for it.
    column: str | None = None


@dataclass(frozen=True)
class SortKey:
    property: str | None  # None: by record id
    descending: bool = False
    numeric: bool = False
    column: str | None = None  # as in Condition


# Integer columns of records that search reads like properties: a record's id, when it was
# created and when it last changed.
RECORD_COLUMNS = frozenset({"record_id", "created_at", "updated_at"})


@dataclass(frozen=True)
class SearchQuery:
    # OR of groups, AND within a group; no groups matches every live record.
    groups: tuple[tuple[Condition, ...], ...]
    sort: SortKey
    offset: int
    limit: int
    # Free text: every word must prefix a token of one of these properties.
    words: tuple[str, ...] = ()
    word_properties: tuple[str, ...] = ()
    # Only records last written at or before this moment (epoch ms): --search-delay.
    written_before: int | None = None


@dataclass(frozen=True)
class SearchResult:
    record_ids: list[int]
    total: int


class WriteTransaction(Protocol):
    """Reads and writes of one portal's records of one object type, committed together."""

    async def holders(self, namespace: str, values: Iterable[str]) -> dict[str, int]:
        """Which live record holds each of these unique values (absent ones are left out)."""

    async def records(self, record_ids: Iterable[int]) -> dict[int, Record]: ...

    async def allocate_ids(self, count: int) -> list[int]: ...

    async def save(self, writes: list[RecordWrite]) -> None:
        """Save the records; each one's search rows now lag behind it."""

    async def search_lag(self, limit: int) -> list[SearchLag]:
        """Up to `limit` records whose search rows lag behind, lowest id first. Until this
        transaction ends, no other transaction catches up this type's search rows."""

    async def save_search(
        self, changes: list[tuple[int, SearchChange]], *, caught_up: bool = True
    ) -> None:
        """Apply each record's search change. With `caught_up`, those records' search rows are
        caught up (a build of new properties' rows passes False: the records may still lag)."""

    async def searched_properties(self) -> dict[str, int | None]:
        """The properties search keeps rows for: each with None once every record's rows are
        built, else the highest record id built so far. Until this transaction ends, no other
        transaction catches up or builds this type's search rows."""

    async def search_properties(self, names: Iterable[str]) -> None:
        """Keep search rows for these properties from now on; their rows are built from 0."""

    async def built(self, names: Iterable[str], up_to: int | None) -> None:
        """These properties' rows are built for every record up to `up_to` (None: for all)."""

    async def search_known(self, after: int, limit: int) -> list[tuple[int, dict[str, str]]]:
        """Up to `limit` records with ids above `after`, in id order, each with the properties
        search knows it by: as of its last caught-up write if it lags, else as it is (none for
        an archived record). Held unchanged until this transaction ends."""


@dataclass(frozen=True)
class WindowUsage:
    """A rate-limit key's use before the current request."""

    in_window: int  # hits inside the rolling window
    oldest_ms: int | None  # when the oldest of those hits happened
    today: int  # hits on the current day


class RateCounters(Protocol):
    """Hit counters behind the rate limiter (domain/ratelimit.py), one set per key."""

    async def take(
        self,
        key: str,
        now_ms: int,
        window_ms: int,
        day: int,
        admit: Callable[[WindowUsage], bool],
    ) -> WindowUsage:
        """Atomically read the key's usage and, if admit(usage), record a hit at now_ms."""


class Store(Protocol):
    async def close(self) -> None: ...

    def shared_rate_counters(self) -> RateCounters | None:
        """Counters every process on this database shares, or None to count per process."""

    # Portals and tokens
    async def create_portal(
        self, portal_id: int, created_at: int, schemas: dict[str, list[PropertyDefinition]]
    ) -> bool:
        """Create the portal with these property definitions per object type; False if it exists."""

    async def portal_ids(self) -> list[int]: ...

    async def add_token(
        self,
        portal_id: int,
        token_hash: str,
        scopes: frozenset[str],
        name: str | None,
        created_at: int,
        expires_at: int | None,
    ) -> Token: ...

    async def token_by_hash(self, token_hash: str) -> Token | None: ...

    async def tokens(self, portal_id: int | None = None) -> list[Token]:
        """Every token (of one portal, or of all), ordered by portal and id."""

    async def revoke_token(self, portal_id: int, token_id: int, revoked_at: int) -> bool:
        """Mark the token revoked; False if there is no such live token."""

    # Property definitions
    async def properties_version(self, portal_id: int, object_type: str) -> int: ...

    async def property_definitions(
        self, portal_id: int, object_type: str, *, archived: bool = False
    ) -> list[PropertyDefinition]:
        """Live definitions by name, or with `archived` only the archived ones."""

    async def add_property(
        self, portal_id: int, object_type: str, definition: PropertyDefinition
    ) -> None:
        """Define a property (UniqueViolation if the name is taken) and bump the version."""

    async def update_property(
        self,
        portal_id: int,
        object_type: str,
        definition: PropertyDefinition,
        *,
        archived: bool = False,
    ) -> None:
        """Replace a definition (archiving it with `archived`) and bump the version."""

    # Records
    async def record(self, portal_id: int, object_type: str, record_id: int) -> Record | None: ...

    async def record_by_unique(
        self, portal_id: int, object_type: str, namespace: str, value: str
    ) -> Record | None:
        """The live record holding a unique value."""

    async def records(
        self, portal_id: int, object_type: str, record_ids: Iterable[int]
    ) -> dict[int, Record]: ...

    async def records_by_unique(
        self,
        portal_id: int,
        object_type: str,
        namespace: str,
        values: Iterable[str],
        *,
        archived: bool = False,
    ) -> dict[str, Record]:
        """The live record holding each value; with `archived`, the newest archived one."""

    async def records_page(
        self, portal_id: int, object_type: str, *, after: int, limit: int, archived: bool
    ) -> list[Record]:
        """Up to `limit` live (or archived) records with ids >= `after`, in id order."""

    async def search(self, portal_id: int, object_type: str, query: SearchQuery) -> SearchResult:
        """The ids of one page of live records matching `query`, and how many match in all."""

    async def search_lagging(self) -> list[tuple[int, str]]:
        """Each (portal, object type) with records whose search rows lag behind their writes."""

    async def search_lags(self, portal_id: int, object_type: str) -> bool:
        """Whether any committed write of this portal and type is not yet in its search rows."""

    async def searched_properties(self, portal_id: int, object_type: str) -> dict[str, int | None]:
        """As WriteTransaction.searched_properties, read outside a transaction."""

    async def history(
        self, portal_id: int, object_type: str, record_id: int, properties: Iterable[str]
    ) -> dict[str, list[HistoryEntry]]:
        """Each property's history, newest first."""

    async def transact(
        self,
        portal_id: int,
        object_type: str,
        work: Callable[[WriteTransaction], Awaitable[T]],
    ) -> T:
        """Run `work` in one transaction; return its result once the transaction is durable.

        If `work` raises, none of its writes happen. `work` may run on another thread or event
        loop, and more than once (a store may retry a transaction that lost a race), so it must
        compute only from what the transaction gives it and must not call the store itself.
        """

    # Test controls (the control API)
    async def reset_portal(
        self, portal_id: int, schemas: dict[str, list[PropertyDefinition]]
    ) -> bool:
        """Forget every record, history and property definition of the portal, restore these
        definitions and start each id sequence again from 1; keep the portal and its tokens.
        False if there is no such portal."""

    async def set_next_record_id(
        self, portal_id: int, object_type: str, next_id: int
    ) -> int | None:
        """Make the type's next new record `next_id`, unless a record holds an id at or above
        it. Returns the highest id in use (0 for none), or None if the portal has no such type."""


# --- Backpressure (issue 20): how many writes may wait for the database, and for how long ---


@dataclass(frozen=True)
class Backpressure:
    """Writes beyond `queue_limit` waiting at once (0: no bound), or one that has waited
    `queue_timeout` seconds without starting (0: no bound), are refused with errors.Overloaded
    rather than left to wait: a client is told to come back instead of timing out."""

    queue_limit: int = 256
    queue_timeout: float = 5.0
