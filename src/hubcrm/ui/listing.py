"""The records page's state, read from and written to its URL: columns, filters, sort, page.

Every list is a search: the page builds a HubSpot search request and hands it to the same
search the API serves, so a filter behaves in the UI exactly as in an integration's request.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records.search import OPERATORS
from hubcrm.protocol.wire import Filter, FilterGroup, PropertyValue, SearchRequest, Sort

PAGE_SIZES = (25, 50, 100)
MAX_FILTER_ROWS = 10
# Operators the filter form offers, in HubSpot's words; the search checks them as ever.
NO_VALUE = frozenset({"HAS_PROPERTY", "NOT_HAS_PROPERTY"})
LIST_VALUE = frozenset({"IN", "NOT_IN"})


@dataclass(frozen=True)
class FilterRow:
    property: str
    operator: str
    value: str = ""
    high_value: str = ""

    def wire(self) -> Filter:
        if self.operator in NO_VALUE:
            return Filter(self.property, self.operator)
        if self.operator in LIST_VALUE:
            values: list[PropertyValue] = [v.strip() for v in self.value.split(",") if v.strip()]
            return Filter(self.property, self.operator, values=values)
        if self.operator == "BETWEEN":
            return Filter(self.property, self.operator, self.value, self.high_value)
        return Filter(self.property, self.operator, self.value)


@dataclass(frozen=True)
class Listing:
    columns: tuple[str, ...]
    query: str = ""
    filters: tuple[FilterRow, ...] = ()
    sort: str = ""  # a property name, `-name` for descending; empty: by id
    offset: int = 0
    limit: int = PAGE_SIZES[0]

    @classmethod
    def read(cls, params: QueryParams, object_type: ObjectType) -> Listing:
        chosen = params.getlist("col") or _split(params.get("columns", ""))
        columns = tuple(dict.fromkeys(c for c in chosen if c)) or default_columns(object_type)
        rows = zip(
            params.getlist("fp"),
            params.getlist("fo"),
            params.getlist("fv") or [""] * len(params.getlist("fp")),
            params.getlist("fh") or [""] * len(params.getlist("fp")),
            strict=False,
        )
        filters = tuple(
            FilterRow(p.strip(), o.strip().upper(), v, h)
            for p, o, v, h in rows
            if p.strip() and o.strip()
        )[:MAX_FILTER_ROWS]
        limit = _int(params.get("limit"), PAGE_SIZES[0])
        return cls(
            columns=columns,
            query=params.get("q", "").strip(),
            filters=filters,
            sort=params.get("sort", "").strip(),
            offset=max(0, _int(params.get("offset"), 0)),
            limit=limit if limit in PAGE_SIZES else PAGE_SIZES[0],
        )

    def search_request(self) -> SearchRequest:
        sorts: list[str | Sort] = []
        if self.sort:
            name = self.sort.lstrip("-")
            direction = "DESCENDING" if self.sort.startswith("-") else "ASCENDING"
            sorts = [Sort(name, direction)]
        groups = [FilterGroup([f.wire() for f in self.filters])] if self.filters else []
        return SearchRequest(
            filter_groups=groups,
            sorts=sorts,
            query=self.query or None,
            limit=self.limit,
            after=str(self.offset) if self.offset else None,
        )

    def params(self, **changes: object) -> str:
        """This listing's query string, with some of its fields changed."""
        state = dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = [("columns", ",".join(state.columns))]
        if state.query:
            pairs.append(("q", state.query))
        for row in state.filters:
            pairs += [("fp", row.property), ("fo", row.operator)]
            pairs += [("fv", row.value), ("fh", row.high_value)]
        if state.sort:
            pairs.append(("sort", state.sort))
        if state.offset:
            pairs.append(("offset", str(state.offset)))
        if state.limit != PAGE_SIZES[0]:
            pairs.append(("limit", str(state.limit)))
        return urlencode(pairs)

    def sorted_by(self, column: str) -> str:
        """The query string that sorts by this column: ascending first, then descending."""
        return self.params(sort=f"-{column}" if self.sort == column else column, offset=0)

    def without_column(self, column: str) -> str:
        kept = tuple(c for c in self.columns if c != column)
        return self.params(columns=kept or self.columns)


def default_columns(object_type: ObjectType) -> tuple[str, ...]:
    """The record id, then what reads return by default (less the times, shown last)."""
    times = (object_type.created_property, object_type.modified_property)
    middle = [
        name
        for name in object_type.default_properties
        if name not in times and name != object_type.id_property
    ]
    return (object_type.id_property, *middle, object_type.modified_property)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")]


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


__all__ = ["OPERATORS", "FilterRow", "Listing", "default_columns"]
