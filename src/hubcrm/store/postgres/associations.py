"""Associations between records, custom association labels, merge links, and forgetting a record
for good: the transaction's part (TransactionAssociations) and the store's (Associations)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import asyncpg

from hubcrm.store.base import Association, AssociationLabel, Record
from hubcrm.store.errors import UniqueViolation
from hubcrm.store.postgres.connection import Pooled, acquired, translated

_COLUMNS = "from_type, from_id, to_type, to_id, category, type_id, single"
_KEY = "portal_id, from_type, from_id, to_type, to_id, category, type_id"
_LABEL_COLUMNS = "type_id, inverse_type_id, from_type, to_type, name, label, forward"
# Custom label type ids are the portal's own; they start here, clear of HubSpot's defined ids.
FIRST_LABEL_TYPE_ID = 1000

# A page is read as rows in key order, a chunk at a time, then the live ones among their targets
# by primary key: each step a range or key lookup whatever the table statistics say (a join
# planned on a new table's statistics can cost the square of a record's associations).
_ROWS = f"""
SELECT {_COLUMNS} FROM associations
WHERE portal_id = $1 AND from_type = $2 AND from_id = $3 AND to_type = $4 AND to_id >= $5
ORDER BY to_id, category, type_id LIMIT $6
"""
_LIVE = """
SELECT r.record_id FROM unnest($3::bigint[]) AS t (record_id) CROSS JOIN LATERAL (
    SELECT record_id FROM records WHERE portal_id = $1 AND object_type = $2
      AND record_id = t.record_id AND NOT archived) r
"""


def _association(row: Any) -> Association:
    return Association(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))


def _label(row: Any) -> AssociationLabel:
    return AssociationLabel(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))


def _columns(rows: list[Association]) -> list[list[Any]]:
    return [[row[i] for row in rows] for i in range(7)]


class TransactionAssociations:
    """The association and purge side of one write transaction (base.WriteTransaction)."""

    _conn: asyncpg.Connection
    _portal_id: int
    _object_type: str
    _holders: dict[tuple[str, str], int | None]
    _read: dict[int, Record]

    async def associations(
        self, from_ids: Iterable[int], to_type: str | None = None
    ) -> list[Association]:
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM associations WHERE portal_id = $1 AND from_type = $2"
            " AND from_id = ANY($3::bigint[]) AND ($4::text IS NULL OR to_type = $4)"
            f" ORDER BY {_KEY}",
            self._portal_id,
            self._object_type,
            sorted(set(from_ids)),
            to_type,
        )
        return [_association(row) for row in rows]

    async def pairs(self, pairs: Iterable[tuple[int, int]], to_type: str) -> list[Association]:
        wanted = sorted(set(pairs))
        if not wanted:
            return []
        rows = await self._conn.fetch(
            f"SELECT {', '.join('a.' + c for c in _COLUMNS.split(', '))} FROM unnest($4::bigint[],"
            " $5::bigint[]) AS p (from_id, to_id) CROSS JOIN LATERAL (SELECT * FROM associations"
            " x WHERE x.portal_id = $1 AND x.from_type = $2 AND x.from_id = p.from_id"
            " AND x.to_type = $3 AND x.to_id = p.to_id) a",
            self._portal_id,
            self._object_type,
            to_type,
            [p[0] for p in wanted],
            [p[1] for p in wanted],
        )
        return [_association(row) for row in rows]

    async def associate(self, rows: Iterable[Association]) -> None:
        wanted = list(rows)
        if wanted:
            await self._conn.execute(
                f"INSERT INTO associations ({_KEY}, single) SELECT $1::bigint, r.*"
                " FROM unnest($2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[],"
                " $7::int[], $8::boolean[]) AS r"
                f" ON CONFLICT ({_KEY}) DO NOTHING",
                self._portal_id,
                *_columns(wanted),
            )

    async def dissociate(self, rows: Iterable[Association]) -> None:
        wanted = list(rows)
        if wanted:
            await self._conn.execute(
                "DELETE FROM associations a USING unnest($2::text[], $3::bigint[], $4::text[],"
                " $5::bigint[], $6::text[], $7::int[]) AS r (from_type, from_id, to_type, to_id,"
                " category, type_id) WHERE a.portal_id = $1 AND a.from_type = r.from_type"
                " AND a.from_id = r.from_id AND a.to_type = r.to_type AND a.to_id = r.to_id"
                " AND a.category = r.category AND a.type_id = r.type_id",
                self._portal_id,
                *_columns(wanted)[:6],
            )

    async def purge(self, record_ids: Iterable[int]) -> None:
        ids = sorted(set(record_ids))
        args = (self._portal_id, self._object_type, ids)
        within = "WHERE portal_id = $1 AND object_type = $2 AND record_id = ANY($3::bigint[])"
        self._holders.clear()
        self._read.clear()
        # Search forgets the records as it forgets archived ones: it is told what it knew of them.
        await self._conn.execute(
            "INSERT INTO search_pending (portal_id, object_type, record_id, indexed)"
            " SELECT portal_id, object_type, record_id, CASE WHEN NOT archived THEN properties END"
            f" FROM records {within} ON CONFLICT DO NOTHING",
            *args,
        )
        for table in ("records", "unique_values", "archived_unique_values", "property_changes"):
            await self._conn.execute(f"DELETE FROM {table} {within}", *args)
        # Both directions are rows: each row from a record names the row back to it.
        await self._conn.execute(
            "DELETE FROM associations a USING associations b WHERE b.portal_id = $1"
            " AND b.from_type = $2 AND b.from_id = ANY($3::bigint[]) AND a.portal_id = $1"
            " AND a.from_type = b.to_type AND a.from_id = b.to_id AND a.to_type = b.from_type"
            " AND a.to_id = b.from_id",
            *args,
        )
        await self._conn.execute(
            "DELETE FROM associations WHERE portal_id = $1 AND from_type = $2"
            " AND from_id = ANY($3::bigint[])",
            *args,
        )
        await self._conn.execute(
            "DELETE FROM merged_records WHERE portal_id = $1 AND object_type = $2"
            " AND merged_into = ANY($3::bigint[])",
            *args,
        )

    async def link_merged(self, record_id: int, merged_into: int) -> None:
        await self._conn.execute(
            "UPDATE merged_records SET merged_into = $3 WHERE portal_id = $1"
            " AND object_type = $2 AND merged_into = $4",
            self._portal_id,
            self._object_type,
            merged_into,
            record_id,
        )
        await self._conn.execute(
            "INSERT INTO merged_records VALUES ($1, $2, $3, $4) ON CONFLICT (portal_id,"
            " object_type, record_id) DO UPDATE SET merged_into = EXCLUDED.merged_into",
            self._portal_id,
            self._object_type,
            record_id,
            merged_into,
        )


class Associations(Pooled):
    """The store's association reads and label definitions (base.Store)."""

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
        out: list[Association] = []
        targets, start, chunk = 0, after, 2 * limit + 8
        while True:
            rows = [
                _association(row)
                for row in await self._fetch(
                    _ROWS, portal_id, from_type, from_id, to_type, start, chunk
                )
            ]
            full = len(rows) == chunk
            ids = list(dict.fromkeys(row.to_id for row in rows))
            if full and len(ids) == 1:
                chunk *= 2  # one target holds more types than a chunk: read more at once
                continue
            if full:
                start = ids.pop()  # its rows may go on past the chunk: read them next time
            live = {r[0] for r in await self._fetch(_LIVE, portal_id, to_type, ids)}
            for target in ids:
                if target in live:
                    out += [row for row in rows if row.to_id == target]
                    targets += 1
                    if targets == limit:
                        return out
            if not full:
                return out

    async def associations_from(
        self, portal_id: int, from_type: str, from_ids: Iterable[int], to_type: str
    ) -> list[Association]:
        rows = [
            _association(row)
            for row in await self._fetch(
                f"SELECT {', '.join('a.' + c for c in _COLUMNS.split(', '))}"
                " FROM unnest($3::bigint[]) AS f (from_id) CROSS JOIN LATERAL (SELECT * FROM"
                " associations x WHERE x.portal_id = $1 AND x.from_type = $2"
                " AND x.from_id = f.from_id AND x.to_type = $4) a"
                " ORDER BY a.from_id, a.to_id, a.category, a.type_id",
                portal_id,
                from_type,
                sorted(set(from_ids)),
                to_type,
            )
        ]
        targets = sorted({row.to_id for row in rows})
        live = {r[0] for r in await self._fetch(_LIVE, portal_id, to_type, targets)}
        return [row for row in rows if row.to_id in live]

    async def merged_into(
        self, portal_id: int, object_type: str, record_ids: Iterable[int]
    ) -> dict[int, int]:
        rows = await self._fetch(
            "SELECT record_id, merged_into FROM merged_records WHERE portal_id = $1"
            " AND object_type = $2 AND record_id = ANY($3::bigint[])",
            portal_id,
            object_type,
            sorted(set(record_ids)),
        )
        return {row[0]: row[1] for row in rows}

    async def association_labels(self, portal_id: int) -> list[AssociationLabel]:
        rows = await self._fetch(
            f"SELECT {_LABEL_COLUMNS} FROM association_labels WHERE portal_id = $1"
            " ORDER BY type_id",
            portal_id,
        )
        return [_label(row) for row in rows]

    async def add_association_labels(
        self,
        portal_id: int,
        from_type: str,
        to_type: str,
        name: str,
        label: str,
        inverse_label: str | None,
    ) -> tuple[AssociationLabel, AssociationLabel]:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                taken = await conn.fetchval(
                    "SELECT 1 FROM association_labels WHERE portal_id = $1 AND from_type = $2"
                    " AND to_type = $3 AND name = $4 AND forward",
                    portal_id,
                    from_type,
                    to_type,
                    name,
                )
                if taken:
                    raise UniqueViolation(f"association label {name} exists")
                highest = await conn.fetchval(
                    "SELECT COALESCE(MAX(type_id), $2) FROM association_labels"
                    " WHERE portal_id = $1",
                    portal_id,
                    FIRST_LABEL_TYPE_ID - 1,
                )
                forward = AssociationLabel(
                    highest + 1, highest + 2, from_type, to_type, name, label, True
                )
                inverse = AssociationLabel(
                    highest + 2,
                    highest + 1,
                    to_type,
                    from_type,
                    name,
                    label if inverse_label is None else inverse_label,
                    False,
                )
                await conn.executemany(
                    "INSERT INTO association_labels VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    [
                        (
                            portal_id,
                            x.type_id,
                            x.from_type,
                            x.to_type,
                            x.inverse_type_id,
                            x.name,
                            x.label,
                            x.forward,
                        )
                        for x in (forward, inverse)
                    ],
                )
                return forward, inverse

    async def update_association_labels(
        self, portal_id: int, type_id: int, label: str, inverse_label: str | None
    ) -> None:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                await conn.execute(
                    "UPDATE association_labels SET label = $3 WHERE portal_id = $1"
                    " AND type_id = $2",
                    portal_id,
                    type_id,
                    label,
                )
                if inverse_label is not None:
                    await conn.execute(
                        "UPDATE association_labels SET label = $3 WHERE portal_id = $1"
                        " AND type_id = (SELECT inverse_type_id FROM association_labels"
                        " WHERE portal_id = $1 AND type_id = $2)",
                        portal_id,
                        type_id,
                        inverse_label,
                    )

    async def remove_association_labels(self, portal_id: int, type_id: int) -> None:
        await self._fetch(
            "DELETE FROM association_labels WHERE portal_id = $1 AND type_id IN"
            " (SELECT type_id FROM association_labels WHERE portal_id = $1 AND type_id = $2"
            " UNION SELECT inverse_type_id FROM association_labels WHERE portal_id = $1"
            " AND type_id = $2) RETURNING 1",
            portal_id,
            type_id,
        )

    async def association_label_used(self, portal_id: int, label: AssociationLabel) -> bool:
        row = await self._fetchrow(
            "SELECT 1 FROM associations WHERE portal_id = $1 AND from_type = $2"
            " AND category = 'USER_DEFINED' AND type_id = $3 LIMIT 1",
            portal_id,
            label.from_type,
            label.type_id,
        )
        return row is not None
