"""A search request checked against the portal's properties and turned into a typed query.

Values are compared by each property's type: numbers as numbers, dates and datetimes as instants
(epoch milliseconds, ISO-8601 or `YYYY-MM-DD` accepted), everything else as case-insensitive text.
"""

from __future__ import annotations

from dataclasses import dataclass

from hubcrm.domain.records.indexing import MAX_INDEXED_CHARS, NUMERIC_TYPES, epoch_ms
from hubcrm.domain.records.schema import Schema, text
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ValidationError
from hubcrm.protocol.wire import Filter, FilterGroup, PropertyValue, SearchRequest, Sort
from hubcrm.store.base import Condition, Operand, SearchQuery, SortKey

MAX_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_RESULTS = 10_000
MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS = 25
# Words of the free-text `query` (hubcrm's cap: each word is matched against every default
# searchable property, and a longer text is no longer a search).
MAX_QUERY_WORDS = 100

_SINGLE = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE"}
_LIST = {"IN", "NOT_IN"}
_PRESENCE = {"HAS_PROPERTY", "NOT_HAS_PROPERTY"}
_TOKEN = {"CONTAINS_TOKEN": "TOKEN", "NOT_CONTAINS_TOKEN": "NOT_TOKEN"}
OPERATORS = (*sorted(_SINGLE), "BETWEEN", *sorted(_LIST), *sorted(_PRESENCE), *sorted(_TOKEN))


@dataclass(frozen=True)
class SearchPlan:
    query: SearchQuery

    @property
    def searched(self) -> set[str]:
        """The properties whose search rows the query reads (not those held in columns)."""
        query = self.query
        named = {c.property for group in query.groups for c in group if c.column is None}
        if query.sort.property is not None and query.sort.column is None:
            named.add(query.sort.property)
        return named | set(query.word_properties)


def plan_search(schema: Schema, request: SearchRequest) -> SearchPlan:
    limit = DEFAULT_LIMIT if request.limit is None else request.limit
    if not 0 <= limit <= MAX_LIMIT:
        raise ValidationError(messages.INVALID_LIMIT.format(limit=limit, max=MAX_LIMIT))
    offset = _offset(request.after)
    if offset + limit > MAX_RESULTS:
        raise ValidationError(messages.SEARCH_WINDOW.format(max=MAX_RESULTS))
    given = _filter_groups(request)
    _check_caps(given)
    groups = tuple(
        tuple(_condition(schema, f) for f in group.filters) for group in given if group.filters
    )
    words = tuple((request.query or "").lower().split())
    if len(words) > MAX_QUERY_WORDS:
        raise ValidationError(messages.QUERY_TOO_LONG.format(max=MAX_QUERY_WORDS))
    return SearchPlan(
        SearchQuery(
            groups=groups,
            sort=_sort(schema, request.sorts),
            offset=offset,
            limit=limit,
            words=words,
            word_properties=schema.object_type.search_properties if words else (),
        )
    )


def _offset(after: str | int | None) -> int:
    if after is None or after == "":
        return 0
    raw = str(after)
    if not raw.isdigit() or not raw.isascii() or len(raw) > 9:
        raise ValidationError(messages.INVALID_AFTER.format(after=raw))
    return int(raw)


def _filter_groups(request: SearchRequest) -> list[FilterGroup]:
    """The request's groups: `filters` at the top level of the body are one more group."""
    if not request.filters:
        return request.filter_groups
    return [*request.filter_groups, FilterGroup(filters=request.filters)]


def _check_caps(groups: list[FilterGroup]) -> None:
    if len(groups) > MAX_GROUPS:
        raise ValidationError(messages.TOO_MANY_FILTER_GROUPS.format(max=MAX_GROUPS))
    if any(len(group.filters) > MAX_FILTERS_PER_GROUP for group in groups):
        raise ValidationError(messages.TOO_MANY_FILTERS_IN_GROUP.format(max=MAX_FILTERS_PER_GROUP))
    if sum(len(group.filters) for group in groups) > MAX_FILTERS:
        raise ValidationError(messages.TOO_MANY_FILTERS.format(max=MAX_FILTERS))


def _condition(schema: Schema, spec: Filter) -> Condition:
    name, operator = spec.property_name, spec.operator
    definition = schema.definitions.get(name)
    if definition is None:
        raise ValidationError(messages.SEARCH_UNKNOWN_PROPERTY.format(name=name))
    numeric = definition.type in NUMERIC_TYPES
    column = schema.record_columns.get(name)
    if operator in _PRESENCE:
        return Condition(name, operator, column=column)
    if operator in _TOKEN:
        value = _required(spec.value, spec, "value")
        return Condition(name, _TOKEN[operator], (text(value).lower(),), column=column)
    if operator in _SINGLE:
        operands: tuple[PropertyValue, ...] = (_required(spec.value, spec, "value"),)
    elif operator == "BETWEEN":
        operands = (
            _required(spec.value, spec, "value"),
            _required(spec.high_value, spec, "highValue"),
        )
    elif operator in _LIST:
        if not spec.values:
            raise ValidationError(messages.FILTER_NEEDS.format(operator=operator, field="values"))
        operands = tuple(spec.values)
    else:
        raise ValidationError(
            messages.UNKNOWN_OPERATOR.format(operator=operator, operators=", ".join(OPERATORS))
        )
    typed = tuple(_typed(definition.type, name, value) for value in operands)
    return Condition(name, operator, typed, numeric, column)


def _required(value: PropertyValue, spec: Filter, field: str) -> PropertyValue:
    if value is None:
        raise ValidationError(messages.FILTER_NEEDS.format(operator=spec.operator, field=field))
    return value


def _typed(kind: str, name: str, value: PropertyValue) -> Operand:
    raw = text(value)
    if kind not in NUMERIC_TYPES:
        return raw.lower()[:MAX_INDEXED_CHARS]
    try:
        return float(raw) if kind == "number" else float(epoch_ms(raw))
    except ValueError:
        raise ValidationError(
            messages.FILTER_VALUE_INVALID.format(value=raw, name=name, type=kind)
        ) from None


def _sort(schema: Schema, sorts: list[str | Sort]) -> SortKey:
    """The first sort (HubSpot applies one); none sorts by record id, oldest first."""
    if not sorts:
        return SortKey(None)
    first = sorts[0]
    if isinstance(first, str):
        descending = first.startswith("-")
        name = first.lstrip("-")
    else:
        if first.direction not in ("ASCENDING", "DESCENDING"):
            raise ValidationError(messages.INVALID_SORT_DIRECTION.format(direction=first.direction))
        name, descending = first.property_name, first.direction == "DESCENDING"
    definition = schema.definitions.get(name)
    if definition is None:
        raise ValidationError(messages.SEARCH_UNKNOWN_PROPERTY.format(name=name))
    if name == schema.object_type.id_property:
        return SortKey(None, descending)
    column = schema.record_columns.get(name)
    return SortKey(name, descending, definition.type in NUMERIC_TYPES, column)
