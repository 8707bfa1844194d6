"""The domain of CRM records: writes, reads, listing and search, for any object type."""

from hubcrm.domain.records.planning import MAX_BATCH
from hubcrm.domain.records.reads import Found, Page
from hubcrm.domain.records.schema import Schema
from hubcrm.domain.records.service import Records
from hubcrm.domain.records.writes import Actor, Upserted, UpsertOutcome

__all__ = [
    "MAX_BATCH",
    "Actor",
    "Found",
    "Page",
    "Records",
    "Schema",
    "UpsertOutcome",
    "Upserted",
]
