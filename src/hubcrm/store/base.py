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


# Apps and webhooks (domain/apps.py, domain/oauth.py, domain/webhooks/)


@dataclass(frozen=True)
class App:
    app_id: int
    developer_portal_id: int
    name: str
    client_id: str
    client_secret: str  # kept recoverable: webhook signatures are keyed with it
    developer_key_hash: str  # the SHA-256 of the developer API key
    scopes: frozenset[str]
    redirect_uris: tuple[str, ...]
    created_at: int
    target_url: str | None = None
    max_concurrent: int = 10
    settings_created_at: int | None = None
    settings_updated_at: int | None = None


@dataclass(frozen=True)
class AuthCode:
    app_id: int
    hub_id: int
    redirect_uri: str
    scopes: frozenset[str]
    expires_at: int
    used_at: int | None


@dataclass(frozen=True)
class RefreshToken:
    app_id: int
    hub_id: int
    scopes: frozenset[str]
    created_at: int
    revoked_at: int | None


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    app_id: int
    event_type: str  # as subscribed: contact.creation, object.propertyChange, ...
    action: str  # creation, propertyChange, ...
    object_type_id: str  # 0-1, ...
    property_name: str  # "" unless a propertyChange
    active: bool
    created_at: int
    updated_at: int


@dataclass(frozen=True)
class OutboxEvent:
    """One event for one subscription, as a write records it."""

    app_id: int
    subscription_id: int
    event_type: str
    occurred_at: int
    fields: dict[str, object]  # the payload's other fields (objectId, propertyName, ...), in order


@dataclass(frozen=True)
class ClaimedEvent:
    event_id: int
    subscription_id: int
    event_type: str
    occurred_at: int
    fields: dict[str, object]
    attempt: int  # this delivery's attemptNumber: 0 first, then one more per retry


@dataclass(frozen=True)
class ClaimedBatch:
    """Events of one app and portal claimed for one POST, held until `claimed_until`."""

    delivery_id: int
    portal_id: int
    app_id: int
    url: str
    client_secret: str
    events: list[ClaimedEvent]


@dataclass(frozen=True)
class DeliveryOutcome:
    delivery_id: int
    finished_at: int
    status: int | None  # the HTTP status answered, None if there was no answer
    error: str | None
    response: str | None
    delivered: bool
    retry_at: dict[int, int | None]  # undelivered event id -> when to try again (None: drop)


@dataclass(frozen=True)
class DeliveryRecord:
    delivery_id: int
    portal_id: int
    app_id: int
    url: str
    events: list[tuple[int, int]]  # (event id, attemptNumber)
    started_at: int
    finished_at: int | None
    status: int | None
    error: str | None
    response: str | None


@dataclass(frozen=True)
class EventRecord:
    event_id: int
    portal_id: int
    app_id: int
    subscription_id: int
    event_type: str
    occurred_at: int
    fields: dict[str, object]
    state: str  # pending, delivered, dropped
    attempts: int
    due_at: int


# Associations, merges and permanent deletion (store/*/associations.py)


class Association(NamedTuple):
    """One direction of an association of one type between two records of one portal."""

    from_type: str
    from_id: int
    to_type: str
    to_id: int
    category: str  # HUBSPOT_DEFINED, USER_DEFINED
    type_id: int
    # A type a record may hold towards one record only (one primary company): the database
    # refuses a second such row for the same record, type and target object type.
    single: bool = False


@dataclass(frozen=True)
class AssociationLabel:
    """A custom (USER_DEFINED) association type of a portal, in one direction."""

    type_id: int
    inverse_type_id: int
    from_type: str
    to_type: str
    name: str
    label: str | None
    forward: bool  # the direction the label was created in


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

    # Webhooks: events are recorded with the write that caused them (domain/webhooks/events.py)
    async def webhook_subscriptions(self) -> list[Subscription]:
        """Active subscriptions of the apps installed in this portal that have a target URL."""

    async def record_webhook_events(self, events: list[OutboxEvent], due_at: int) -> None:
        """Put events in the outbox, due for delivery at `due_at` (wall clock, epoch ms)."""

    # Associations, merges and permanent deletion

    def of(self, object_type: str) -> WriteTransaction:
        """This same transaction, reading and writing records of another object type."""

    async def associations(
        self, from_ids: Iterable[int], to_type: str | None = None
    ) -> list[Association]:
        """Every association from these records of this type (to one type, or to any), whatever
        the state of the record at the other end."""

    async def pairs(self, pairs: Iterable[tuple[int, int]], to_type: str) -> list[Association]:
        """The associations between these (record of this type, record of `to_type`) pairs."""

    async def associate(self, rows: Iterable[Association]) -> None:
        """Add these rows; rows that exist already are kept as they are."""

    async def dissociate(self, rows: Iterable[Association]) -> None:
        """Remove these rows (exactly these; absent ones are ignored)."""

    async def purge(self, record_ids: Iterable[int]) -> None:
        """Forget these records of this type for good: the records, their unique values (live
        and archived), history, search rows, associations in both directions, and the ids
        merged into them (which then resolve to nothing)."""

    async def link_merged(self, record_id: int, merged_into: int) -> None:
        """From now on `record_id`, and every id merged into it before, resolves to
        `merged_into`."""


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


@dataclass(frozen=True)
class StoredObjectSchema:
    """A custom object schema as stored: its type id ("2-<n>"), name, and JSON definition."""

    object_type: str
    name: str
    definition: bytes
    archived: bool = False


# Builds a new custom object schema once its type id is known: (definition, property definitions).
SchemaBuilder = Callable[[str], tuple[bytes, list[PropertyDefinition]]]


# Pipelines and owners (store/sqlite/pipelines.py, owners.py and their PostgreSQL twins)


@dataclass(frozen=True)
class PipelineStage:
    stage_id: str
    label: str
    display_order: int
    metadata: dict[str, str]
    write_permissions: str
    created_at: int
    updated_at: int
    archived_at: int | None = None


@dataclass(frozen=True)
class Pipeline:
    pipeline_id: str
    label: str
    display_order: int
    stages: tuple[PipelineStage, ...]  # archived ones too
    created_at: int
    updated_at: int
    archived_at: int | None = None


@dataclass(frozen=True)
class PipelineAudit:
    """One change of a pipeline (stage_id "") or of one of its stages."""

    pipeline_id: str
    stage_id: str
    action: str
    timestamp: int
    raw_object: str  # the pipeline or stage after the change, as JSON


@dataclass(frozen=True)
class OwnerTeam:
    team_id: str
    name: str
    primary: bool


@dataclass(frozen=True)
class Owner:
    owner_id: int
    user_id: int
    email: str
    first_name: str
    last_name: str
    owner_type: str  # PERSON or QUEUE
    teams: tuple[OwnerTeam, ...]
    created_at: int
    updated_at: int
    archived_at: int | None = None


class PipelineStore(Protocol):
    async def pipelines(self, portal_id: int, object_type: str) -> list[Pipeline] | None:
        """Every pipeline of the type, archived ones too, by id; None until they are seeded."""

    async def seed_pipelines(
        self, portal_id: int, object_type: str, pipelines: list[Pipeline], next_id: int
    ) -> None:
        """Write these pipelines unless the type's pipelines were seeded already."""

    async def allocate_pipeline_ids(
        self, portal_id: int, object_type: str, count: int
    ) -> list[int]:
        """Ids no pipeline or stage of the (seeded) type has had."""

    async def save_pipeline(
        self, portal_id: int, object_type: str, pipeline: Pipeline, audits: list[PipelineAudit]
    ) -> None:
        """Write the pipeline with exactly these stages, and append the audit entries."""

    async def pipeline_audits(
        self, portal_id: int, object_type: str, pipeline_id: str, stage_id: str | None = None
    ) -> list[PipelineAudit]:
        """The pipeline's audit entries (only one stage's with `stage_id`), oldest first."""


class OwnerStore(Protocol):
    async def owners(self, portal_id: int) -> list[Owner]:
        """Every owner of the portal, archived ones too, by id."""

    async def add_owner(self, portal_id: int, owner: Owner) -> None:
        """Add the owner; UniqueViolation if its id, user id or (live) email is taken."""

    async def update_owner(self, portal_id: int, owner: Owner) -> bool:
        """Replace the owner with its id; False if there is none."""


class Store(PipelineStore, OwnerStore, Protocol):
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

    async def count_records(self, portal_id: int, object_type: str, *, at_most: int) -> int:
        """How many live records the type has, counting no further than `at_most`."""

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

    # Associations (store/*/associations.py)
    async def associations_page(
        self,
        portal_id: int,
        from_type: str,
        from_id: int,
        to_type: str,
        *,
        after: int,
        limit: int,
    ) -> list[Association]:
        """The associations from one record to the first `limit` live records of `to_type` with
        ids >= `after`, in the order of their ids (every type of each)."""

    async def associations_from(
        self, portal_id: int, from_type: str, from_ids: Iterable[int], to_type: str
    ) -> list[Association]:
        """Every association from these records to live records of `to_type`, in key order."""

    async def merged_into(
        self, portal_id: int, object_type: str, record_ids: Iterable[int]
    ) -> dict[int, int]:
        """The record each of these merged-away ids now resolves to (others are left out)."""

    async def association_labels(self, portal_id: int) -> list[AssociationLabel]:
        """Every custom association label of the portal, both directions of each."""

    async def add_association_labels(
        self,
        portal_id: int,
        from_type: str,
        to_type: str,
        name: str,
        label: str,
        inverse_label: str | None,
    ) -> tuple[AssociationLabel, AssociationLabel]:
        """Define a label and its inverse with new type ids (UniqueViolation if the name is
        taken for the pair); the forward direction first."""

    async def update_association_labels(
        self, portal_id: int, type_id: int, label: str, inverse_label: str | None
    ) -> None:
        """Rename a label (and its inverse, when `inverse_label` is given)."""

    async def remove_association_labels(self, portal_id: int, type_id: int) -> None:
        """Delete a label and its inverse."""

    async def association_label_used(self, portal_id: int, label: AssociationLabel) -> bool:
        """Whether any association holds this label (or its inverse)."""

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

    # Custom object schemas (the schemas API)
    async def schemas_version(self, portal_id: int) -> int:
        """Moves on whenever the portal's custom schemas change, or the portal is reset."""

    async def object_schemas(self, portal_id: int) -> list[StoredObjectSchema]:
        """Every custom object schema of the portal, archived ones too, in type id order."""

    async def add_object_schema(
        self, portal_id: int, name: str, build: SchemaBuilder
    ) -> StoredObjectSchema:
        """Allocate the next type id, store `build(type_id)` and its property definitions with
        an id sequence from 1, and bump the version. UniqueViolation if the name is taken."""

    async def update_object_schema(
        self, portal_id: int, object_type: str, definition: bytes, *, archived: bool
    ) -> None:
        """Replace a schema's definition (archiving it with `archived`) and bump the version."""

    async def purge_object_schema(self, portal_id: int, object_type: str) -> None:
        """Forget an archived schema, freeing its name, and bump the version."""

    # Apps (the developer account's, not a portal's data: a portal reset keeps them)
    async def create_app(
        self,
        developer_portal_id: int,
        name: str,
        client_id: str,
        client_secret: str,
        developer_key_hash: str,
        scopes: frozenset[str],
        redirect_uris: tuple[str, ...],
        created_at: int,
    ) -> App:
        """A new app, installed in its developer portal."""

    async def app(self, app_id: int) -> App | None: ...

    async def app_by_client_id(self, client_id: str) -> App | None: ...

    async def apps(self, developer_portal_id: int | None = None) -> list[App]: ...

    async def delete_app(self, app_id: int) -> bool:
        """Forget the app, its installs, subscriptions, codes and refresh tokens."""

    async def install_app(self, app_id: int, hub_id: int, installed_at: int) -> None: ...

    async def set_webhook_settings(
        self, app_id: int, target_url: str | None, max_concurrent: int, at: int
    ) -> App | None: ...

    # OAuth
    async def add_auth_code(
        self,
        code_hash: str,
        app_id: int,
        hub_id: int,
        redirect_uri: str,
        scopes: frozenset[str],
        expires_at: int,
    ) -> None: ...

    async def auth_code(self, code_hash: str) -> AuthCode | None: ...

    async def use_auth_code(self, code_hash: str, used_at: int) -> bool:
        """Mark the code used; False if it was used already (a code works once)."""

    async def add_refresh_token(
        self, token_hash: str, app_id: int, hub_id: int, scopes: frozenset[str], created_at: int
    ) -> None: ...

    async def refresh_token(self, token_hash: str) -> RefreshToken | None: ...

    async def revoke_refresh_token(self, token_hash: str, revoked_at: int) -> bool: ...

    async def add_app_token(
        self,
        portal_id: int,
        token_hash: str,
        scopes: frozenset[str],
        app_id: int,
        created_at: int,
        expires_at: int,
    ) -> Token:
        """An OAuth access token of an app, stored with every other token."""

    # Webhook subscriptions
    async def subscriptions(self, app_id: int) -> list[Subscription]: ...

    async def add_subscription(
        self,
        app_id: int,
        event_type: str,
        action: str,
        object_type_id: str,
        property_name: str,
        active: bool,
        at: int,
    ) -> Subscription: ...

    async def set_subscriptions_active(
        self, app_id: int, active: dict[int, bool], at: int
    ) -> list[Subscription]:
        """Set `active` on the app's subscriptions named; return those that exist, updated."""

    async def delete_subscription(self, app_id: int, subscription_id: int) -> bool: ...

    # Webhook delivery: the outbox
    async def webhook_events_due(self, now: int) -> bool:
        """Whether any pending event is due and unclaimed (a read: cheap to poll)."""

    async def claim_webhook_events(
        self, now: int, lease_ms: int, *, due_before: int, batch_size: int, batches: int
    ) -> list[ClaimedBatch]:
        """Claim up to `batches` batches of up to `batch_size` pending events due before
        `due_before`, one app and portal each, never more batches in flight for an app and portal
        than its max_concurrent. A claimed event is nobody else's until `now + lease_ms`; each
        claim starts an attempt (so an attempt cut short by a crash counts)."""

    async def finish_webhook_delivery(self, outcome: DeliveryOutcome) -> None: ...

    async def webhook_deliveries(self, portal_id: int) -> list[DeliveryRecord]: ...

    async def webhook_events(self, portal_id: int) -> list[EventRecord]: ...

    # Pages of them, newest first, for the web UI (ids below `before`, when given)
    async def webhook_deliveries_page(
        self, portal_id: int, *, before: int | None, limit: int
    ) -> list[DeliveryRecord]: ...

    async def webhook_events_page(
        self, portal_id: int, *, before: int | None, limit: int
    ) -> list[EventRecord]: ...

    # Operations: readiness and figures for metrics (api/health.py, api/metrics.py)
    async def schema_current(self) -> bool:
        """The database answers and holds every migration this hubcrm knows, and no newer."""

    def gauges(self) -> dict[str, float]:
        """Figures of the moment: `sqlite_writer_queue`, or `postgres_pool_idle`, `_in_use` and
        `_max`. Cheap: read from memory, never from the database."""

    def observe_commit_groups(self, observer: Callable[[int], None]) -> None:
        """Have `observer` told how many write jobs each commit holds (a no-op where commits
        are not grouped)."""


# --- Backpressure (issue 20): how many writes may wait for the database, and for how long ---


@dataclass(frozen=True)
class Backpressure:
    """Writes beyond `queue_limit` waiting at once (0: no bound), or one that has waited
    `queue_timeout` seconds without starting (0: no bound), are refused with errors.Overloaded
    rather than left to wait: a client is told to come back instead of timing out."""

    queue_limit: int = 256
    queue_timeout: float = 5.0
