"""--search-delay: new and changed records stay out of search results for a while, as in HubSpot."""

from __future__ import annotations

from typing import Any

from tests.control.conftest import Controlled, MakeControlled

SEARCH = "/crm/v3/objects/contacts/search"


def search(controlled: Controlled, token: str, **filter_: str) -> Any:
    body = {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": k, "operator": "EQ", "value": v} for k, v in filter_.items()
                ]
            }
        ]
    }
    answer = controlled.client.post(SEARCH, json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return [result["id"] for result in answer.json()["results"]], answer.json()["total"]


def test_new_and_changed_contacts_are_searchable_only_after_the_delay(
    make_controlled: MakeControlled,
) -> None:
    with make_controlled(search_delay=1500) as controlled:
        _, token = controlled.portal()
        controlled.upsert(token, "ann@example.com", firstname="Ann")
        assert search(controlled, token, firstname="Ann") == ([], 0)
        # Reads by id see it at once.
        assert controlled.get(token, "/crm/v3/objects/contacts/1").status_code == 200
        controlled.clock.advance(1499)
        assert search(controlled, token, firstname="Ann") == ([], 0)
        controlled.clock.advance(1)
        assert search(controlled, token, firstname="Ann") == (["1"], 1)
        controlled.upsert(token, "ann@example.com", firstname="Annie")
        assert search(controlled, token, email="ann@example.com") == ([], 0)
        controlled.clock.advance(1500)
        assert search(controlled, token, firstname="Annie") == (["1"], 1)


def test_the_delay_follows_the_portal_clock(make_controlled: MakeControlled) -> None:
    with make_controlled(search_delay=60_000) as controlled:
        portal_id, token = controlled.portal()
        controlled.control("POST", f"portals/{portal_id}/clock", {"frozen": True})
        controlled.upsert(token, "ann@example.com")
        assert search(controlled, token, email="ann@example.com") == ([], 0)
        controlled.control("POST", f"portals/{portal_id}/clock", {"advanceMs": 60_000})
        assert search(controlled, token, email="ann@example.com") == (["1"], 1)


def test_without_a_delay_writes_are_searchable_at_once(controlled: Controlled) -> None:
    _, token = controlled.portal()
    controlled.upsert(token, "ann@example.com")
    assert search(controlled, token, email="ann@example.com") == (["1"], 1)
