"""The Store: everything the domain asks of a database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol, TypeVar

from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.store.base.apps import (
    App,
    AuthCode,
    ClaimedBatch,
    DeliveryOutcome,
    DeliveryRecord,
    EventRecord,
    RefreshToken,
    Subscription,
)
from hubcrm.store.base.associations import Association, AssociationLabel
from hubcrm.store.base.pipelines import (
    OwnerStore,
    PipelineStore,
)
from hubcrm.store.base.rates import RateCounters
from hubcrm.store.base.records import HistoryEntry, Record, Token
from hubcrm.store.base.schemas import SchemaBuilder, StoredObjectSchema
from hubcrm.store.base.search import (
    SearchQuery,
    SearchResult,
)
from hubcrm.store.base.transaction import WriteTransaction

T = TypeVar("T")


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

    # Operations: readiness and figures for metrics (api/health.py, api/metrics.py)
    async def schema_current(self) -> bool:
        """The database answers and holds every migration this hubcrm knows, and no newer."""

    def gauges(self) -> dict[str, float]:
        """Figures of the moment: `sqlite_writer_queue`, or `postgres_pool_idle`, `_in_use` and
        `_max`. Cheap: read from memory, never from the database."""

    def observe_commit_groups(self, observer: Callable[[int], None]) -> None:
        """Have `observer` told how many write jobs each commit holds (a no-op where commits
        are not grouped)."""

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

    # Legacy APIs: records in order of creation or last change (store/*/legacy.py)
    async def records_recent(
        self,
        portal_id: int,
        object_type: str,
        *,
        column: str,
        since: int | None,
        before: tuple[int, int] | None,
        offset: int,
        limit: int,
        ascending: bool = False,
    ) -> tuple[list[Record], int]:
        """Live records by `column` (`created_at` or `updated_at`) and then id, newest first
        (oldest first with `ascending`): those with `column` >= `since` and (`column`, id)
        past `before` in that order; `offset` of them skipped, at most `limit` returned; and
        how many match before skipping."""

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
