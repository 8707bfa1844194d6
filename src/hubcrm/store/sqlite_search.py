"""Search on SQLite: keeping the search tables and turning a SearchQuery into SQL over them.

Each filter reads the index rows of the one property it names (`search_values` or
`search_tokens`, keyed portal → type → property → value), so its cost grows with the number of
records that match it, not with the number of records. Groups combine with INTERSECT (AND) and
UNION (OR). Only negated filters and filter-less searches read the list of live records.
Property names and values are always bound parameters, never spliced into SQL.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from hubcrm.store.base import Condition, RecordWrite, SearchQuery, SearchResult

_NEGATED = {"NEQ": "EQ", "NOT_IN": "IN", "NOT_HAS_PROPERTY": "HAS_PROPERTY", "NOT_TOKEN": "TOKEN"}
_COMPARE = {"EQ": "=", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}
_LIVE = "SELECT record_id FROM records WHERE portal_id = ? AND object_type = ? AND archived = 0"
_VALUES = (
    "SELECT record_id FROM search_values WHERE portal_id = ? AND object_type = ? AND property = ?"
)
_TOKENS = (
    "SELECT record_id FROM search_tokens WHERE portal_id = ? AND object_type = ? AND property = ?"
)


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
    key = (portal_id, object_type)
    matched, params = _matched(key, query)
    (total,) = conn.execute(f"SELECT COUNT(*) FROM ({matched})", params).fetchone()
    order, order_params = _order(key, query)
    rows = conn.execute(
        f"SELECT m.record_id FROM ({matched}) m {order} LIMIT ? OFFSET ?",
        [*params, *order_params, query.limit, query.offset],
    )
    return SearchResult([row[0] for row in rows], int(total))


def _matched(key: tuple[int, str], query: SearchQuery) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for group in query.groups or ((),):
        sql, group_params = _group(key, group, query)
        parts.append(sql)
        params += group_params
    return " UNION ".join(parts), params


def _group(
    key: tuple[int, str], group: tuple[Condition, ...], query: SearchQuery
) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for condition in group:
        sql, condition_params = _condition(key, condition)
        parts.append(sql)
        params += condition_params
    for word in query.words:
        marks = ", ".join("?" * len(query.word_properties))
        parts.append(
            "SELECT record_id FROM search_tokens WHERE portal_id = ? AND object_type = ?"
            f" AND property IN ({marks}) AND token GLOB ?"
        )
        params += [*key, *query.word_properties, _glob_escape(word) + "*"]
    if not parts:  # no filters: every live record
        parts.append(_LIVE)
        params += key
    return " INTERSECT ".join(f"SELECT record_id FROM ({part})" for part in parts), params


def _condition(key: tuple[int, str], condition: Condition) -> tuple[str, list[Any]]:
    positive = _NEGATED.get(condition.operator)
    if positive is None:
        return _positive(key, condition)
    sql, params = _positive(
        key, Condition(condition.property, positive, condition.operands, condition.numeric)
    )
    return f"{_LIVE} EXCEPT {sql}", [*key, *params]


def _positive(key: tuple[int, str], condition: Condition) -> tuple[str, list[Any]]:
    base = [*key, condition.property]
    column = "number_value" if condition.numeric else "text_value"
    op, operands = condition.operator, list(condition.operands)
    if op == "HAS_PROPERTY":
        return _VALUES, base
    if op in _COMPARE:
        return f"{_VALUES} AND {column} {_COMPARE[op]} ?", [*base, operands[0]]
    if op == "BETWEEN":
        return f"{_VALUES} AND {column} BETWEEN ? AND ?", [*base, *operands[:2]]
    if op == "IN":
        marks = ", ".join("?" * len(operands))
        return f"{_VALUES} AND {column} IN ({marks})", [*base, *operands]
    if op == "TOKEN":
        return f"{_TOKENS} AND token GLOB ?", [*base, _glob(str(operands[0]))]
    raise ValueError(f"unknown search operator {op}")


def _order(key: tuple[int, str], query: SearchQuery) -> tuple[str, list[Any]]:
    direction = "DESC" if query.sort.descending else "ASC"
    if query.sort.property is None:
        return f"ORDER BY m.record_id {direction}", []
    column = "number_value" if query.sort.numeric else "text_value"
    # Records without a value sort last either way; ties go by record id.
    pick = "MAX" if query.sort.descending else "MIN"
    value = (
        f"(SELECT {pick}({column}) FROM search_values s WHERE s.portal_id = ?"
        " AND s.object_type = ? AND s.property = ? AND s.record_id = m.record_id)"
    )
    return (
        f"ORDER BY {value} IS NULL, {value} {direction}, m.record_id",
        [*key, query.sort.property, *key, query.sort.property],
    )


def _glob(pattern: str) -> str:
    """A token pattern (`*` any run of characters, all else literal) as a GLOB pattern."""
    return "*".join(_glob_escape(part) for part in pattern.split("*"))


def _glob_escape(text: str) -> str:
    """A literal for GLOB: its wildcard characters each in a one-character class."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)
