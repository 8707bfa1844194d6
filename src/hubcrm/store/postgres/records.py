"""Reading records: by id, by unique value, a page at a time, and by search; their history; and
records as rows of the records table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from hubcrm.store import history
from hubcrm.store.base import HistoryEntry, Record, SearchQuery, SearchResult
from hubcrm.store.postgres import search as postgres_search
from hubcrm.store.postgres.connection import Pooled, digest, retrying, translated

RECORD_COLUMNS = "record_id, properties, created_at, updated_at, archived, archived_at"

decode_properties = msgspec.json.Decoder(dict[str, str]).decode


def decode_record(row: Any) -> Record:
    return Record(
        record_id=row[0],
        properties=decode_properties(row[1]),
        created_at=row[2],
        updated_at=row[3],
        archived=row[4],
        archived_at=row[5],
    )


class Records(Pooled):
    """Reading records: by id, by unique value, a page at a time, by search; and their history."""

    async def records(
        self, portal_id: int, object_type: str, record_ids: Iterable[int]
    ) -> dict[int, Record]:
        rows = await self._fetch(
            f"SELECT {RECORD_COLUMNS} FROM records WHERE portal_id = $1 AND object_type = $2"
            " AND record_id = ANY($3::bigint[])",
            portal_id,
            object_type,
            list(record_ids),
        )
        return {row[0]: decode_record(row) for row in rows}

    async def records_by_unique(
        self,
        portal_id: int,
        object_type: str,
        namespace: str,
        values: Iterable[str],
        *,
        archived: bool = False,
    ) -> dict[str, Record]:
        table = "archived_unique_values" if archived else "unique_values"
        columns = ", ".join("r." + c for c in RECORD_COLUMNS.split(", "))
        # Several archived records may have held a value: the newest (highest id) wins.
        rows = await self._fetch(
            f"SELECT u.value, {columns} FROM {table} u JOIN records r"
            " ON r.portal_id = u.portal_id AND r.object_type = u.object_type"
            " AND r.record_id = u.record_id WHERE u.portal_id = $1 AND u.object_type = $2"
            " AND u.namespace = $3 AND u.digest = ANY($4::bytea[]) AND r.archived = $5"
            " ORDER BY u.record_id",
            portal_id,
            object_type,
            namespace,
            [digest(value) for value in values],
            archived,
        )
        return {row[0]: decode_record(row[1:]) for row in rows}

    async def records_page(
        self, portal_id: int, object_type: str, *, after: int, limit: int, archived: bool
    ) -> list[Record]:
        rows = await self._fetch(
            f"SELECT {RECORD_COLUMNS} FROM records WHERE portal_id = $1 AND object_type = $2"
            " AND archived = $3 AND record_id >= $4 ORDER BY record_id LIMIT $5",
            portal_id,
            object_type,
            archived,
            after,
            limit,
        )
        return [decode_record(row) for row in rows]

    async def count_records(self, portal_id: int, object_type: str, *, at_most: int) -> int:
        # The LIMIT bounds the walk over the records_by_archived index on a large portal.
        row = await self._fetchrow(
            "SELECT count(*) FROM (SELECT 1 FROM records WHERE portal_id = $1"
            " AND object_type = $2 AND NOT archived LIMIT $3) AS live",
            portal_id,
            object_type,
            at_most,
        )
        assert row is not None
        return int(row[0])

    async def search(self, portal_id: int, object_type: str, query: SearchQuery) -> SearchResult:
        async def attempt() -> SearchResult:
            with translated():
                async with self._reading() as conn:
                    return await postgres_search.run(conn, portal_id, object_type, query)

        return await retrying(attempt)

    async def search_lagging(self) -> list[tuple[int, str]]:
        rows = await self._fetch("SELECT DISTINCT portal_id, object_type FROM search_pending")
        return [(row[0], row[1]) for row in rows]

    async def searched_properties(self, portal_id: int, object_type: str) -> dict[str, int | None]:
        rows = await self._fetch(
            "SELECT property, built_to FROM searched_properties"
            " WHERE portal_id = $1 AND object_type = $2",
            portal_id,
            object_type,
        )
        return {row[0]: row[1] for row in rows}

    async def search_lags(self, portal_id: int, object_type: str) -> bool:
        # In the key's order: read by the key, not by a scan of a table an import left large
        # and empty (migration 0033).
        row = await self._fetchrow(
            "SELECT 1 FROM search_pending WHERE portal_id = $1 AND object_type = $2"
            " ORDER BY record_id LIMIT 1",
            portal_id,
            object_type,
        )
        return row is not None

    async def record(self, portal_id: int, object_type: str, record_id: int) -> Record | None:
        row = await self._fetchrow(
            f"SELECT {RECORD_COLUMNS} FROM records"
            " WHERE portal_id = $1 AND object_type = $2 AND record_id = $3",
            portal_id,
            object_type,
            record_id,
        )
        return decode_record(row) if row else None

    async def record_by_unique(
        self, portal_id: int, object_type: str, namespace: str, value: str
    ) -> Record | None:
        row = await self._fetchrow(
            f"SELECT {RECORD_COLUMNS} FROM records WHERE portal_id = $1 AND object_type = $2"
            " AND record_id = (SELECT record_id FROM unique_values WHERE portal_id = $1"
            " AND object_type = $2 AND namespace = $3 AND digest = $4)",
            portal_id,
            object_type,
            namespace,
            digest(value),
        )
        return decode_record(row) if row else None

    async def history(
        self, portal_id: int, object_type: str, record_id: int, properties: Iterable[str]
    ) -> dict[str, list[HistoryEntry]]:
        rows = await self._fetch(
            "SELECT timestamp, source_type, source_id, changes FROM property_changes"
            " WHERE portal_id = $1 AND object_type = $2 AND record_id = $3"
            " ORDER BY timestamp DESC, seq DESC",
            portal_id,
            object_type,
            record_id,
        )
        return history.entries(rows, properties)
