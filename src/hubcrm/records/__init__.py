"""The domain of CRM records: writes, reads, listing and search, for any object type."""

from hubcrm.records.schema import Schema
from hubcrm.records.service import MAX_BATCH, Found, Page, Records
from hubcrm.records.writes import Actor, Upserted, UpsertOutcome

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
