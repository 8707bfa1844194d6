"""Search on SQLite: keeping the search tables, and running search_sql's statements."""

from __future__ import annotations

import math
import sqlite3
from typing import Any

import msgspec

from hubcrm.store import search_sql
from hubcrm.store.base import SearchChange, SearchQuery, SearchResult

encode = msgspec.json.Encoder().encode


def _glob(pattern: str) -> str:
    """A token pattern (`*` any run of characters, all else literal) as a GLOB pattern; GLOB
    on the token column uses its index for a literal prefix."""
    return "*".join(
        "".join(f"[{c}]" if c in "*?[" else c for c in part) for part in pattern.split("*")
    )


def _json_array(values: list[Any]) -> str:
    """A list bound as JSON for json_each; JSON has no infinities, but SQLite reads 1e999 as one."""
    return "[" + ",".join(_json_item(v) for v in values) + "]"


def _json_item(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "null" if math.isnan(value) else ("1e999" if value > 0 else "-1e999")
    return encode(value).decode()


DIALECT = search_sql.Dialect(
    token_match="token GLOB ?",
    value_match="text_value GLOB ?",
    text_value="text_value",
    pattern=_glob,
    false=0,
    one_of=lambda column, _: f"{column} IN (SELECT value FROM json_each(?))",
    array=_json_array,
)


def save(
    conn: sqlite3.Connection,
    portal_id: int,
    object_type: str,
    changes: list[tuple[int, SearchChange]],
) -> None:
    """Apply each record's search change: forget what it removed, then learn what it added."""
    conn.executemany(
        "DELETE FROM search_values WHERE portal_id = ? AND object_type = ? AND property = ?"
        " AND record_id = ? AND text_value = ?",
        [
            (portal_id, object_type, v.property, record_id, v.text)
            for record_id, change in changes
            for v in change.removed.values
        ],
    )
    conn.executemany(
        "DELETE FROM search_tokens WHERE portal_id = ? AND object_type = ? AND property = ?"
        " AND token = ? AND record_id = ?",
        [
            (portal_id, object_type, t.property, t.token, record_id)
            for record_id, change in changes
            for t in change.removed.tokens
        ],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO search_values VALUES (?, ?, ?, ?, ?, ?)",
        [
            (portal_id, object_type, v.property, record_id, v.text, v.number)
            for record_id, change in changes
            for v in change.added.values
        ],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO search_tokens VALUES (?, ?, ?, ?, ?)",
        [
            (portal_id, object_type, t.property, t.token, record_id)
            for record_id, change in changes
            for t in change.added.tokens
        ],
    )


def run(
    conn: sqlite3.Connection, portal_id: int, object_type: str, query: SearchQuery
) -> SearchResult:
    sql = search_sql.statements(DIALECT, portal_id, object_type, query)
    (total,) = conn.execute(sql.count, sql.count_params).fetchone()
    rows = conn.execute(sql.page, sql.page_params)
    return SearchResult([row[0] for row in rows], int(total))
