"""The webhook outbox: events written with the writes that caused them, claimed for delivery,
and the record of every delivery. On SQLite every claim is a writer job, so two processes
sharing the file take turns and never claim one event together."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from hubcrm.store.app_rows import SUBSCRIPTION_COLUMNS, subscription_from_row
from hubcrm.store.base import (
    ClaimedBatch,
    ClaimedEvent,
    DeliveryOutcome,
    DeliveryRecord,
    EventRecord,
    OutboxEvent,
    Subscription,
)
from hubcrm.store.sqlite.connection import encode
from hubcrm.store.sqlite.writer import Connections

decode_fields = msgspec.json.Decoder(dict[str, Any]).decode
decode_pairs = msgspec.json.Decoder(list[tuple[int, int]]).decode

_SUBSCRIBED = (
    "SELECT "
    + ", ".join("s." + c.strip() for c in SUBSCRIPTION_COLUMNS.split(","))
    + " FROM webhook_subscriptions s JOIN app_installs i ON i.app_id = s.app_id"
    " JOIN apps a ON a.app_id = s.app_id"
    " WHERE i.hub_id = ? AND s.active AND a.target_url IS NOT NULL ORDER BY s.subscription_id"
)

# An event is claimable when it is pending, due, nobody holds it, and its app has a target URL
# (an app without one has its deliveries paused).
_CLAIMABLE = (
    "state = 'pending' AND due_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)"
    " AND app_id IN (SELECT app_id FROM apps WHERE target_url IS NOT NULL)"
)


def subscribed(conn: sqlite3.Connection, portal_id: int) -> list[Subscription]:
    return [subscription_from_row(row) for row in conn.execute(_SUBSCRIBED, (portal_id,))]


def record(
    conn: sqlite3.Connection, portal_id: int, events: list[OutboxEvent], due_at: int
) -> None:
    conn.executemany(
        "INSERT INTO webhook_events (portal_id, event_id, app_id, subscription_id, event_type,"
        " occurred_at, fields, due_at) VALUES (?, (SELECT COALESCE(MAX(event_id), 0) + 1"
        " FROM webhook_events), ?, ?, ?, ?, ?, ?)",
        [
            (portal_id, e.app_id, e.subscription_id, e.event_type, e.occurred_at, *extra)
            for e in events
            for extra in [(encode(e.fields), due_at)]
        ],
    )


def _claim_group(
    conn: sqlite3.Connection,
    portal_id: int,
    app_id: int,
    now: int,
    lease_ms: int,
    due_before: int,
    batch_size: int,
) -> ClaimedBatch | None:
    app = conn.execute(
        "SELECT target_url, client_secret, max_concurrent FROM apps WHERE app_id = ?", (app_id,)
    ).fetchone()
    if app is None or app[0] is None:
        return None  # no target URL: the app's events wait until one is set
    (in_flight,) = conn.execute(
        "SELECT COUNT(DISTINCT delivery_id) FROM webhook_events WHERE portal_id = ?"
        " AND app_id = ? AND state = 'pending' AND claimed_until > ?",
        (portal_id, app_id, now),
    ).fetchone()
    if in_flight >= app[2]:
        return None
    rows = conn.execute(
        "SELECT event_id, subscription_id, event_type, occurred_at, fields, attempts"
        f" FROM webhook_events WHERE portal_id = ? AND app_id = ? AND {_CLAIMABLE}"
        " ORDER BY event_id LIMIT ?",
        (portal_id, app_id, due_before, now, batch_size),
    ).fetchall()
    if not rows:
        return None
    (delivery_id,) = conn.execute(
        "INSERT INTO webhook_deliveries (portal_id, delivery_id, app_id, url, events, started_at)"
        " VALUES (?, (SELECT COALESCE(MAX(delivery_id), 0) + 1 FROM webhook_deliveries),"
        " ?, ?, ?, ?) RETURNING delivery_id",
        (portal_id, app_id, app[0], encode([[r[0], r[5]] for r in rows]), now),
    ).fetchone()
    conn.executemany(
        "UPDATE webhook_events SET delivery_id = ?, claimed_until = ?, attempts = attempts + 1"
        " WHERE event_id = ?",
        [(delivery_id, now + lease_ms, r[0]) for r in rows],
    )
    events = [ClaimedEvent(r[0], r[1], r[2], r[3], decode_fields(r[4]), r[5]) for r in rows]
    return ClaimedBatch(delivery_id, portal_id, app_id, app[0], app[1], events)


# Above every id: a page that starts at the newest.
_BEYOND = 2**63 - 1


def _delivery_record(r: Any) -> DeliveryRecord:
    return DeliveryRecord(
        delivery_id=r[0],
        portal_id=r[1],
        app_id=r[2],
        url=r[3],
        events=decode_pairs(r[4]),
        started_at=r[5],
        finished_at=r[6],
        status=r[7],
        error=r[8],
        response=r[9],
    )


def _event_record(r: Any) -> EventRecord:
    return EventRecord(
        event_id=r[0],
        portal_id=r[1],
        app_id=r[2],
        subscription_id=r[3],
        event_type=r[4],
        occurred_at=r[5],
        fields=decode_fields(r[6]),
        state=r[7],
        attempts=r[8],
        due_at=r[9],
    )


class Outbox(Connections):
    async def webhook_events_due(self, now: int) -> bool:
        def due(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                f"SELECT 1 FROM webhook_events WHERE {_CLAIMABLE} LIMIT 1", (now, now)
            ).fetchone()
            return row is not None

        return await self._reader.run(due)

    async def claim_webhook_events(
        self, now: int, lease_ms: int, *, due_before: int, batch_size: int, batches: int
    ) -> list[ClaimedBatch]:
        def claim(conn: sqlite3.Connection) -> list[ClaimedBatch]:
            groups = conn.execute(
                f"SELECT portal_id, app_id FROM webhook_events WHERE {_CLAIMABLE}"
                " GROUP BY portal_id, app_id ORDER BY MIN(event_id) LIMIT ?",
                (due_before, now, batches),
            ).fetchall()
            claimed = []
            for portal_id, app_id in groups:
                batch = _claim_group(conn, portal_id, app_id, now, lease_ms, due_before, batch_size)
                if batch is not None:
                    claimed.append(batch)
            return claimed

        return await self._writer.run(claim)

    async def finish_webhook_delivery(self, outcome: DeliveryOutcome) -> None:
        def finish(conn: sqlite3.Connection) -> None:
            held = (outcome.delivery_id,)
            if outcome.delivered:
                conn.execute(
                    "UPDATE webhook_events SET state = 'delivered', done_at = ?,"
                    " claimed_until = NULL WHERE delivery_id = ? AND state = 'pending'",
                    (outcome.finished_at, *held),
                )
            for event_id, retry_at in outcome.retry_at.items():
                conn.execute(
                    "UPDATE webhook_events SET state = CASE WHEN ? IS NULL THEN 'dropped'"
                    " ELSE 'pending' END, due_at = COALESCE(?, due_at), claimed_until = NULL,"
                    " done_at = CASE WHEN ? IS NULL THEN ? END"
                    " WHERE event_id = ? AND delivery_id = ? AND state = 'pending'",
                    (retry_at, retry_at, retry_at, outcome.finished_at, event_id, *held),
                )
            conn.execute(
                "UPDATE webhook_deliveries SET finished_at = ?, status = ?, error = ?,"
                " response = ? WHERE delivery_id = ?",
                (outcome.finished_at, outcome.status, outcome.error, outcome.response, *held),
            )

        await self._writer.run(finish)

    async def webhook_deliveries(self, portal_id: int) -> list[DeliveryRecord]:
        def list_all(conn: sqlite3.Connection) -> list[DeliveryRecord]:
            rows = conn.execute(
                "SELECT delivery_id, portal_id, app_id, url, events, started_at, finished_at,"
                " status, error, response FROM webhook_deliveries WHERE portal_id = ?"
                " ORDER BY delivery_id",
                (portal_id,),
            )
            return [_delivery_record(r) for r in rows]

        return await self._reader.run(list_all)

    async def webhook_deliveries_page(
        self, portal_id: int, *, before: int | None, limit: int
    ) -> list[DeliveryRecord]:
        def page(conn: sqlite3.Connection) -> list[DeliveryRecord]:
            rows = conn.execute(
                "SELECT delivery_id, portal_id, app_id, url, events, started_at, finished_at,"
                " status, error, response FROM webhook_deliveries WHERE portal_id = ?"
                " AND delivery_id < ? ORDER BY delivery_id DESC LIMIT ?",
                (portal_id, _BEYOND if before is None else before, limit),
            )
            return [_delivery_record(r) for r in rows]

        return await self._reader.run(page)

    async def webhook_events_page(
        self, portal_id: int, *, before: int | None, limit: int
    ) -> list[EventRecord]:
        def page(conn: sqlite3.Connection) -> list[EventRecord]:
            rows = conn.execute(
                "SELECT event_id, portal_id, app_id, subscription_id, event_type, occurred_at,"
                " fields, state, attempts, due_at FROM webhook_events WHERE portal_id = ?"
                " AND event_id < ? ORDER BY event_id DESC LIMIT ?",
                (portal_id, _BEYOND if before is None else before, limit),
            )
            return [_event_record(r) for r in rows]

        return await self._reader.run(page)

    async def webhook_events(self, portal_id: int) -> list[EventRecord]:
        def list_all(conn: sqlite3.Connection) -> list[EventRecord]:
            rows = conn.execute(
                "SELECT event_id, portal_id, app_id, subscription_id, event_type, occurred_at,"
                " fields, state, attempts, due_at FROM webhook_events WHERE portal_id = ?"
                " ORDER BY event_id",
                (portal_id,),
            )
            return [_event_record(r) for r in rows]

        return await self._reader.run(list_all)
