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

from hubcrm.store.base.apps import (
    App,
    AuthCode,
    ClaimedBatch,
    ClaimedEvent,
    DeliveryOutcome,
    DeliveryRecord,
    EventRecord,
    OutboxEvent,
    RefreshToken,
    Subscription,
)
from hubcrm.store.base.associations import Association, AssociationLabel
from hubcrm.store.base.backpressure import Backpressure
from hubcrm.store.base.pipelines import (
    Owner,
    OwnerStore,
    OwnerTeam,
    Pipeline,
    PipelineAudit,
    PipelineStage,
    PipelineStore,
)
from hubcrm.store.base.rates import RateCounters, WindowUsage
from hubcrm.store.base.records import HistoryEntry, Record, RecordWrite, Token
from hubcrm.store.base.schemas import SchemaBuilder, StoredObjectSchema
from hubcrm.store.base.search import (
    RECORD_COLUMNS,
    Condition,
    Operand,
    SearchChange,
    SearchEntries,
    SearchLag,
    SearchQuery,
    SearchResult,
    SearchToken,
    SearchValue,
    SortKey,
)
from hubcrm.store.base.store import Store
from hubcrm.store.base.transaction import WriteTransaction

__all__ = [
    "RECORD_COLUMNS",
    "App",
    "Association",
    "AssociationLabel",
    "AuthCode",
    "Backpressure",
    "ClaimedBatch",
    "ClaimedEvent",
    "Condition",
    "DeliveryOutcome",
    "DeliveryRecord",
    "EventRecord",
    "HistoryEntry",
    "Operand",
    "OutboxEvent",
    "Owner",
    "OwnerStore",
    "OwnerTeam",
    "Pipeline",
    "PipelineAudit",
    "PipelineStage",
    "PipelineStore",
    "RateCounters",
    "Record",
    "RecordWrite",
    "RefreshToken",
    "SchemaBuilder",
    "SearchChange",
    "SearchEntries",
    "SearchLag",
    "SearchQuery",
    "SearchResult",
    "SearchToken",
    "SearchValue",
    "SortKey",
    "Store",
    "StoredObjectSchema",
    "Subscription",
    "Token",
    "WindowUsage",
    "WriteTransaction",
]
