"""The write transaction: unique values locked before they are read, records read FOR UPDATE,
ids allocated on their own connection, and a batch saved in one statement."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from hubcrm.store import history
from hubcrm.store.base import (
    OutboxEvent,
    Record,
    RecordWrite,
    SearchChange,
    SearchLag,
    Subscription,
)
from hubcrm.store.postgres import search as postgres_search
from hubcrm.store.postgres import webhooks
from hubcrm.store.postgres.associations import TransactionAssociations
from hubcrm.store.postgres.connection import acquired, digest, encode, lock_keys
from hubcrm.store.postgres.records import RECORD_COLUMNS, decode_properties, decode_record
from hubcrm.store.postgres.upkeep import Upkeep

# The first key of the two-key advisory lock a portal type's search catch-up runs under.
_SEARCH_LOCK = 0x68_7562

# Every part of one statement sees the records as they were before it: `pending` notes what
# search knew of each record (its properties then, if it was live) before `saved` changes them.
# Each record is looked up by its key: as a join, PostgreSQL planned reading every record of the
# portal into a hash table while its statistics described a small portal (13 of the statement's
# 20 ms with 3,000 records, growing with the portal). The statement also reads the portal's
# webhook subscriptions, which the write's events are matched to.
_SAVE = f"""
WITH pending AS (
    INSERT INTO search_pending (portal_id, object_type, record_id, indexed)
    SELECT $1::bigint, $2::text, w.record_id, (
        SELECT r.properties FROM records r WHERE r.portal_id = $1 AND r.object_type = $2
            AND r.record_id = w.record_id AND NOT r.archived
    )
    FROM unnest($3::bigint[]) AS w (record_id)
    ON CONFLICT DO NOTHING
    RETURNING 1
), saved AS (
    INSERT INTO records (portal_id, object_type, record_id, properties, created_at, updated_at,
                         archived, archived_at)
    SELECT $1::bigint, $2::text, r.*
    FROM unnest($3::bigint[], $4::jsonb[], $5::bigint[], $6::bigint[], $7::boolean[], $8::bigint[])
        AS r
    ON CONFLICT (portal_id, object_type, record_id) DO UPDATE SET
        properties = EXCLUDED.properties, updated_at = EXCLUDED.updated_at,
        archived = EXCLUDED.archived, archived_at = EXCLUDED.archived_at
    RETURNING 1
), claimed AS (
    INSERT INTO unique_values (portal_id, object_type, namespace, value, record_id, digest)
    SELECT $1::bigint, $2::text, u.*
    FROM unnest($9::text[], $10::text[], $11::bigint[], $17::bytea[]) AS u
    RETURNING 1
), logged AS (
    INSERT INTO property_changes (portal_id, object_type, record_id, timestamp, source_type,
                                  source_id, changes)
    SELECT $1::bigint, $2::text, h.*
    FROM unnest($12::bigint[], $13::bigint[], $14::text[], $15::text[], $16::text[]) AS h
    RETURNING 1
)
SELECT (SELECT count(*) FROM saved), (SELECT count(*) FROM claimed), (SELECT count(*) FROM logged),
    (SELECT count(*) FROM pending), ({webhooks.SUBSCRIBED_JSON})
"""


class Transaction(TransactionAssociations):
    """One write transaction of one portal and object type (base.WriteTransaction)."""

    def __init__(
        self,
        conn: asyncpg.Connection,
        ids: asyncpg.Pool,
        upkeep: Upkeep,
        portal_id: int,
        object_type: str,
    ) -> None:
        self._conn = conn
        self._ids = ids
        self._upkeep = upkeep
        self._portal_id = portal_id
        self._object_type = object_type
        self._holders: dict[tuple[str, str], int | None] = {}  # what this transaction has read
        self._read: dict[int, Record] = {}  # records read (and locked) with their holders
        self._search_locked = False  # the portal type's catch-up lock, held once taken
        # The portal's webhook subscriptions, as the last save read them.
        self._subscriptions: list[Subscription] | None = None

    def of(self, object_type: str) -> Transaction:
        return Transaction(self._conn, self._ids, self._upkeep, self._portal_id, object_type)

    async def holders(
        self, namespace: str, values: Iterable[str], *, reading: bool = False
    ) -> dict[str, int]:
        # A value looked up once stays locked until the end of the transaction, so its holder
        # cannot change until this transaction saves: answer it again without a round trip.
        known = self._holders
        values = set(values)
        wanted = sorted(value for value in values if (namespace, value) not in known)
        if wanted:
            # Lock first, then read in a new statement, whose snapshot sees whoever held the
            # lock: unique_holders does both in one call (migration 0030), and
            # unique_holder_records reads and locks the holders' records too (0031).
            function = "unique_holder_records" if reading else "unique_holders"
            rows = await self._conn.fetch(
                f"SELECT * FROM {function}($1, $2, $3, $4, $5)",
                self._portal_id,
                self._object_type,
                namespace,
                lock_keys(self._portal_id, self._object_type, namespace, wanted),
                [digest(value) for value in wanted],
            )
            found = {row[0]: row[1] for row in rows if row[0] is not None}
            if reading:  # the holders' records follow them, with no value
                read = (decode_record(row[1:]) for row in rows if row[0] is None)
                self._read.update((record.record_id, record) for record in read)
            for value in wanted:
                known[(namespace, value)] = found.get(value)
        return {
            value: holder for value in values if (holder := known[(namespace, value)]) is not None
        }

    async def records(self, record_ids: Iterable[int]) -> dict[int, Record]:
        wanted = set(record_ids)
        found = {record_id: self._read[record_id] for record_id in wanted & self._read.keys()}
        unread = sorted(wanted - found.keys())
        if unread:
            rows = await self._conn.fetch(
                f"SELECT {RECORD_COLUMNS} FROM records WHERE portal_id = $1 AND object_type = $2"
                " AND record_id = ANY($3::bigint[]) ORDER BY record_id FOR UPDATE",
                self._portal_id,
                self._object_type,
                unread,
            )
            found.update((row[0], decode_record(row)) for row in rows)
        return found

    async def webhook_subscriptions(self) -> list[Subscription]:
        # Events are recorded right after a save, which read the subscriptions in its statement.
        if self._subscriptions is not None:
            return self._subscriptions
        return await webhooks.subscribed(self._conn, self._portal_id)

    async def record_webhook_events(self, events: list[OutboxEvent], due_at: int) -> None:
        await webhooks.record(self._conn, self._portal_id, events, due_at)

    async def allocate_ids(self, count: int) -> list[int]:
        async with acquired(self._ids) as conn:
            end = await conn.fetchval(
                "UPDATE object_schemas SET next_record_id = next_record_id + $3"
                " WHERE portal_id = $1 AND object_type = $2 RETURNING next_record_id",
                self._portal_id,
                self._object_type,
                count,
            )
        return list(range(end - count, end))

    async def search_lag(self, limit: int) -> list[SearchLag]:
        # One catcher-up per portal and type at a time. Each lagging record is then read FOR
        # SHARE: a writer that read it FOR UPDATE first is waited for (and its write caught up
        # here), and one that comes later waits until this transaction has caught up. The
        # search_lag function does all three in one call (migration 0032).
        rows = await self._conn.fetch(
            "SELECT * FROM search_lag($1, $2, $3, $4, $5)",
            self._portal_id,
            self._object_type,
            limit,
            _SEARCH_LOCK,
            self._search_lock_name,
        )
        self._search_locked = True
        current = {row[0]: decode_record((row[0], *row[3:])) for row in rows if not row[1]}
        return [
            SearchLag(
                row[0],
                None if row[2] is None else decode_properties(row[2]),
                current.get(row[0]),
            )
            for row in rows
            if row[1]
        ]

    async def save_search(
        self, changes: list[tuple[int, SearchChange]], *, caught_up: bool = True
    ) -> None:
        done = [record_id for record_id, _ in changes] if caught_up else []
        await postgres_search.save(self._conn, self._portal_id, self._object_type, changes, done)
        if caught_up:
            self._upkeep.caught_up(len(done))
        else:  # a build's chunk
            self._upkeep.building(self._portal_id, self._object_type, len(changes))

    async def searched_properties(self) -> dict[str, int | None]:
        await self._search_lock()
        rows = await self._conn.fetch(
            "SELECT property, built_to FROM searched_properties"
            " WHERE portal_id = $1 AND object_type = $2",
            self._portal_id,
            self._object_type,
        )
        return {row[0]: row[1] for row in rows}

    async def search_properties(self, names: Iterable[str]) -> None:
        await self._search_lock()
        await self._conn.execute(
            "INSERT INTO searched_properties SELECT $1, $2, name, 0 FROM unnest($3::text[])"
            " AS name ON CONFLICT DO NOTHING",
            self._portal_id,
            self._object_type,
            list(names),
        )

    async def built(self, names: Iterable[str], up_to: int | None) -> None:
        await self._conn.execute(
            "UPDATE searched_properties SET built_to = $4 WHERE portal_id = $1"
            " AND object_type = $2 AND property = ANY($3::text[])",
            self._portal_id,
            self._object_type,
            list(names),
            up_to,
        )
        if up_to is None:
            # Analyzed before the search waiting for the build goes on, so that it is planned
            # knowing the rows just built (upkeep.py).
            await self._upkeep.built(self._conn, self._portal_id, self._object_type)

    async def search_known(self, after: int, limit: int) -> list[tuple[int, dict[str, str]]]:
        # Lock first, FOR SHARE as when catching up: a writer of these records commits before
        # this goes on, or waits until their rows are built (and is then caught up as usual).
        # Then read in a new statement, whose snapshot sees each record and the note its last
        # writer left together: a record re-read after waiting for its writer, joined to notes
        # as they were before, would pair its new values with no note of the old ones.
        ids = await self._conn.fetch(
            "SELECT record_id FROM records WHERE portal_id = $1 AND object_type = $2"
            " AND record_id > $3 ORDER BY record_id LIMIT $4 FOR SHARE",
            self._portal_id,
            self._object_type,
            after,
            limit,
        )
        rows = await self._conn.fetch(
            "SELECT r.record_id, CASE WHEN p.record_id IS NOT NULL THEN p.indexed"
            " WHEN NOT r.archived THEN r.properties END FROM records r"
            " LEFT JOIN search_pending p ON p.portal_id = r.portal_id"
            " AND p.object_type = r.object_type AND p.record_id = r.record_id"
            " WHERE r.portal_id = $1 AND r.object_type = $2 AND r.record_id = ANY($3::bigint[])"
            " ORDER BY r.record_id",
            self._portal_id,
            self._object_type,
            [row[0] for row in ids],
        )
        return [(row[0], {} if row[1] is None else decode_properties(row[1])) for row in rows]

    @property
    def _search_lock_name(self) -> str:
        return f"{self._portal_id}/{self._object_type}"

    async def _search_lock(self) -> None:
        """One catcher-up or builder per portal and type at a time (held to the end of the
        transaction: taken once)."""
        if self._search_locked:
            return
        await self._conn.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))", _SEARCH_LOCK, self._search_lock_name
        )
        self._search_locked = True

    async def save(self, writes: list[RecordWrite]) -> None:
        if not writes:
            return
        self._holders.clear()  # this transaction's own writes change who holds what
        self._read.clear()  # and what its records hold
        released = [
            (w.record.record_id, namespace)
            for w in writes
            if not w.is_new
            for namespace in w.unique_values
        ]
        if released:
            await self._conn.execute(
                "DELETE FROM unique_values u USING unnest($3::bigint[], $4::text[])"
                " AS t (record_id, namespace) WHERE u.portal_id = $1 AND u.object_type = $2"
                " AND u.record_id = t.record_id AND u.namespace = t.namespace",
                self._portal_id,
                self._object_type,
                [r[0] for r in released],
                [r[1] for r in released],
            )
        records = [w.record for w in writes]
        claims = [
            (namespace, value, w.record.record_id)
            for w in writes
            for namespace, values in w.unique_values.items()
            for value in sorted(values)
        ]
        logged = history.rows(writes)
        counted = await self._conn.fetchrow(
            _SAVE,
            self._portal_id,
            self._object_type,
            [r.record_id for r in records],
            [encode(r.properties).decode() for r in records],
            [r.created_at for r in records],
            [r.updated_at for r in records],
            [r.archived for r in records],
            [r.archived_at for r in records],
            [c[0] for c in claims],
            [c[1] for c in claims],
            [c[2] for c in claims],
            [row[0] for row in logged],
            [row[1] for row in logged],
            [row[2] for row in logged],
            [row[3] for row in logged],
            [row[4] for row in logged],
            [digest(c[1]) for c in claims],
        )
        self._subscriptions = webhooks.subscriptions_of(counted[4])
        if created := sum(1 for w in writes if w.is_new):
            self._upkeep.created(self._portal_id, self._object_type, created)
        archived = [w.record.record_id for w in writes if w.record.archived]
        if archived:
            # Archiving frees the record's unique values, keeping them for archived reads.
            await self._conn.execute(
                "WITH moved AS (DELETE FROM unique_values WHERE portal_id = $1"
                " AND object_type = $2 AND record_id = ANY($3::bigint[]) RETURNING *)"
                " INSERT INTO archived_unique_values (portal_id, object_type, namespace, value,"
                " record_id, digest) SELECT portal_id, object_type, namespace, value, record_id,"
                " digest FROM moved ON CONFLICT DO NOTHING",
                self._portal_id,
                self._object_type,
                archived,
            )
