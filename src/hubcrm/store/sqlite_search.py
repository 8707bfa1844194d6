"""Search on SQLite: keeping the search tables, and running search_sql's statements."""

from __future__ import annotations

import sqlite3

from hubcrm.store import search_sql
from hubcrm.store.base import RecordWrite, SearchQuery, SearchResult


def _glob(pattern: str) -> str:
    """A token pattern (`*` any run of characters, all else literal) as a GLOB pattern; GLOB
    on the token column uses its index for a literal prefix."""
    return "*".join(
        "".join(f"[{c}]" if c in "*?[" else c for c in part) for part in pattern.split("*")
    )


DIALECT = search_sql.Dialect(token_match="token GLOB ?", pattern=_glob, false=0)


def save(
    conn: sqlite3.Connection, portal_id: int, object_type: str, writes: list[RecordWrite]
) -> None:
    """Replace the search rows of every write that carries search entries."""
    indexed = [w for w in writes if w.search is not None]
    keys = [(portal_id, object_type, w.record.record_id) for w in indexed if not w.is_new]
    for table in ("search_values", "search_tokens"):
        conn.executemany(
            f"DELETE FROM {table} WHERE portal_id = ? AND object_type = ? AND record_id = ?", keys
        )
    conn.executemany(
        "INSERT OR IGNORE INTO search_values VALUES (?, ?, ?, ?, ?, ?)",
        [
            (portal_id, object_type, v.property, w.record.record_id, v.text, v.number)
            for w in indexed
            if w.search is not None
            for v in w.search.values
        ],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO search_tokens VALUES (?, ?, ?, ?, ?)",
        [
            (portal_id, object_type, t.property, t.token, w.record.record_id)
            for w in indexed
            if w.search is not None
            for t in w.search.tokens
        ],
    )


def run(
    conn: sqlite3.Connection, portal_id: int, object_type: str, query: SearchQuery
) -> SearchResult:
    sql = search_sql.statements(DIALECT, portal_id, object_type, query)
    (total,) = conn.execute(sql.count, sql.count_params).fetchone()
    rows = conn.execute(sql.page, sql.page_params)
    return SearchResult([row[0] for row in rows], int(total))
