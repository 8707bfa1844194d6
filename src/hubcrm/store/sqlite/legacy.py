"""Records newest first by creation or last change, for the legacy APIs' recent lists."""

from __future__ import annotations

import sqlite3
from typing import Any

from hubcrm.store.base import Record
from hubcrm.store.sqlite.records import RECORD_COLUMNS, record_from_row
from hubcrm.store.sqlite.writer import Connections

_ORDERED = frozenset({"created_at", "updated_at"})


class Legacy(Connections):
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
        if column not in _ORDERED:
            raise ValueError(f"not an ordering column: {column}")
        where = "portal_id = ? AND object_type = ? AND archived = 0"
        params: list[Any] = [portal_id, object_type]
        if since is not None:
            where += f" AND {column} >= ?"
            params.append(since)
        past, order = (">", "ASC") if ascending else ("<", "DESC")
        if before is not None:
            where += f" AND ({column} {past} ? OR ({column} = ? AND record_id {past} ?))"
            params += [before[0], before[0], before[1]]

        def read(conn: sqlite3.Connection) -> tuple[list[Record], int]:
            total = conn.execute(f"SELECT COUNT(*) FROM records WHERE {where}", params).fetchone()
            rows = conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM records WHERE {where}"
                f" ORDER BY {column} {order}, record_id {order} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
            return [record_from_row(row) for row in rows], int(total[0])

        return await self._reader.run(read)
