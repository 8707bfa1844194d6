"""Search on PostgreSQL: keeping the search tables, and running search_sql's statements."""

from __future__ import annotations

import itertools
import re

import asyncpg

from hubcrm.store import search_sql
from hubcrm.store.base import SearchChange, SearchQuery, SearchResult


def _like(pattern: str) -> str:
    """A token pattern (`*` any run of characters, all else literal) as a LIKE pattern."""
    return "%".join(re.sub(r"([\\%_])", r"\\\1", part) for part in pattern.split("*"))


DIALECT = search_sql.Dialect(
    token_match="token LIKE ?",
    value_match='text_value COLLATE "C" LIKE ?',
    pattern=_like,
    false=False,
    one_of=lambda column, kind: f"{column} = ANY(?::{kind}[])",
    array=list,
)


def numbered(sql: str) -> str:
    """search_sql's `?` placeholders as $1, $2, ... (no `?` appears in its SQL otherwise)."""
    counter = itertools.count(1)
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


async def save(
    conn: asyncpg.Connection,
    portal_id: int,
    object_type: str,
    changes: list[tuple[int, SearchChange]],
) -> None:
    """Apply each record's search change: forget what it removed, then learn what it added."""
    gone = [(rid, v) for rid, change in changes for v in change.removed.values]
    if gone:
        await conn.execute(
            "DELETE FROM search_values s USING unnest($3::text[], $4::bigint[], $5::text[])"
            " AS d (property, record_id, text_value) WHERE s.portal_id = $1"
            " AND s.object_type = $2 AND s.property = d.property AND s.record_id = d.record_id"
            " AND s.text_value = d.text_value",
            portal_id,
            object_type,
            [v.property for _, v in gone],
            [rid for rid, _ in gone],
            [v.text for _, v in gone],
        )
    gone_tokens = [(rid, t) for rid, change in changes for t in change.removed.tokens]
    if gone_tokens:
        await conn.execute(
            "DELETE FROM search_tokens s USING unnest($3::text[], $4::text[], $5::bigint[])"
            " AS d (property, token, record_id) WHERE s.portal_id = $1 AND s.object_type = $2"
            " AND s.property = d.property AND s.token = d.token AND s.record_id = d.record_id",
            portal_id,
            object_type,
            [t.property for _, t in gone_tokens],
            [t.token for _, t in gone_tokens],
            [rid for rid, _ in gone_tokens],
        )
    values = [(rid, v) for rid, change in changes for v in change.added.values]
    if values:
        await conn.execute(
            "INSERT INTO search_values SELECT $1, $2, v.* FROM unnest($3::text[], $4::bigint[],"
            " $5::text[], $6::float8[]) AS v ON CONFLICT DO NOTHING",
            portal_id,
            object_type,
            [v.property for _, v in values],
            [rid for rid, _ in values],
            [v.text for _, v in values],
            [v.number for _, v in values],
        )
    tokens = [(rid, t) for rid, change in changes for t in change.added.tokens]
    if tokens:
        await conn.execute(
            "INSERT INTO search_tokens SELECT $1, $2, t.* FROM unnest($3::text[], $4::text[],"
            " $5::bigint[]) AS t ON CONFLICT DO NOTHING",
            portal_id,
            object_type,
            [t.property for _, t in tokens],
            [t.token for _, t in tokens],
            [rid for rid, _ in tokens],
        )


async def run(
    conn: asyncpg.Connection, portal_id: int, object_type: str, query: SearchQuery
) -> SearchResult:
    sql = search_sql.statements(DIALECT, portal_id, object_type, query)
    total = await conn.fetchval(numbered(sql.count), *sql.count_params)
    rows = await conn.fetch(numbered(sql.page), *sql.page_params)
    return SearchResult([row[0] for row in rows], int(total))
