"""The search index follows every write: what a write changes, search forgets and learns."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import Api, upsert_input

SEARCH = "/crm/v3/objects/contacts/search"


def found(api: Api, *filters: dict[str, Any]) -> list[str]:
    response = api.post(
        SEARCH, {"filterGroups": [{"filters": list(filters)}], "properties": ["email"]}
    )
    assert response.status_code == 200, response.text
    return sorted(r["properties"]["email"] for r in response.json()["results"])


def token(name: str, value: str) -> dict[str, str]:
    return {"propertyName": name, "operator": "CONTAINS_TOKEN", "value": value}


def test_an_update_forgets_the_old_words_and_keeps_the_shared_ones(api: Api) -> None:
    api.upsert([upsert_input("ann@x.com", firstname="Ann Lee"), upsert_input("bo@x.com")])
    assert found(api, token("firstname", "lee")) == ["ann@x.com"]

    api.upsert([upsert_input("ann@x.com", firstname="Ann Smith")])

    assert found(api, token("firstname", "lee")) == []
    assert found(api, token("firstname", "ann")) == ["ann@x.com"]
    assert found(api, token("firstname", "smith")) == ["ann@x.com"]
    assert found(api, {"propertyName": "firstname", "operator": "EQ", "value": "ann lee"}) == []
    assert found(api, {"propertyName": "firstname", "operator": "EQ", "value": "Ann Smith"}) == [
        "ann@x.com"
    ]


def test_a_changed_number_is_compared_by_its_new_value_only(api: Api) -> None:
    api.upsert([upsert_input("n@x.com", followercount="5")])
    api.upsert([upsert_input("n@x.com", followercount="50")])
    at_least_ten = {"propertyName": "followercount", "operator": "GTE", "value": "10"}
    below_ten = {"propertyName": "followercount", "operator": "LT", "value": "10"}
    assert found(api, at_least_ten) == ["n@x.com"]
    assert found(api, below_ten) == []
    assert found(api, token("followercount", "50")) == []  # numbers are compared, not words


def test_clearing_a_value_removes_it_from_search(api: Api) -> None:
    api.upsert([upsert_input("c@x.com", company="Acme Corp")])
    api.upsert([upsert_input("c@x.com", company="")])
    has_company = {"propertyName": "company", "operator": "HAS_PROPERTY"}
    assert found(api, has_company) == []
    assert found(api, token("company", "acme")) == []


def test_an_archived_contact_leaves_search_entirely(api: Api) -> None:
    created = api.upsert([upsert_input("gone@x.com", firstname="Gone"), upsert_input("s@x.com")])
    gone_id = next(
        r["id"] for r in created.json()["results"] if r["properties"]["email"] == "gone@x.com"
    )
    response = api.post("/crm/v3/objects/contacts/batch/archive", {"inputs": [{"id": gone_id}]})
    assert response.status_code == 204
    assert found(api, token("firstname", "gone")) == []
    assert found(api, {"propertyName": "email", "operator": "HAS_PROPERTY"}) == ["s@x.com"]


def test_the_server_catches_search_up_in_the_background(api: Api) -> None:
    """No search needed: shortly after a write its search rows are caught up."""
    store = api.state.store
    assert api.upsert([upsert_input("bg@x.com", firstname="Bea")]).status_code == 200
    for _ in range(500):
        if not api.call(store.search_lags, api.portal_id, "0-1"):
            break
        time.sleep(0.01)
    assert not api.call(store.search_lags, api.portal_id, "0-1")
    assert found(api, token("firstname", "bea")) == ["bg@x.com"]


def test_a_whole_value_is_a_token_of_text_but_not_of_numbers(api: Api) -> None:
    api.upsert([upsert_input("w@x.com", company="Acme Corp", followercount="50")])
    api.upsert([upsert_input("v@x.com", company="Acme")])
    assert found(api, token("company", "acme corp")) == ["w@x.com"]
    assert found(api, token("company", "acme c*")) == ["w@x.com"]
    assert found(api, token("company", "acme")) == ["v@x.com", "w@x.com"]
    assert found(api, token("followercount", "50")) == []
    words = api.post(SEARCH, {"query": "acme corp", "properties": ["email"]})
    assert [r["properties"]["email"] for r in words.json()["results"]] == ["w@x.com"]
