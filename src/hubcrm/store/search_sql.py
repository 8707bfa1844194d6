"""Search SQL shared by the dialects: a SearchQuery as a set expression over the search tables.

Each filter reads the index rows of the one property it names (`search_values` or
`search_tokens`, keyed portal → type → property → value), so its cost grows with the number of
records that match it, not with the number of records. Groups combine with INTERSECT (AND) and
UNION (OR). Only negated filters and filter-less searches read the list of live records.
Property names and values are always bound parameters (`?` here; a dialect renumbers them),
never spliced into SQL. How a token pattern matches is the dialect's: `Dialect.token_match`.

A value's tokens are its words and the whole value. The whole value is not kept twice: a token
pattern is matched against `search_tokens` and against the value rows of text (those without a
number: numbers and dates have no tokens).

A property held in a column of the record itself (Condition.column: its id, creation and last
change) has no rows in the search tables: it is compared in that column, through its index.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hubcrm.store.base import RECORD_COLUMNS, Condition, SearchQuery

_NEGATED = {"NEQ": "EQ", "NOT_IN": "IN", "NOT_HAS_PROPERTY": "HAS_PROPERTY", "NOT_TOKEN": "TOKEN"}
_COMPARE = {"EQ": "=", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}
_LIVE = "SELECT record_id FROM records WHERE portal_id = ? AND object_type = ? AND archived = ?"
# Live records written after a moment: through the index by last change (matches are live).
_RECENT = f"{_LIVE} AND updated_at > ?"
_VALUES = (
    "SELECT record_id FROM search_values WHERE portal_id = ? AND object_type = ? AND property = ?"
)
_TOKENS = (
    "SELECT record_id FROM search_tokens WHERE portal_id = ? AND object_type = ? AND property = ?"
)


@dataclass(frozen=True)
class Dialect:
    # SQL comparing column `token` with one bound pattern, e.g. "token GLOB ?".
    token_match: str
    # The same for the column `text_value`, as its by-text index can serve it.
    value_match: str
    # The column `text_value` as its by-text index orders it (its collation), so that the index
    # serves comparisons with it, and sorts order values the same way.
    text_value: str
    # A token pattern (`*` any run of characters, all else literal) as that bound pattern.
    pattern: Callable[[str], str]
    false: Any  # the value of archived = false
    # SQL testing `column` against a list bound as one parameter (of SQL element type `kind`:
    # text, float8 or bigint), and that list as the parameter: for IN lists too long to write
    # out (INLINE_VALUES).
    one_of: Callable[[str, str], str]
    array: Callable[[list[Any]], Any]


@dataclass(frozen=True)
class Statements:
    count: str
    page: str
    count_params: list[Any]
    page_params: list[Any]


def statements(
    dialect: Dialect, portal_id: int, object_type: str, query: SearchQuery
) -> Statements:
    key = (portal_id, object_type)
    matched, params = _matched(dialect, key, query)
    if query.written_before is not None:
        matched = f"SELECT record_id FROM ({matched}) w EXCEPT {_RECENT}"
        params = [*params, *key, dialect.false, query.written_before]
    order, order_params = _order(dialect, key, query)
    return Statements(
        count=f"SELECT COUNT(*) FROM ({matched}) c",
        page=f"SELECT m.record_id FROM ({matched}) m {order} LIMIT ? OFFSET ?",
        count_params=params,
        page_params=[*params, *order_params, query.limit, query.offset],
    )


def _matched(dialect: Dialect, key: tuple[int, str], query: SearchQuery) -> tuple[str, list[Any]]:
    words, words_params = _words(dialect, key, query)
    groups = query.groups or ((),)
    if words and not all(groups):  # a group without filters: the words alone
        return f"SELECT DISTINCT record_id FROM ({words}) w", words_params
    parts: list[str] = []
    params: list[Any] = []
    for group in groups:
        sql, group_params = _group(dialect, key, group)
        parts.append(sql)
        params += group_params
    # Each group in its own subquery: SQLite gives all compound operators one precedence.
    union = " UNION ".join(f"SELECT record_id FROM ({p}) g{i}" for i, p in enumerate(parts))
    if words:  # the words hold in every group: matched once, not once per group
        union = f"SELECT record_id FROM ({union}) g INTERSECT SELECT record_id FROM ({words}) w"
        params += words_params
    # A lone filter may match one record through several values or tokens: count it once.
    return f"SELECT DISTINCT record_id FROM ({union}) u", params


def _group(
    dialect: Dialect, key: tuple[int, str], group: tuple[Condition, ...]
) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for condition in group:
        sql, condition_params = _condition(dialect, key, condition)
        parts.append(sql)
        params += condition_params
    if not parts:  # no filters: every live record
        parts.append(_LIVE)
        params += [*key, dialect.false]
    return _intersection(parts), params


def _words(dialect: Dialect, key: tuple[int, str], query: SearchQuery) -> tuple[str, list[Any]]:
    """The records matching every word of the query ("" if it has none): each word, once, as
    a token prefix of one of the type's query properties."""
    parts: list[str] = []
    params: list[Any] = []
    for word in dict.fromkeys(query.words):  # a word twice asks nothing more
        marks = ", ".join("?" * len(query.word_properties))
        pattern = dialect.pattern(_literal(word) + "*")
        # The value rows one property at a time: each is then a range of the by-text index.
        values = [
            f" UNION {_VALUES} AND number_value IS NULL AND {dialect.value_match}"
            for _ in query.word_properties
        ]
        parts.append(
            "SELECT record_id FROM search_tokens WHERE portal_id = ? AND object_type = ?"
            f" AND property IN ({marks}) AND {dialect.token_match}" + "".join(values)
        )
        params += [*key, *query.word_properties, pattern]
        for name in query.word_properties:
            params += [*key, name, pattern]
    return (_intersection(parts) if parts else ""), params


def _intersection(parts: list[str]) -> str:
    return " INTERSECT ".join(f"SELECT record_id FROM ({p}) f{i}" for i, p in enumerate(parts))


def _condition(
    dialect: Dialect, key: tuple[int, str], condition: Condition
) -> tuple[str, list[Any]]:
    positive = _NEGATED.get(condition.operator)
    if positive is None:
        return _positive(dialect, key, condition)
    sql, params = _positive(dialect, key, replace(condition, operator=positive))
    return f"{_LIVE} EXCEPT SELECT record_id FROM ({sql}) n", [*key, dialect.false, *params]


def _positive(
    dialect: Dialect, key: tuple[int, str], condition: Condition
) -> tuple[str, list[Any]]:
    if condition.column is not None:
        return _in_column(dialect, key, condition)
    base = [*key, condition.property]
    column = "number_value" if condition.numeric else dialect.text_value
    op, operands = condition.operator, list(condition.operands)
    if op == "HAS_PROPERTY":
        return _VALUES, base
    if op in _COMPARE:
        return f"{_VALUES} AND {column} {_COMPARE[op]} ?", [*base, operands[0]]
    if op == "BETWEEN":
        return f"{_VALUES} AND {column} BETWEEN ? AND ?", [*base, *operands[:2]]
    if op == "IN":
        listed, values = _one_of(
            dialect, column, "float8" if condition.numeric else "text", operands
        )
        return f"{_VALUES} AND {listed}", [*base, *values]
    if op == "TOKEN":
        pattern = dialect.pattern(str(operands[0]))
        sql = (
            f"{_TOKENS} AND {dialect.token_match}"
            f" UNION {_VALUES} AND number_value IS NULL AND {dialect.value_match}"
        )
        return sql, [*base, pattern, *base, pattern]
    raise ValueError(f"unknown search operator {op}")


# IN lists up to this long are written out, a parameter a value, which every planner reads as
# index lookups; a longer one is bound as one parameter (the drivers take about 32,000).
INLINE_VALUES = 200


def _one_of(
    dialect: Dialect, column: str, kind: str, values: Sequence[Any]
) -> tuple[str, list[Any]]:
    if len(values) <= INLINE_VALUES:
        return f"{column} IN ({', '.join('?' * len(values))})", list(values)
    return dialect.one_of(column, kind), [dialect.array(list(values))]


# Integer bounds beyond any id or instant: clamping keeps huge operands inside a 64-bit integer.
_FAR = 2**62


def _in_column(
    dialect: Dialect, key: tuple[int, str], condition: Condition
) -> tuple[str, list[Any]]:
    """A condition on a property every live record holds in an integer column of its own."""
    column = _column(condition.column)
    live = [*key, dialect.false]
    op, operands = condition.operator, condition.operands
    nothing = f"{_LIVE} AND 1 = 0", live
    if op == "HAS_PROPERTY":
        return _LIVE, live
    if op == "TOKEN":
        return nothing  # numbers and instants have no words
    numbers = [x for x in operands if isinstance(x, float) and not math.isnan(x)]
    if op in ("EQ", "IN"):
        whole = [int(x) for x in numbers if x.is_integer() and abs(x) < _FAR]
        if not whole:
            return nothing
        listed, values = _one_of(dialect, column, "bigint", whole)
        return f"{_LIVE} AND {listed}", [*live, *values]
    if len(numbers) < len(operands):
        return nothing  # nothing compares with NaN
    low, high = numbers[0], numbers[-1]
    bounds = {
        "GT": (math.floor(_clamped(low)) + 1, None),
        "GTE": (math.ceil(_clamped(low)), None),
        "LT": (None, math.ceil(_clamped(high)) - 1),
        "LTE": (None, math.floor(_clamped(high))),
        "BETWEEN": (math.ceil(_clamped(low)), math.floor(_clamped(high))),
    }
    if op not in bounds:
        raise ValueError(f"unknown search operator {op}")
    least, most = bounds[op]
    sql, params = _LIVE, live
    if least is not None:
        sql, params = f"{sql} AND {column} >= ?", [*params, least]
    if most is not None:
        sql, params = f"{sql} AND {column} <= ?", [*params, most]
    return sql, params


def _clamped(x: float) -> float:
    return max(-_FAR, min(_FAR, x))


def _column(name: str | None) -> str:
    """A column name to write into SQL: only ever one of the known columns."""
    if name not in RECORD_COLUMNS:
        raise ValueError(f"not a record column: {name}")
    return name


def _order(dialect: Dialect, key: tuple[int, str], query: SearchQuery) -> tuple[str, list[Any]]:
    direction = "DESC" if query.sort.descending else "ASC"
    if query.sort.property is None:
        return f"ORDER BY m.record_id {direction}", []
    if query.sort.column is not None:
        value = (
            f"(SELECT r.{_column(query.sort.column)} FROM records r WHERE r.portal_id = ?"
            " AND r.object_type = ? AND r.record_id = m.record_id)"
        )
        return f"ORDER BY {value} {direction}, m.record_id", list(key)
    column = "number_value" if query.sort.numeric else dialect.text_value
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


def _literal(word: str) -> str:
    """A word as a token pattern matching itself: `*` cannot be written literally, so a `*` in
    a free-text word is dropped."""
    return word.replace("*", "")
