"""Search as the store runs it: the rows it keeps of records, and a typed query over them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from hubcrm.store.base.records import Record


class SearchValue(NamedTuple):
    """One value a live record holds, as search compares it."""

    property: str
    text: str  # lower-cased
    number: float | None = None  # numbers; dates and datetimes as epoch milliseconds


class SearchToken(NamedTuple):
    property: str
    token: str  # lower-cased word of a value, or the whole value


@dataclass(frozen=True)
class SearchEntries:
    """Values and words of a record that search knows (or should)."""

    values: list[SearchValue]
    tokens: list[SearchToken]


@dataclass(frozen=True)
class SearchChange:
    """What search must forget of a record, and then learn: only what a write changed."""

    removed: SearchEntries
    added: SearchEntries


@dataclass(frozen=True)
class SearchLag:
    """A record whose search rows lag behind its writes."""

    record_id: int
    indexed: dict[str, str] | None  # the properties search knows it by; None: it knows none
    current: Record | None  # the record now (None if it is gone)


Operand = str | float


@dataclass(frozen=True)
class Condition:
    """One filter. `numeric` compares `number`, else `text`; operands are already typed.

    Operators: EQ NEQ LT LTE GT GTE BETWEEN IN NOT_IN HAS_PROPERTY NOT_HAS_PROPERTY, and TOKEN /
    NOT_TOKEN whose operands are glob patterns over tokens (`*` any run of characters).
    Negated operators (NEQ, NOT_IN, NOT_HAS_PROPERTY, NOT_TOKEN) match records without a value.
    """

    property: str
    operator: str
    operands: tuple[Operand, ...] = ()
    numeric: bool = False
    # The records column holding this property for every live record (RECORD_COLUMNS), if one
    # does: then it is compared there, as an integer, and search keeps no rows for it.
    column: str | None = None


@dataclass(frozen=True)
class SortKey:
    property: str | None  # None: by record id
    descending: bool = False
    numeric: bool = False
    column: str | None = None  # as in Condition


# Integer columns of records that search reads like properties: a record's id, when it was
# created and when it last changed.
RECORD_COLUMNS = frozenset({"record_id", "created_at", "updated_at"})


@dataclass(frozen=True)
class SearchQuery:
    # OR of groups, AND within a group; no groups matches every live record.
    groups: tuple[tuple[Condition, ...], ...]
    sort: SortKey
    offset: int
    limit: int
    # Free text: every word must prefix a token of one of these properties.
    words: tuple[str, ...] = ()
    word_properties: tuple[str, ...] = ()
    # Only records last written at or before this moment (epoch ms): --search-delay.
    written_before: int | None = None


@dataclass(frozen=True)
class SearchResult:
    record_ids: list[int]
    total: int
