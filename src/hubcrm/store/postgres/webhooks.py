"""The webhook outbox on PostgreSQL: any process may claim due events; a claim takes the app and
portal's advisory lock (so in-flight batches are counted exactly against max_concurrent) and reads
the events FOR UPDATE SKIP LOCKED, so no event is ever claimed by two processes at once."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

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
from hubcrm.store.postgres.connection import Pooled, acquired, translated

# The first key of the two-key advisory lock an app and portal's claims run under.
_CLAIM_LOCK = 0x77_6862

_SUBSCRIBED_FROM = (
    " FROM webhook_subscriptions s JOIN app_installs i ON i.app_id = s.app_id"
    " JOIN apps a ON a.app_id = s.app_id"
    " WHERE i.hub_id = $1 AND s.active AND a.target_url IS NOT NULL"
)
_SUBSCRIBED = (
    "SELECT "
    + ", ".join("s." + c.strip() for c in SUBSCRIPTION_COLUMNS.split(","))
    + _SUBSCRIBED_FROM
    + " ORDER BY s.subscription_id"
)
# The same as one JSON array of rows (NULL when there are none), for a statement that reads them
# beside what it does.
SUBSCRIBED_JSON = (
    "SELECT json_agg(json_build_array("
    + ", ".join("s." + c.strip() for c in SUBSCRIPTION_COLUMNS.split(","))
    + ") ORDER BY s.subscription_id)"
    + _SUBSCRIBED_FROM
)
# An event is claimable when it is pending, due, nobody holds it, and its app has a target URL
# (an app without one has its deliveries paused).
_CLAIMABLE = (
    "state = 'pending' AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $2)"
    " AND app_id IN (SELECT app_id FROM apps WHERE target_url IS NOT NULL)"
)


async def subscribed(conn: asyncpg.Connection, portal_id: int) -> list[Subscription]:
    return [subscription_from_row(row) for row in await conn.fetch(_SUBSCRIBED, portal_id)]


def subscriptions_of(rows: str | None) -> list[Subscription]:
    """The subscriptions SUBSCRIBED_JSON read."""
    return [] if rows is None else [subscription_from_row(row) for row in json.loads(rows)]


async def record(
    conn: asyncpg.Connection, portal_id: int, events: list[OutboxEvent], due_at: int
) -> None:
    await conn.execute(
        "INSERT INTO webhook_events (portal_id, app_id, subscription_id, event_type, occurred_at,"
        " fields, due_at) SELECT $1, e.*, $7 FROM unnest($2::bigint[], $3::bigint[], $4::text[],"
        " $5::bigint[], $6::text[]) AS e",
        portal_id,
        [e.app_id for e in events],
        [e.subscription_id for e in events],
        [e.event_type for e in events],
        [e.occurred_at for e in events],
        [json.dumps(e.fields, separators=(",", ":"), ensure_ascii=False) for e in events],
        due_at,
    )


async def _claim_group(
    conn: asyncpg.Connection,
    portal_id: int,
    app_id: int,
    now: int,
    lease_ms: int,
    due_before: int,
    batch_size: int,
) -> ClaimedBatch | None:
    locked = await conn.fetchval(
        "SELECT pg_try_advisory_xact_lock($1, hashtext($2))", _CLAIM_LOCK, f"{app_id}/{portal_id}"
    )
    if not locked:
        return None  # another process is claiming this app and portal's events right now
    app = await conn.fetchrow(
        "SELECT target_url, client_secret, max_concurrent FROM apps WHERE app_id = $1", app_id
    )
    if app is None or app[0] is None:
        return None
    in_flight = await conn.fetchval(
        "SELECT COUNT(DISTINCT delivery_id) FROM webhook_events WHERE portal_id = $1"
        " AND app_id = $2 AND state = 'pending' AND claimed_until > $3",
        portal_id,
        app_id,
        now,
    )
    if in_flight >= app[2]:
        return None
    rows = await conn.fetch(
        "SELECT event_id, subscription_id, event_type, occurred_at, fields, attempts"
        f" FROM webhook_events WHERE {_CLAIMABLE} AND portal_id = $3 AND app_id = $4"
        " ORDER BY event_id LIMIT $5 FOR UPDATE SKIP LOCKED",
        due_before,
        now,
        portal_id,
        app_id,
        batch_size,
    )
    if not rows:
        return None
    delivery_id = await conn.fetchval(
        "INSERT INTO webhook_deliveries (portal_id, app_id, url, events, started_at)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING delivery_id",
        portal_id,
        app_id,
        app[0],
        json.dumps([[r[0], r[5]] for r in rows]),
        now,
    )
    await conn.execute(
        "UPDATE webhook_events SET delivery_id = $1, claimed_until = $2, attempts = attempts + 1"
        " WHERE event_id = ANY($3::bigint[])",
        delivery_id,
        now + lease_ms,
        [r[0] for r in rows],
    )
    events = [ClaimedEvent(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]
    return ClaimedBatch(delivery_id, portal_id, app_id, app[0], app[1], events)


def _event_record(r: Any) -> EventRecord:
    return EventRecord(
        event_id=r[0],
        portal_id=r[1],
        app_id=r[2],
        subscription_id=r[3],
        event_type=r[4],
        occurred_at=r[5],
        fields=json.loads(r[6]),
        state=r[7],
        attempts=r[8],
        due_at=r[9],
    )


# Above every id: a page that starts at the newest.
_BEYOND = 2**63 - 1


def _delivery_record(r: Any) -> DeliveryRecord:
    return DeliveryRecord(
        delivery_id=r[0],
        portal_id=r[1],
        app_id=r[2],
        url=r[3],
        events=[(e[0], e[1]) for e in json.loads(r[4])],
        started_at=r[5],
        finished_at=r[6],
        status=r[7],
        error=r[8],
        response=r[9],
    )


class Outbox(Pooled):
    async def webhook_events_due(self, now: int) -> bool:
        row = await self._fetchrow(
            f"SELECT 1 FROM webhook_events WHERE {_CLAIMABLE} LIMIT 1", now, now
        )
        return row is not None

    async def claim_webhook_events(
        self, now: int, lease_ms: int, *, due_before: int, batch_size: int, batches: int
    ) -> list[ClaimedBatch]:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                groups = await conn.fetch(
                    f"SELECT portal_id, app_id FROM webhook_events WHERE {_CLAIMABLE}"
                    " GROUP BY portal_id, app_id ORDER BY MIN(event_id) LIMIT $3",
                    due_before,
                    now,
                    batches,
                )
                claimed = []
                for portal_id, app_id in groups:
                    batch = await _claim_group(
                        conn, portal_id, app_id, now, lease_ms, due_before, batch_size
                    )
                    if batch is not None:
                        claimed.append(batch)
                return claimed

    async def finish_webhook_delivery(self, outcome: DeliveryOutcome) -> None:
        retries = list(outcome.retry_at.items())
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                if outcome.delivered:
                    await conn.execute(
                        "UPDATE webhook_events SET state = 'delivered', done_at = $1,"
                        " claimed_until = NULL WHERE delivery_id = $2 AND state = 'pending'",
                        outcome.finished_at,
                        outcome.delivery_id,
                    )
                if retries:
                    await conn.execute(
                        "UPDATE webhook_events e SET state = CASE WHEN r.due IS NULL"
                        " THEN 'dropped' ELSE 'pending' END, due_at = COALESCE(r.due, e.due_at),"
                        " claimed_until = NULL,"
                        " done_at = CASE WHEN r.due IS NULL THEN $1::bigint END"
                        " FROM unnest($3::bigint[], $4::bigint[]) AS r (id, due)"
                        " WHERE e.event_id = r.id AND e.delivery_id = $2 AND e.state = 'pending'",
                        outcome.finished_at,
                        outcome.delivery_id,
                        [r[0] for r in retries],
                        [r[1] for r in retries],
                    )
                await conn.execute(
                    "UPDATE webhook_deliveries SET finished_at = $2, status = $3, error = $4,"
                    " response = $5 WHERE delivery_id = $1",
                    outcome.delivery_id,
                    outcome.finished_at,
                    outcome.status,
                    outcome.error,
                    outcome.response,
                )

    async def webhook_deliveries(self, portal_id: int) -> list[DeliveryRecord]:
        rows = await self._fetch(
            "SELECT delivery_id, portal_id, app_id, url, events, started_at, finished_at,"
            " status, error, response FROM webhook_deliveries WHERE portal_id = $1"
            " ORDER BY delivery_id",
            portal_id,
        )
        return [_delivery_record(r) for r in rows]

    async def webhook_deliveries_page(
        self, portal_id: int, *, before: int | None, limit: int
    ) -> list[DeliveryRecord]:
        rows = await self._fetch(
            "SELECT delivery_id, portal_id, app_id, url, events, started_at, finished_at,"
            " status, error, response FROM webhook_deliveries WHERE portal_id = $1"
            " AND delivery_id < $2 ORDER BY delivery_id DESC LIMIT $3",
            portal_id,
            _BEYOND if before is None else before,
            limit,
        )
        return [_delivery_record(r) for r in rows]

    async def webhook_events_page(
        self, portal_id: int, *, before: int | None, limit: int
    ) -> list[EventRecord]:
        rows = await self._fetch(
            "SELECT event_id, portal_id, app_id, subscription_id, event_type, occurred_at,"
            " fields, state, attempts, due_at FROM webhook_events WHERE portal_id = $1"
            " AND event_id < $2 ORDER BY event_id DESC LIMIT $3",
            portal_id,
            _BEYOND if before is None else before,
            limit,
        )
        return [_event_record(row) for row in rows]

    async def webhook_events(self, portal_id: int) -> list[EventRecord]:
        rows = await self._fetch(
            "SELECT event_id, portal_id, app_id, subscription_id, event_type, occurred_at,"
            " fields, state, attempts, due_at FROM webhook_events WHERE portal_id = $1"
            " ORDER BY event_id",
            portal_id,
        )
        return [_event_record(row) for row in rows]
