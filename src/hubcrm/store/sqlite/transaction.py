"""One write transaction, run on the writer thread's connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from hubcrm.store import history
from hubcrm.store.base import (
    OutboxEvent,
    Record,
    RecordWrite,
    SearchChange,
    SearchLag,
    Subscription,
)
from hubcrm.store.sqlite import search, webhooks
from hubcrm.store.sqlite.associations import TransactionAssociations
from hubcrm.store.sqlite.connection import decode_properties, encode
from hubcrm.store.sqlite.records import (
    RECORD_COLUMNS_R,
    record_from_row,
    records_by_id,
    searched_properties,
)


def _archive_unique_values(
    conn: sqlite3.Connection, portal_id: int, object_type: str, writes: list[RecordWrite]
) -> None:
    """Move the unique values of records being archived aside, freeing them for live records."""
    archived = [(portal_id, object_type, w.record.record_id) for w in writes if w.record.archived]
    conn.executemany(
        "INSERT OR IGNORE INTO archived_unique_values SELECT portal_id, object_type, namespace,"
        " value, record_id FROM unique_values WHERE portal_id = ? AND object_type = ?"
        " AND record_id = ?",
        archived,
    )
    conn.executemany(
        "DELETE FROM unique_values WHERE portal_id = ? AND object_type = ? AND record_id = ?",
        archived,
    )


_UPSERT_RECORD = (
    "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (portal_id, object_type, record_id) DO UPDATE SET"
    " properties = excluded.properties, updated_at = excluded.updated_at,"
    " archived = excluded.archived, archived_at = excluded.archived_at"
)


def _save_records(
    conn: sqlite3.Connection, portal_id: int, object_type: str, writes: list[RecordWrite]
) -> None:
    """Insert new records and write changed ones.

    A live record that stays live changes only its properties and its last change: updating
    just those leaves the indexes on creation and archiving alone (setting `archived` to the
    value it had would rewrite an entry in each of the three indexes holding it). A record that
    was not live and unarchived (or any other) takes the full upsert.
    """
    kept_live = [w for w in writes if not w.is_new and not w.record.archived]
    updated = conn.executemany(
        "UPDATE records SET properties = ?, updated_at = ? WHERE portal_id = ?"
        " AND object_type = ? AND record_id = ? AND archived = 0 AND archived_at IS NULL",
        [
            (
                encode(w.record.properties),
                w.record.updated_at,
                portal_id,
                object_type,
                w.record.record_id,
            )
            for w in kept_live
        ],
    ).rowcount
    rest = [w for w in writes if w.is_new or w.record.archived]
    if updated != len(kept_live):  # some were not live: the upsert writes them (again) whole
        rest += kept_live
    conn.executemany(
        _UPSERT_RECORD,
        [
            (
                portal_id,
                object_type,
                w.record.record_id,
                encode(w.record.properties),
                w.record.created_at,
                w.record.updated_at,
                int(w.record.archived),
                w.record.archived_at,
            )
            for w in rest
        ],
    )


class Transaction(TransactionAssociations):
    """One job's reads and writes, run directly on the writer thread's connection."""

    def __init__(self, conn: sqlite3.Connection, portal_id: int, object_type: str) -> None:
        self._conn = conn
        self._key = (portal_id, object_type)

    def of(self, object_type: str) -> Transaction:
        return Transaction(self._conn, self._key[0], object_type)

    async def holders(
        self, namespace: str, values: Iterable[str], *, reading: bool = False
    ) -> dict[str, int]:
        # Reading the records afterwards costs no round trip here: `reading` changes nothing.
        rows = self._conn.execute(
            "SELECT value, record_id FROM unique_values WHERE portal_id = ?"
            " AND object_type = ? AND namespace = ?"
            " AND value IN (SELECT value FROM json_each(?))",
            (*self._key, namespace, encode(list(values))),
        )
        return dict(rows.fetchall())

    async def records(self, record_ids: Iterable[int]) -> dict[int, Record]:
        return records_by_id(self._conn, *self._key, encode(list(record_ids)))

    async def search_lag(self, limit: int) -> list[SearchLag]:
        # The writer's turn excludes every other transaction, catching up included.
        rows = self._conn.execute(
            f"SELECT p.record_id, p.indexed, {RECORD_COLUMNS_R} FROM search_pending p"
            " LEFT JOIN records r ON r.portal_id = p.portal_id AND r.object_type = p.object_type"
            " AND r.record_id = p.record_id WHERE p.portal_id = ? AND p.object_type = ?"
            " ORDER BY p.record_id LIMIT ?",
            (*self._key, limit),
        )
        return [
            SearchLag(
                row[0],
                None if row[1] is None else decode_properties(row[1]),
                None if row[2] is None else record_from_row(row[2:]),
            )
            for row in rows
        ]

    async def save_search(
        self, changes: list[tuple[int, SearchChange]], *, caught_up: bool = True
    ) -> None:
        search.save(self._conn, *self._key, changes)
        if caught_up:
            self._conn.execute(
                "DELETE FROM search_pending WHERE portal_id = ? AND object_type = ?"
                " AND record_id IN (SELECT value FROM json_each(?))",
                (*self._key, encode([record_id for record_id, _ in changes])),
            )

    async def searched_properties(self) -> dict[str, int | None]:
        return searched_properties(self._conn, *self._key)

    async def search_properties(self, names: Iterable[str]) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO searched_properties VALUES (?, ?, ?, 0)",
            [(*self._key, name) for name in names],
        )

    async def webhook_subscriptions(self) -> list[Subscription]:
        return webhooks.subscribed(self._conn, self._key[0])

    async def record_webhook_events(self, events: list[OutboxEvent], due_at: int) -> None:
        webhooks.record(self._conn, self._key[0], events, due_at)

    async def built(self, names: Iterable[str], up_to: int | None) -> None:
        self._conn.executemany(
            "UPDATE searched_properties SET built_to = ?"
            " WHERE portal_id = ? AND object_type = ? AND property = ?",
            [(up_to, *self._key, name) for name in names],
        )

    async def search_known(self, after: int, limit: int) -> list[tuple[int, dict[str, str]]]:
        rows = self._conn.execute(
            "SELECT r.record_id, CASE WHEN p.record_id IS NOT NULL THEN p.indexed"
            " WHEN r.archived = 0 THEN r.properties END FROM records r"
            " LEFT JOIN search_pending p ON p.portal_id = r.portal_id"
            " AND p.object_type = r.object_type AND p.record_id = r.record_id"
            " WHERE r.portal_id = ? AND r.object_type = ? AND r.record_id > ?"
            " ORDER BY r.record_id LIMIT ?",
            (*self._key, after, limit),
        )
        return [(row[0], {} if row[1] is None else decode_properties(row[1])) for row in rows]

    async def allocate_ids(self, count: int) -> list[int]:
        (end,) = self._conn.execute(
            "UPDATE object_schemas SET next_record_id = next_record_id + ?"
            " WHERE portal_id = ? AND object_type = ? RETURNING next_record_id",
            (count, *self._key),
        ).fetchone()
        return list(range(end - count, end))

    async def save(self, writes: list[RecordWrite]) -> None:
        portal_id, object_type = self._key
        conn = self._conn
        # Before the records change: search still knows each record as it is now (a new
        # record not at all).
        conn.executemany(
            "INSERT OR IGNORE INTO search_pending VALUES (?, ?, ?, NULL)",
            [(portal_id, object_type, w.record.record_id) for w in writes if w.is_new],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO search_pending VALUES (?, ?, ?, (SELECT properties FROM records"
            " WHERE portal_id = ? AND object_type = ? AND record_id = ? AND archived = 0))",
            [(*self._key, w.record.record_id) * 2 for w in writes if not w.is_new],
        )
        _save_records(conn, portal_id, object_type, writes)
        conn.executemany(
            "DELETE FROM unique_values WHERE portal_id = ? AND object_type = ?"
            " AND namespace = ? AND record_id = ?",
            [
                (portal_id, object_type, namespace, w.record.record_id)
                for w in writes
                if not w.is_new
                for namespace in w.unique_values
            ],
        )
        conn.executemany(
            "INSERT INTO unique_values VALUES (?, ?, ?, ?, ?)",
            [
                (portal_id, object_type, namespace, value, w.record.record_id)
                for w in writes
                for namespace, values in w.unique_values.items()
                for value in values
            ],
        )
        _archive_unique_values(conn, portal_id, object_type, writes)
        conn.executemany(
            "INSERT INTO property_changes VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(portal_id, object_type, *row) for row in history.rows(writes)],
        )
