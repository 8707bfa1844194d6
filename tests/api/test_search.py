"""Search in process: every operator, typed comparisons, sorts, query, paging and limits."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hubcrm.domain.clock import format_ms
from hubcrm.store import search_sql, sqlite
from hubcrm.store.base import Condition, SearchQuery, SortKey
from hubcrm.store.sqlite import search as sqlite_search
from tests.api.helpers import assert_error
from tests.conftest import START_MS, Api, upsert_input

SEARCH = "/crm/v3/objects/contacts/search"
START = START_MS
PROPERTIES = "/crm/v3/properties/contacts"


@pytest.fixture
def people(api: Api) -> Api:
    for name, kind in [("score", "number"), ("joined", "date")]:
        field = "number" if kind == "number" else "date"
        body = {"name": name, "label": name, "type": kind, "fieldType": field}
        assert api.post(PROPERTIES, body | {"groupName": "contactinformation"}).status_code == 201
    rows = [
        ("ann@acme.com", "Ann", "Lee", "9", "2025-01-05", "Acme Corp"),
        ("bob@acme.com", "Bob", "Stone", "10", "2025-03-01", "Acme Corp"),
        ("cy@other.org", "Cy", "Lee", "100", "2024-12-31", "Other Ltd"),
        ("dee@other.org", "Dee", "", "", "", "Other Ltd"),
    ]
    inputs = [
        upsert_input(email, firstname=first, lastname=last, score=score, joined=day, company=co)
        for email, first, last, score, day, co in rows
    ]
    response = api.upsert(inputs)
    assert response.status_code == 200, response.text
    return api


def ids(api: Api, body: dict[str, Any]) -> list[str]:
    response = api.post(SEARCH, body)
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["results"]]


def where(*filters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"filterGroups": [{"filters": list(filters)}], **extra}


def f(name: str, operator: str, **rest: Any) -> dict[str, Any]:
    return {"propertyName": name, "operator": operator, **rest}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([f("lastname", "EQ", value="lee")], ["1", "3"]),  # text compares case-insensitively
        ([f("lastname", "NEQ", value="Lee")], ["2", "4"]),  # records without a value match too
        ([f("score", "GT", value="9")], ["2", "3"]),  # numbers as numbers: "10" > "9"
        ([f("score", "GTE", value="10")], ["2", "3"]),
        ([f("score", "LT", value="10")], ["1"]),
        ([f("score", "LTE", value="10")], ["1", "2"]),
        ([f("score", "BETWEEN", value="9", highValue="10")], ["1", "2"]),
        ([f("joined", "GTE", value="2025-01-01")], ["1", "2"]),  # dates as dates
        ([f("joined", "LT", value="1735689600000")], ["3"]),  # epoch ms of 2025-01-01
        ([f("firstname", "IN", values=["ANN", "cy"])], ["1", "3"]),
        ([f("firstname", "NOT_IN", values=["Ann", "Cy"])], ["2", "4"]),
        ([f("score", "HAS_PROPERTY")], ["1", "2", "3"]),
        ([f("score", "NOT_HAS_PROPERTY")], ["4"]),
        ([f("company", "CONTAINS_TOKEN", value="corp")], ["1", "2"]),
        ([f("email", "CONTAINS_TOKEN", value="*@other.org")], ["3", "4"]),
        ([f("company", "NOT_CONTAINS_TOKEN", value="acme")], ["3", "4"]),
        ([f("lastname", "EQ", value="Lee"), f("score", "GT", value="50")], ["3"]),  # AND
    ],
)
def test_operators(people: Api, filters: list[dict[str, Any]], expected: list[str]) -> None:
    assert ids(people, where(*filters)) == expected


def test_groups_are_ored_and_total_counts_every_match(people: Api) -> None:
    body = {
        "filterGroups": [
            {"filters": [f("firstname", "EQ", value="Ann")]},
            {"filters": [f("firstname", "EQ", value="Dee")]},
        ],
        "properties": ["firstname", "score"],
    }
    response = people.post(SEARCH, body).json()
    assert response["total"] == 2
    assert [r["properties"] for r in response["results"]] == [
        {"firstname": "Ann", "score": "9"},
        {"firstname": "Dee", "score": None},
    ]
    assert "paging" not in response


def test_sorts_paging_and_query(people: Api) -> None:
    assert ids(people, {"sorts": ["-score"]}) == ["3", "2", "1", "4"]  # unset values last
    assert ids(people, {"sorts": [{"propertyName": "score", "direction": "ASCENDING"}]}) == [
        "1",
        "2",
        "3",
        "4",
    ]
    assert ids(people, {"sorts": ["lastname"]}) == ["1", "3", "2", "4"]
    first = people.post(SEARCH, {"limit": 3}).json()
    assert first["total"] == 4
    assert first["paging"] == {"next": {"after": "3"}}
    assert ids(people, {"limit": 3, "after": "3"}) == ["4"]
    assert ids(people, {"query": "acme"}) == ["1", "2"]
    assert ids(people, {"query": "ST"}) == ["2"]  # a word prefixes a token
    assert ids(people, {"query": "lee ann"}) == ["1"]  # every word must match
    assert ids(people, {"query": "lee lee ann LEE"}) == ["1"]  # a word twice asks no more


def test_filters_outside_groups_are_one_more_group(people: Api) -> None:
    """`filters` at the top level of the body, which HubSpot takes too (docs/fidelity.md): ANDed,
    like a group's, and ORed with any `filterGroups`."""
    acme_lees = [f("company", "EQ", value="Acme Corp"), f("lastname", "EQ", value="Lee")]
    assert ids(people, {"filters": acme_lees}) == ["1"]
    dee = [{"filters": [f("firstname", "EQ", value="Dee")]}]
    assert ids(people, {"filters": acme_lees, "filterGroups": dee}) == ["1", "4"]
    eleven = [f("firstname", "HAS_PROPERTY")] * 11
    assert_error(
        people.post(SEARCH, {"filters": eleven}),
        400,
        "VALIDATION_ERROR",
        "Too many filters in a filter group: the maximum is 10",
    )
    six_groups = {"filters": acme_lees, "filterGroups": dee * 5}
    assert_error(
        people.post(SEARCH, six_groups),
        400,
        "VALIDATION_ERROR",
        "Too many filter groups: the maximum is 5",
    )


def test_a_query_holds_in_every_filter_group(people: Api) -> None:
    """query AND (group OR group): the words narrow each group; groups of no filters are
    ignored, leaving the words alone."""
    lee_or_acme = [
        {"filters": [f("lastname", "EQ", value="Lee")]},
        {"filters": [f("company", "EQ", value="Acme Corp")]},
    ]
    assert ids(people, {"query": "lee", "filterGroups": lee_or_acme}) == ["1", "3"]
    assert ids(people, {"query": "acme", "filterGroups": lee_or_acme}) == ["1", "2"]
    assert ids(people, {"query": "other", "filterGroups": lee_or_acme}) == ["3"]
    assert ids(people, {"query": "other", "filterGroups": [{"filters": []}] * 2}) == ["3", "4"]


def test_archived_and_changed_contacts_leave_and_move_in_search(people: Api) -> None:
    people.post("/crm/v3/objects/contacts/batch/archive", {"inputs": [{"id": "1"}]})
    assert ids(people, where(f("lastname", "EQ", value="Lee"))) == ["3"]
    people.upsert([upsert_input("cy@other.org", lastname="Moss")])
    assert ids(people, where(f("lastname", "EQ", value="Lee"))) == []
    assert ids(people, where(f("lastname", "EQ", value="moss"))) == ["3"]


@pytest.fixture
def dated(api: Api) -> Api:
    """Contacts 1, 2 and 3 created one second apart; then 1 changed, one second later."""
    for email in ("a@x.com", "b@x.com", "c@x.com"):
        assert api.upsert([upsert_input(email, firstname="A")]).status_code == 200
        api.clock.advance(1000)
    assert api.upsert([upsert_input("a@x.com", firstname="B")]).status_code == 200
    return api


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([f("createdate", "GTE", value=str(START + 1000))], ["2", "3"]),
        ([f("createdate", "GT", value=format_ms(START + 1000))], ["3"]),
        ([f("createdate", "LT", value=str(START + 1000))], ["1"]),
        ([f("hs_object_id", "LTE", value="1.5")], ["1"]),
        ([f("createdate", "EQ", value=format_ms(START + 1000))], ["2"]),
        ([f("createdate", "NEQ", value=format_ms(START + 1000))], ["1", "3"]),
        ([f("lastmodifieddate", "GT", value=str(START + 2000))], ["1"]),
        (
            [f("lastmodifieddate", "BETWEEN", value=str(START), highValue=str(START + 2000))],
            ["2", "3"],
        ),
        ([f("lastmodifieddate", "BETWEEN", value=str(START + 1), highValue=str(START + 999))], []),
        ([f("hs_object_id", "IN", values=["1", "3", "2.5"])], ["1", "3"]),
        ([f("hs_object_id", "NOT_IN", values=["1"])], ["2", "3"]),
        ([f("hs_object_id", "GT", value="1.5")], ["2", "3"]),
        ([f("hs_object_id", "LT", value="1e300")], ["1", "2", "3"]),
        ([f("hs_object_id", "GTE", value="-inf")], ["1", "2", "3"]),
        ([f("hs_object_id", "EQ", value="nan")], []),
        ([f("hs_object_id", "EQ", value="2.5")], []),
        ([f("createdate", "HAS_PROPERTY")], ["1", "2", "3"]),
        ([f("lastmodifieddate", "NOT_HAS_PROPERTY")], []),
        ([f("createdate", "CONTAINS_TOKEN", value="2026")], []),
        ([f("createdate", "NOT_CONTAINS_TOKEN", value="2026")], ["1", "2", "3"]),
    ],
)
def test_id_creation_and_last_change_compare_as_numbers_and_instants(
    dated: Api, filters: list[dict[str, Any]], expected: list[str]
) -> None:
    assert ids(dated, where(*filters)) == expected


def test_id_creation_and_last_change_sort_and_follow_archiving(dated: Api) -> None:
    assert ids(dated, {"sorts": ["-lastmodifieddate"]}) == ["1", "3", "2"]
    assert ids(dated, {"sorts": ["createdate"]}) == ["1", "2", "3"]
    assert ids(dated, {"sorts": ["-hs_object_id"]}) == ["3", "2", "1"]
    since = where(f("lastmodifieddate", "GTE", value=str(START)), sorts=["lastmodifieddate"])
    assert ids(dated, since) == ["2", "3", "1"]
    dated.post("/crm/v3/objects/contacts/batch/archive", {"inputs": [{"id": "3"}]})
    assert ids(dated, since) == ["2", "1"]
    assert dated.post(SEARCH, where(f("createdate", "HAS_PROPERTY"))).json()["total"] == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"limit": 201}, "limit must be between 1 and 200, not 201"),
        (
            {"limit": 100, "after": "9950"},
            "The search window is limited to 10000 results: after plus limit must not exceed 10000",
        ),
        ({"after": "x"}, "after must be a paging cursor from a previous answer, not x"),
        (
            {"filterGroups": [{"filters": [f("email", "HAS_PROPERTY")]}] * 6},
            "Too many filter groups: the maximum is 5",
        ),
        (
            where(*[f("email", "HAS_PROPERTY")] * 11),
            "Too many filters in a filter group: the maximum is 10",
        ),
        (
            {"filterGroups": [{"filters": [f("email", "HAS_PROPERTY")] * 6}] * 5},
            "Too many filters: the maximum across all filter groups is 25",
        ),
        (
            where(f("nope", "EQ", value="1")),
            'Property "nope" does not exist and cannot be searched',
        ),
        (where(f("email", "EQ")), "A filter with operator EQ needs value"),
        (where(f("email", "BETWEEN", value="a")), "A filter with operator BETWEEN needs highValue"),
        (where(f("email", "IN")), "A filter with operator IN needs values"),
        (
            where(f("email", "LIKE", value="a")),
            "Unknown filter operator LIKE; use one of EQ, GT, GTE, LT, LTE, NEQ, BETWEEN, IN, "
            "NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN",
        ),
        (
            where(f("score", "GT", value="ten")),
            "ten is not a valid number value for property score",
        ),
        (
            {"sorts": [{"propertyName": "email", "direction": "UP"}]},
            "Sort direction must be ASCENDING or DESCENDING, not UP",
        ),
        (
            {"query": " ".join(["ann"] * 101), "filterGroups": [{"filters": []}] * 5},
            "The search query has too many words: the maximum is 100",
        ),
    ],
)
def test_invalid_searches_are_400(people: Api, body: dict[str, Any], message: str) -> None:
    assert_error(people.post(SEARCH, body), 400, "VALIDATION_ERROR", message)


def test_in_lists_of_any_length(people: Api) -> None:
    """An IN list is one bound parameter however long, where the database drivers take at most
    about 32,000 parameters a statement; the longest query text allowed also fits."""
    others = ["x"] * 33_000  # repeats keep the body under the test server's size limit
    assert ids(people, where(f("firstname", "IN", values=["Ann", *others, "CY"]))) == ["1", "3"]
    assert ids(people, where(f("firstname", "NOT_IN", values=[*others, "Ann"]))) == ["2", "3", "4"]
    zeros = ["0"] * 33_000
    assert ids(people, where(f("score", "IN", values=[*zeros, "9", "inf"]))) == ["1"]
    assert ids(people, where(f("hs_object_id", "IN", values=[*zeros, "2"]))) == ["2"]
    groups = [{"filters": [f("email", "HAS_PROPERTY")]}] * 5
    long_query = {"query": " ".join(["acme"] * 100), "filterGroups": groups}
    assert ids(people, long_query) == ["1", "2"]


def test_search_reads_indexes_not_every_contact(tmp_path: Path) -> None:
    """On SQLite, an EQ filter reads the search index of the one property it names."""
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    asyncio.run(sqlite.migrate(url))
    query = SearchQuery(
        groups=((Condition("email", "EQ", ("ann@acme.com",)),),),
        sort=SortKey("lastname"),
        offset=0,
        limit=10,
    )
    sql = search_sql.statements(sqlite_search.DIALECT, 1, "0-1", query)
    conn = sqlite3.connect(tmp_path / "plan.db")
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql.page, sql.page_params).fetchall()
    conn.close()
    plan = " | ".join(str(row[3]) for row in rows)
    assert "SEARCH search_values USING" in plan, plan
    assert "SCAN search_values" not in plan, plan
    assert "records" not in plan, plan


def test_free_text_reads_index_ranges_of_each_property(tmp_path: Path) -> None:
    """On SQLite, `query` words read a range of tokens and of each property's values."""
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    asyncio.run(sqlite.migrate(url))
    query = SearchQuery(
        groups=(),
        sort=SortKey(None),
        offset=0,
        limit=10,
        words=("acme",),
        word_properties=("firstname", "email", "company"),
    )
    sql = search_sql.statements(sqlite_search.DIALECT, 1, "0-1", query)
    conn = sqlite3.connect(tmp_path / "plan.db")
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql.page, sql.page_params).fetchall()
    conn.close()
    plan = [str(row[3]) for row in rows]
    by_text = [step for step in plan if "search_values_by_text" in step]
    assert len(by_text) == 3, plan
    assert all("property=? AND text_value>? AND text_value<?" in step for step in by_text), plan
    assert not [step for step in plan if step.startswith("SCAN search_")], plan
