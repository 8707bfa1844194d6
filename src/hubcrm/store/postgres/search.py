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
    text_value='text_value COLLATE "C"',
    pattern=_like,
    false=False,
    one_of=lambda column, kind: f"{column} = ANY(?::{kind}[])",
    array=list,
)


def numbered(sql: str) -> str:
    """search_sql's `?` placeholders as $1, $2, ... (no `?` appears in its SQL otherwise)."""
    counter = itertools.count(1)
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


# What a catch-up forgets, in one statement. It runs before _LEARN, whose rows may share a key
# with these (a value whose number changed with its property's type), in a statement of its own:
# in one statement the insert would find the row still there, and the delete then remove it.
_FORGET = """
WITH values_gone AS (
    DELETE FROM search_values s USING unnest($3::text[], $4::bigint[], $5::text[])
        AS d (property, record_id, text_value)
    WHERE s.portal_id = $1 AND s.object_type = $2 AND s.property = d.property
        AND s.record_id = d.record_id AND s.text_value = d.text_value
)
DELETE FROM search_tokens s USING unnest($6::text[], $7::text[], $8::bigint[])
    AS d (property, token, record_id)
WHERE s.portal_id = $1 AND s.object_type = $2 AND s.property = d.property
    AND s.token = d.token AND s.record_id = d.record_id
"""

# What it learns, and the records it caught up no longer lagging, in one statement.
_LEARN = """
WITH values_added AS (
    INSERT INTO search_values SELECT $1, $2, v.*
    FROM unnest($3::text[], $4::bigint[], $5::text[], $6::float8[]) AS v ON CONFLICT DO NOTHING
), tokens_added AS (
    INSERT INTO search_tokens SELECT $1, $2, t.*
    FROM unnest($7::text[], $8::text[], $9::bigint[]) AS t ON CONFLICT DO NOTHING
)
DELETE FROM search_pending WHERE portal_id = $1 AND object_type = $2
    AND record_id = ANY($10::bigint[])
"""


async def save(
    conn: asyncpg.Connection,
    portal_id: int,
    object_type: str,
    changes: list[tuple[int, SearchChange]],
    caught_up: list[int],
) -> None:
    """Apply each record's search change (forget what it removed, then learn what it added), and
    note the records `caught_up` as no longer lagging."""
    gone = [(rid, v) for rid, change in changes for v in change.removed.values]
    gone_tokens = [(rid, t) for rid, change in changes for t in change.removed.tokens]
    if gone or gone_tokens:
        await conn.execute(
            _FORGET,
            portal_id,
            object_type,
            [v.property for _, v in gone],
            [rid for rid, _ in gone],
            [v.text for _, v in gone],
            [t.property for _, t in gone_tokens],
            [t.token for _, t in gone_tokens],
            [rid for rid, _ in gone_tokens],
        )
    values = [(rid, v) for rid, change in changes for v in change.added.values]
    tokens = [(rid, t) for rid, change in changes for t in change.added.tokens]
    if values or tokens or caught_up:
        await conn.execute(
            _LEARN,
            portal_id,
            object_type,
            [v.property for _, v in values],
            [rid for rid, _ in values],
            [v.text for _, v in values],
            [v.number for _, v in values],
            [t.property for _, t in tokens],
            [t.token for _, t in tokens],
            [rid for rid, _ in tokens],
            caught_up,
        )


async def run(
    conn: asyncpg.Connection, portal_id: int, object_type: str, query: SearchQuery
) -> SearchResult:
    sql = search_sql.statements(DIALECT, portal_id, object_type, query)
    total = await conn.fetchval(numbered(sql.count), *sql.count_params)
    rows = await conn.fetch(numbered(sql.page), *sql.page_params)
    return SearchResult([row[0] for row in rows], int(total))
