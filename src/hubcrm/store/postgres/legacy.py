"""Records newest first by creation or last change, for the legacy APIs' recent lists."""

from __future__ import annotations

from typing import Any

from hubcrm.store.base import Record
from hubcrm.store.postgres.connection import Pooled
from hubcrm.store.postgres.records import RECORD_COLUMNS, decode_record

_ORDERED = frozenset({"created_at", "updated_at"})


class Legacy(Pooled):
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
        where = "portal_id = $1 AND object_type = $2 AND NOT archived"
        params: list[Any] = [portal_id, object_type]
        if since is not None:
            params.append(since)
            where += f" AND {column} >= ${len(params)}"
        past, order = (">", "ASC") if ascending else ("<", "DESC")
        if before is not None:
            params += [before[0], before[1]]
            at, rid = len(params) - 1, len(params)
            where += (
                f" AND ({column} {past} ${at} OR ({column} = ${at} AND record_id {past} ${rid}))"
            )
        total = await self._fetch(f"SELECT COUNT(*) FROM records WHERE {where}", *params)
        n = len(params)
        rows = await self._fetch(
            f"SELECT {RECORD_COLUMNS} FROM records WHERE {where}"
            f" ORDER BY {column} {order}, record_id {order} LIMIT ${n + 1} OFFSET ${n + 2}",
            *params,
            limit,
            offset,
        )
        return [decode_record(row) for row in rows], int(total[0][0])
