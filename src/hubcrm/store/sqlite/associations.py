"""Associations between records, custom association labels, merge links, and forgetting a record
for good: the transaction's part (TransactionAssociations) and the store's (Associations)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from hubcrm.store.base import Association, AssociationLabel
from hubcrm.store.errors import UniqueViolation
from hubcrm.store.sqlite.connection import encode
from hubcrm.store.sqlite.writer import Connections

_COLUMNS = "from_type, from_id, to_type, to_id, category, type_id, single"
_KEY = "portal_id, from_type, from_id, to_type, to_id, category, type_id"
_LABEL_COLUMNS = "type_id, inverse_type_id, from_type, to_type, name, label, forward"
# Custom label type ids are the portal's own; they start here, clear of HubSpot's defined ids.
FIRST_LABEL_TYPE_ID = 1000


def _association(row: Any) -> Association:
    return Association(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))


def _label(row: Any) -> AssociationLabel:
    return AssociationLabel(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))


class TransactionAssociations:
    """The association and purge side of one write transaction (base.WriteTransaction)."""

    _conn: sqlite3.Connection
    _key: tuple[int, str]

    async def associations(
        self, from_ids: Iterable[int], to_type: str | None = None
    ) -> list[Association]:
        sql = (
            f"SELECT {_COLUMNS} FROM associations WHERE portal_id = ? AND from_type = ?"
            " AND from_id IN (SELECT value FROM json_each(?))"
        )
        args: list[Any] = [*self._key, encode(sorted(set(from_ids)))]
        if to_type is not None:
            sql += " AND to_type = ?"
            args.append(to_type)
        rows = self._conn.execute(sql + f" ORDER BY {_KEY}", args)
        return [_association(row) for row in rows]

    async def pairs(self, pairs: Iterable[tuple[int, int]], to_type: str) -> list[Association]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM associations WHERE portal_id = ? AND from_type = ?"
            " AND to_type = ? AND (from_id, to_id) IN (SELECT json_extract(value, '$[0]'),"
            f" json_extract(value, '$[1]') FROM json_each(?)) ORDER BY {_KEY}",
            (*self._key, to_type, encode(sorted(set(pairs)))),
        )
        return [_association(row) for row in rows]

    async def associate(self, rows: Iterable[Association]) -> None:
        self._conn.executemany(
            "INSERT INTO associations VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT ({_KEY}) DO NOTHING",
            [(self._key[0], *row[:6], int(row.single)) for row in rows],
        )

    async def dissociate(self, rows: Iterable[Association]) -> None:
        self._conn.executemany(
            "DELETE FROM associations WHERE portal_id = ? AND from_type = ? AND from_id = ?"
            " AND to_type = ? AND to_id = ? AND category = ? AND type_id = ?",
            [(self._key[0], *row[:6]) for row in rows],
        )

    async def purge(self, record_ids: Iterable[int]) -> None:
        portal_id, object_type = self._key
        conn = self._conn
        ids = encode(sorted(set(record_ids)))
        args = (portal_id, object_type, ids)
        within = (
            "WHERE portal_id = ? AND object_type = ?"
            " AND record_id IN (SELECT value FROM json_each(?))"
        )
        # Search forgets the records as it forgets archived ones: it is told what it knew of them.
        conn.execute(
            "INSERT OR IGNORE INTO search_pending SELECT portal_id, object_type, record_id,"
            f" CASE WHEN archived = 0 THEN properties END FROM records {within}",
            args,
        )
        for table in ("records", "unique_values", "archived_unique_values", "property_changes"):
            conn.execute(f"DELETE FROM {table} {within}", args)
        # Both directions are rows: each row from a record names the row back to it.
        conn.execute(
            "DELETE FROM associations WHERE (portal_id, from_type, from_id, to_type, to_id) IN"
            " (SELECT portal_id, to_type, to_id, from_type, from_id FROM associations"
            " WHERE portal_id = ? AND from_type = ?"
            " AND from_id IN (SELECT value FROM json_each(?)))",
            args,
        )
        conn.execute(
            "DELETE FROM associations WHERE portal_id = ? AND from_type = ?"
            " AND from_id IN (SELECT value FROM json_each(?))",
            args,
        )
        conn.execute(
            "DELETE FROM merged_records WHERE portal_id = ? AND object_type = ?"
            " AND merged_into IN (SELECT value FROM json_each(?))",
            args,
        )

    async def link_merged(self, record_id: int, merged_into: int) -> None:
        portal_id, object_type = self._key
        self._conn.execute(
            "UPDATE merged_records SET merged_into = ? WHERE portal_id = ? AND object_type = ?"
            " AND merged_into = ?",
            (merged_into, portal_id, object_type, record_id),
        )
        self._conn.execute(
            "INSERT OR REPLACE INTO merged_records VALUES (?, ?, ?, ?)",
            (portal_id, object_type, record_id, merged_into),
        )


class Associations(Connections):
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
        def page(conn: sqlite3.Connection) -> list[Association]:
            # The targets first (a range of the key, live ones only), then their rows.
            rows = conn.execute(
                f"SELECT {', '.join('a.' + c for c in _COLUMNS.split(', '))} FROM associations a"
                " WHERE a.portal_id = ? AND a.from_type = ? AND a.from_id = ? AND a.to_type = ?"
                " AND a.to_id IN (SELECT DISTINCT t.to_id FROM associations t JOIN records r"
                " ON r.portal_id = t.portal_id AND r.object_type = t.to_type"
                " AND r.record_id = t.to_id AND r.archived = 0"
                " WHERE t.portal_id = ? AND t.from_type = ? AND t.from_id = ? AND t.to_type = ?"
                " AND t.to_id >= ? ORDER BY t.to_id LIMIT ?)"
                " ORDER BY a.to_id, a.category, a.type_id",
                (portal_id, from_type, from_id, to_type) * 2 + (after, limit),
            )
            return [_association(row) for row in rows]

        return await self._reader.run(page)

    async def associations_from(
        self, portal_id: int, from_type: str, from_ids: Iterable[int], to_type: str
    ) -> list[Association]:
        wanted = encode(sorted(set(from_ids)))

        def read(conn: sqlite3.Connection) -> list[Association]:
            rows = [
                _association(row)
                for row in conn.execute(
                    f"SELECT {_COLUMNS} FROM associations WHERE portal_id = ? AND from_type = ?"
                    " AND from_id IN (SELECT value FROM json_each(?)) AND to_type = ?"
                    f" ORDER BY {_KEY}",
                    (portal_id, from_type, wanted, to_type),
                )
            ]
            targets = encode(sorted({row.to_id for row in rows}))
            live = {
                row[0]
                for row in conn.execute(
                    "SELECT record_id FROM records WHERE portal_id = ? AND object_type = ?"
                    " AND record_id IN (SELECT value FROM json_each(?)) AND archived = 0",
                    (portal_id, to_type, targets),
                )
            }
            return [row for row in rows if row.to_id in live]

        return await self._reader.run(read)

    async def merged_into(
        self, portal_id: int, object_type: str, record_ids: Iterable[int]
    ) -> dict[int, int]:
        wanted = encode(sorted(set(record_ids)))

        def find(conn: sqlite3.Connection) -> dict[int, int]:
            rows = conn.execute(
                "SELECT record_id, merged_into FROM merged_records WHERE portal_id = ?"
                " AND object_type = ? AND record_id IN (SELECT value FROM json_each(?))",
                (portal_id, object_type, wanted),
            )
            return {row[0]: row[1] for row in rows}

        return await self._reader.run(find)

    async def association_labels(self, portal_id: int) -> list[AssociationLabel]:
        def read(conn: sqlite3.Connection) -> list[AssociationLabel]:
            rows = conn.execute(
                f"SELECT {_LABEL_COLUMNS} FROM association_labels WHERE portal_id = ?"
                " ORDER BY type_id",
                (portal_id,),
            )
            return [_label(row) for row in rows]

        return await self._reader.run(read)

    async def add_association_labels(
        self,
        portal_id: int,
        from_type: str,
        to_type: str,
        name: str,
        label: str,
        inverse_label: str | None,
    ) -> tuple[AssociationLabel, AssociationLabel]:
        def add(conn: sqlite3.Connection) -> tuple[AssociationLabel, AssociationLabel]:
            taken = conn.execute(
                "SELECT 1 FROM association_labels WHERE portal_id = ? AND from_type = ?"
                " AND to_type = ? AND name = ? AND forward = 1",
                (portal_id, from_type, to_type, name),
            ).fetchone()
            if taken:
                raise UniqueViolation(f"association label {name} exists")
            (highest,) = conn.execute(
                "SELECT COALESCE(MAX(type_id), ?) FROM association_labels WHERE portal_id = ?",
                (FIRST_LABEL_TYPE_ID - 1, portal_id),
            ).fetchone()
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
            conn.executemany(
                "INSERT INTO association_labels VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        portal_id,
                        x.type_id,
                        x.from_type,
                        x.to_type,
                        x.inverse_type_id,
                        x.name,
                        x.label,
                        int(x.forward),
                    )
                    for x in (forward, inverse)
                ],
            )
            return forward, inverse

        return await self._writer.run(add)

    async def update_association_labels(
        self, portal_id: int, type_id: int, label: str, inverse_label: str | None
    ) -> None:
        def update(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE association_labels SET label = ? WHERE portal_id = ? AND type_id = ?",
                (label, portal_id, type_id),
            )
            if inverse_label is not None:
                conn.execute(
                    "UPDATE association_labels SET label = ? WHERE portal_id = ? AND type_id ="
                    " (SELECT inverse_type_id FROM association_labels WHERE portal_id = ?"
                    " AND type_id = ?)",
                    (inverse_label, portal_id, portal_id, type_id),
                )

        await self._writer.run(update)

    async def remove_association_labels(self, portal_id: int, type_id: int) -> None:
        def remove(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM association_labels WHERE portal_id = ? AND type_id IN"
                " (SELECT type_id FROM association_labels WHERE portal_id = ? AND type_id = ?"
                " UNION SELECT inverse_type_id FROM association_labels WHERE portal_id = ?"
                " AND type_id = ?)",
                (portal_id, portal_id, type_id, portal_id, type_id),
            )

        await self._writer.run(remove)

    async def association_label_used(self, portal_id: int, label: AssociationLabel) -> bool:
        def used(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                "SELECT 1 FROM associations WHERE portal_id = ? AND from_type = ?"
                " AND category = 'USER_DEFINED' AND type_id = ? LIMIT 1",
                (portal_id, label.from_type, label.type_id),
            ).fetchone()
            return row is not None

        return await self._reader.run(used)
