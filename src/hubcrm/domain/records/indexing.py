"""What search knows of a record: its values typed for comparison, and the words in them."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime

from hubcrm.domain.records.schema import Schema
from hubcrm.store.base import (
    SearchChange,
    SearchEntries,
    SearchLag,
    SearchToken,
    SearchValue,
)

NUMERIC_TYPES = frozenset({"number", "date", "datetime"})
# Words of long texts beyond this many are not searchable by token.
MAX_TOKENS_PER_VALUE = 256
# Values are indexed (compared and sorted) by their first this many characters: an index entry
# must stay small (PostgreSQL refuses B-tree entries over about 2.7 kB).
MAX_INDEXED_CHARS = 512
_WORD = re.compile(r"[^\W_]+")


def change(schema: Schema, lag: SearchLag, searched: Collection[str]) -> SearchChange:
    """What search must forget and learn to catch up a record it knows by `lag.indexed`.

    Only the searched properties whose values differ are looked at, and a word both values
    share stays: catching up costs the search tables what changed, not the size of the record.
    Properties held in the record's own columns (its id, creation and last change) are searched
    there.
    """
    old = lag.indexed or {}
    current = lag.current
    new = {} if current is None or current.archived else current.properties
    columns = schema.record_columns
    # Searches name a few properties, records hold many: look at the searched ones.
    names = [name for name in searched if old.get(name) != new.get(name) and name not in columns]
    if not names:  # most updates leave every searched value as it was
        return SearchChange(SearchEntries([], []), SearchEntries([], []))
    old_values, old_tokens = _entries(schema, old, names)
    new_values, new_tokens = _entries(schema, new, names)
    return SearchChange(
        SearchEntries(list(old_values - new_values), list(old_tokens - new_tokens)),
        SearchEntries(list(new_values - old_values), list(new_tokens - old_tokens)),
    )


def built(schema: Schema, known: dict[str, str], names: Iterable[str]) -> SearchChange:
    """What search learns of a record it knows by `known` when it starts keeping rows for these
    properties."""
    values, tokens = _entries(schema, known, names)
    return SearchChange(SearchEntries([], []), SearchEntries(list(values), list(tokens)))


def _entries(
    schema: Schema, properties: dict[str, str], names: Iterable[str]
) -> tuple[set[SearchValue], set[SearchToken]]:
    values: set[SearchValue] = set()
    tokens: set[SearchToken] = set()
    for name in names:
        value = properties.get(name)
        if not value:
            continue
        kind, multi = schema.kind(name)
        for item in value.split(";") if multi else (value,):
            if item == "":
                continue
            lowered = item.lower()
            text = lowered[:MAX_INDEXED_CHARS]
            values.add(SearchValue(name, text, number(kind, item)))
            if kind not in NUMERIC_TYPES:  # numbers and dates are compared, not searched by word
                # The whole value is a token too, found among the values (search_sql.py).
                tokens.update(SearchToken(name, w) for w in words(lowered) if w != text)
    return values, tokens


def number(kind: str, value: str) -> float | None:
    """The value as a number for numbers, dates and datetimes (epoch ms); else None."""
    if kind not in NUMERIC_TYPES:
        return None
    try:
        if kind == "number":
            return float(value)
        return float(epoch_ms(value))
    except ValueError:
        return None


def epoch_ms(value: str) -> int:
    """Epoch milliseconds, `YYYY-MM-DD` or ISO-8601 (no zone means UTC); else ValueError."""
    if re.fullmatch(r"-?\d{1,15}", value):
        return int(value)
    if len(value) == 10:
        day = date.fromisoformat(value)
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def words(lowered: str) -> list[str]:
    """The words of a lower-cased value, as tokens."""
    return [w[:MAX_INDEXED_CHARS] for w in _WORD.findall(lowered)[:MAX_TOKENS_PER_VALUE]]
