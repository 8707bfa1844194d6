"""Reading records, the values they hold uniquely, their history, and searching them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from hubcrm.store import history
from hubcrm.store.base import (
    HistoryEntry,
    Record,
    SearchQuery,
    SearchResult,
)
from hubcrm.store.sqlite import search
from hubcrm.store.sqlite.connection import decode_properties, encode
from hubcrm.store.sqlite.writer import Connections

RECORD_COLUMNS = "record_id, properties, created_at, updated_at, archived, archived_at"


def record_from_row(row: tuple[Any, ...]) -> Record:
    return Record(
        record_id=row[0],
        properties=decode_properties(row[1]),
        created_at=row[2],
        updated_at=row[3],
        archived=bool(row[4]),
        archived_at=row[5],
    )


RECORD_COLUMNS_R = ", ".join("r." + name for name in RECORD_COLUMNS.split(", "))


def searched_properties(
    conn: sqlite3.Connection, portal_id: int, object_type: str
) -> dict[str, int | None]:
    rows = conn.execute(
        "SELECT property, built_to FROM searched_properties"
        " WHERE portal_id = ? AND object_type = ?",
        (portal_id, object_type),
    )
    return dict(rows.fetchall())


def records_by_id(
    conn: sqlite3.Connection, portal_id: int, object_type: str, wanted: bytes
) -> dict[int, Record]:
    rows = conn.execute(
        f"SELECT {RECORD_COLUMNS} FROM records WHERE portal_id = ? AND object_type = ?"
        " AND record_id IN (SELECT value FROM json_each(?))",
        (portal_id, object_type, wanted),
    )
    return {row[0]: record_from_row(row) for row in rows}


class Records(Connections):
    async def record(self, portal_id: int, object_type: str, record_id: int) -> Record | None:
        def find(conn: sqlite3.Connection) -> Record | None:
            row = conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM records"
                " WHERE portal_id = ? AND object_type = ? AND record_id = ?",
                (portal_id, object_type, record_id),
            ).fetchone()
            return record_from_row(row) if row else None

        return await self._reader.run(find)

    async def record_by_unique(
        self, portal_id: int, object_type: str, namespace: str, value: str
    ) -> Record | None:
        def find(conn: sqlite3.Connection) -> Record | None:
            row = conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM records WHERE portal_id = ? AND object_type = ?"
                " AND record_id = (SELECT record_id FROM unique_values WHERE portal_id = ?"
                " AND object_type = ? AND namespace = ? AND value = ?)",
                (portal_id, object_type, portal_id, object_type, namespace, value),
            ).fetchone()
            return record_from_row(row) if row else None

        return await self._reader.run(find)

    async def records(
        self, portal_id: int, object_type: str, record_ids: Iterable[int]
    ) -> dict[int, Record]:
        wanted = encode(list(record_ids))
        return await self._reader.run(
            lambda conn: records_by_id(conn, portal_id, object_type, wanted)
        )

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
        wanted = encode(list(values))

        def find(conn: sqlite3.Connection) -> dict[str, Record]:
            # Several archived records may have held a value: the newest (highest id) wins.
            rows = conn.execute(
                f"SELECT u.value, {RECORD_COLUMNS_R} FROM {table} u CROSS JOIN records r"
                " ON r.portal_id = u.portal_id AND r.object_type = u.object_type"
                " AND r.record_id = u.record_id WHERE u.portal_id = ? AND u.object_type = ?"
                " AND u.namespace = ? AND u.value IN (SELECT value FROM json_each(?))"
                " AND r.archived = ?",
                (portal_id, object_type, namespace, wanted, int(archived)),
            )
            # CROSS JOIN keeps SQLite looking each value up first, and sorting here keeps it from
            # walking the portal's whole by-record index to save a sort: either way round, a
            # read by email would cost the size of the portal.
            ordered = sorted(rows, key=lambda row: int(row[1]))
            return {row[0]: record_from_row(row[1:]) for row in ordered}

        return await self._reader.run(find)

    async def records_page(
        self, portal_id: int, object_type: str, *, after: int, limit: int, archived: bool
    ) -> list[Record]:
        def page(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM records WHERE portal_id = ? AND object_type = ?"
                " AND archived = ? AND record_id >= ? ORDER BY record_id LIMIT ?",
                (portal_id, object_type, int(archived), after, limit),
            )
            return [record_from_row(row) for row in rows]

        return await self._reader.run(page)

    async def count_records(self, portal_id: int, object_type: str, *, at_most: int) -> int:
        # The LIMIT bounds the walk over the records_by_archived index on a large portal.
        sql = (
            "SELECT count(*) FROM (SELECT 1 FROM records WHERE portal_id = ? AND object_type = ?"
            " AND archived = 0 LIMIT ?)"
        )
        args = (portal_id, object_type, at_most)
        return await self._reader.run(lambda conn: int(conn.execute(sql, args).fetchone()[0]))

    async def search(self, portal_id: int, object_type: str, query: SearchQuery) -> SearchResult:
        return await self._reader.run(lambda conn: search.run(conn, portal_id, object_type, query))

    async def search_lagging(self) -> list[tuple[int, str]]:
        sql = "SELECT DISTINCT portal_id, object_type FROM search_pending"
        return await self._reader.run(lambda conn: [(row[0], row[1]) for row in conn.execute(sql)])

    async def searched_properties(self, portal_id: int, object_type: str) -> dict[str, int | None]:
        return await self._reader.run(
            lambda conn: searched_properties(conn, portal_id, object_type)
        )

    async def search_lags(self, portal_id: int, object_type: str) -> bool:
        return await self._reader.run(
            lambda conn: (
                conn.execute(
                    "SELECT 1 FROM search_pending WHERE portal_id = ? AND object_type = ? LIMIT 1",
                    (portal_id, object_type),
                ).fetchone()
                is not None
            )
        )

    async def history(
        self, portal_id: int, object_type: str, record_id: int, properties: Iterable[str]
    ) -> dict[str, list[HistoryEntry]]:
        names = list(properties)

        def read(conn: sqlite3.Connection) -> dict[str, list[HistoryEntry]]:
            rows = conn.execute(
                "SELECT timestamp, source_type, source_id, changes FROM property_changes"
                " WHERE portal_id = ? AND object_type = ? AND record_id = ?"
                " ORDER BY timestamp DESC, rowid DESC",
                (portal_id, object_type, record_id),
            )
            return history.entries(rows, names)

        return await self._reader.run(read)
