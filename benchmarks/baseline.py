"""The limit: the same rows, with the same durability, written straight into the same engine.

No HTTP and no validation, but the storage work hubcrm does per batch: one transaction per 100
contacts, an upsert keyed by the unique email, one history row per property written.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable

Rows = list[tuple[str, dict[str, str]]]

SCHEMA = """
CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,
                       properties TEXT NOT NULL);
CREATE TABLE history (contact_id INTEGER NOT NULL, property TEXT NOT NULL, value TEXT NOT NULL,
                      timestamp INTEGER NOT NULL);
CREATE INDEX history_by_contact ON history (contact_id, property, timestamp);
"""


def sqlite_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")  # as hubcrm: every commit durable
    conn.executescript(SCHEMA)
    return conn


def sqlite_write(conn: sqlite3.Connection, batch: Rows) -> None:
    now = time.time_ns() // 1_000_000
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO contacts (email, properties) VALUES (?, ?) ON CONFLICT (email) DO UPDATE"
        " SET properties = json_patch(properties, excluded.properties)",
        [(key, json.dumps(props)) for key, props in batch],
    )
    conn.executemany(
        "INSERT INTO history SELECT id, ?, ?, ? FROM contacts WHERE email = ?",
        [(name, value, now, key) for key, props in batch for name, value in props.items()],
    )
    conn.execute("COMMIT")


def sqlite_seed(conn: sqlite3.Connection, rows: Iterable[Rows]) -> None:
    for batch in rows:
        sqlite_write(conn, batch)


def sqlite_run(conn: sqlite3.Connection, batches: list[Rows]) -> list[float]:
    """Write each batch in its own transaction; return each batch's latency in seconds."""
    latencies = []
    for batch in batches:
        started = time.perf_counter()
        sqlite_write(conn, batch)
        latencies.append(time.perf_counter() - started)
    return latencies
