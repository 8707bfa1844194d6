"""Reading records for the legacy views: a page by id, the most recent first, one by id; their
property histories and associations. The same records, history and associations v3 serves.

Paging (hubspot-legacy-apis.md §2.4): `paged` endpoints ascend by id and their offset is the
last id returned, so records written between pages are neither skipped nor repeated (new ones
get higher ids). `recent/*` endpoints descend by creation or last change and their offset is a
position in that order, as HubSpot's is: a record changed mid-walk moves to the front, and the
records behind it shift by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hubcrm.domain.clock import portal_clock
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import Records
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ObjectNotFound, ValidationError
from hubcrm.protocol.legacy import LegacyNotFound
from hubcrm.store.base import HistoryEntry, Record

# Documented limits (D-LEG pages): above the maximum a request gets the maximum (hubcrm's
# choice: HubSpot's answer past it is not captured; docs/fidelity.md).
PAGED_DEFAULT, PAGED_MAX = 100, 250
RECENT_DEFAULT, RECENT_MAX = 20, 100
# recent/*: only records of the last 30 days, and at most the 10,000 most recent.
RECENT_WINDOW_MS = 30 * 86_400_000
RECENT_MAX_TOTAL = 10_000
# Association lists: the object types each legacy key lists, by type id.
ASSOCIATED = {"0-1": "contacts", "0-2": "companies", "0-3": "deals", "0-5": "tickets"}


def size(asked: int | None, default: int, maximum: int) -> int:
    if asked is None or asked < 1:
        return default
    return min(asked, maximum)


@dataclass(frozen=True)
class Paged:
    records: list[Record]
    has_more: bool
    offset: int


@dataclass(frozen=True)
class Recent:
    records: list[Record]
    has_more: bool
    offset: int
    total: int


class LegacyRecords:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.store = records.store

    async def paged(
        self, portal_id: int, kind: ObjectType, *, offset: int | None, limit: int | None
    ) -> Paged:
        count = size(limit, PAGED_DEFAULT, PAGED_MAX)
        start = 0 if offset is None else max(offset, 0) + 1
        rows = await self.store.records_page(
            portal_id, kind.type_id, after=start, limit=count + 1, archived=False
        )
        shown = rows[:count]
        # On the last (or an empty) page the offset stays an integer: clients parse it.
        last = shown[-1].record_id if shown else (offset or 0)
        return Paged(shown, len(rows) > count, last)

    async def recent(
        self,
        portal_id: int,
        kind: ObjectType,
        *,
        created: bool,
        since: int | None,
        offset: int | None,
        count: int | None,
    ) -> Recent:
        now = portal_clock(self.records.clock, portal_id).now_ms()
        window = now - RECENT_WINDOW_MS
        start = max(offset or 0, 0)
        wanted = min(size(count, RECENT_DEFAULT, RECENT_MAX), max(RECENT_MAX_TOTAL - start, 0))
        rows, total = await self.store.records_recent(
            portal_id,
            kind.type_id,
            column="created_at" if created else "updated_at",
            since=max(since or 0, window),
            before=None,
            offset=start,
            limit=wanted,
        )
        total = min(total, RECENT_MAX_TOTAL)
        end = start + len(rows)
        return Recent(rows, end < total, end, total)

    async def one(self, portal_id: int, kind: ObjectType, record_ref: str) -> Record:
        """A live record by id (a merged-away id reads as the record it became), else 404."""
        try:
            return await self.records.get(portal_id, kind, record_ref)
        except (ObjectNotFound, ValidationError):
            raise LegacyNotFound(messages.LEGACY_NOT_FOUND) from None

    async def history(
        self, portal_id: int, kind: ObjectType, record: Record, names: Iterable[str]
    ) -> dict[str, list[HistoryEntry]]:
        return await self.store.history(portal_id, kind.type_id, record.record_id, names)

    async def associated(
        self, portal_id: int, kind: ObjectType, record_ids: list[int]
    ) -> dict[int, dict[str, list[int]]]:
        """For each record, the ids of the live contacts, companies, deals and tickets it is
        associated with (by type id), ascending."""
        found: dict[int, dict[str, list[int]]] = {
            rid: {t: [] for t in ASSOCIATED} for rid in record_ids
        }
        if not record_ids:
            return found
        for to_type in ASSOCIATED:
            rows = await self.store.associations_from(portal_id, kind.type_id, record_ids, to_type)
            for row in rows:
                ids = found[row.from_id][to_type]
                if row.to_id not in ids:
                    ids.append(row.to_id)
        for by_type in found.values():
            for ids in by_type.values():
                ids.sort()
        return found
