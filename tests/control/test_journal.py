"""The request journal: bounded, queryable, never holding a token."""

from __future__ import annotations

import json

from tests.control.conftest import UPSERT, Controlled, MakeControlled


def test_each_request_is_recorded_with_bodies_status_and_correlation_id(
    controlled: Controlled,
) -> None:
    portal_id, token = controlled.portal()
    answer = controlled.upsert(token, "ann@example.com", firstname="Ann")
    controlled.get(token, "/crm/v3/objects/contacts/99")
    entries = controlled.control("GET", f"portals/{portal_id}/journal").json()["results"]
    assert [(e["sequence"], e["method"], e["path"], e["status"]) for e in entries] == [
        (1, "POST", UPSERT, 200),
        (2, "GET", "/crm/v3/objects/contacts/99", 404),
    ]
    first = entries[0]
    assert json.loads(first["requestBody"]) == {
        "inputs": [
            {"idProperty": "email", "id": "ann@example.com", "properties": {"firstname": "Ann"}}
        ]
    }
    assert json.loads(first["responseBody"]) == answer.json()
    assert first["correlationId"] == answer.headers["x-hubspot-correlation-id"]
    assert first["at"] == controlled.clock.now_ms()
    assert first["durationMs"] > 0
    assert first["requestTruncated"] is False
    assert first["fault"] is None


def test_the_journal_is_queried_by_method_path_status_and_time(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    controlled.upsert(token, "a@example.com")
    controlled.clock.advance(60_000)
    controlled.upsert(token, "b@example.com")
    controlled.get(token, "/crm/v3/objects/contacts/1")
    controlled.get(token, "/crm/v3/objects/contacts/77")

    def paths(**params: str) -> list[tuple[str, int]]:
        answer = controlled.control("GET", f"portals/{portal_id}/journal", **params)
        return [(e["path"], e["status"]) for e in answer.json()["results"]]

    assert paths(method="post") == [(UPSERT, 200), (UPSERT, 200)]
    assert paths(path="*/contacts/*", status="4xx") == [("/crm/v3/objects/contacts/77", 404)]
    assert paths(path="/crm/v3/objects/contacts/1") == [("/crm/v3/objects/contacts/1", 200)]
    assert paths(status="200", method="GET") == [("/crm/v3/objects/contacts/1", 200)]
    later = str(controlled.clock.now_ms())
    assert len(paths(since=later)) == 3
    assert paths(until="2026-01-01T00:00:30Z") == [(UPSERT, 200)]


def test_a_portal_journal_holds_only_its_own_requests(controlled: Controlled) -> None:
    first_id, first = controlled.portal()
    second_id, second = controlled.portal()
    controlled.upsert(first, "a@example.com")
    controlled.upsert(second, "b@example.com")
    controlled.upsert(second, "c@example.com")
    assert len(controlled.control("GET", f"portals/{first_id}/journal").json()["results"]) == 1
    assert len(controlled.control("GET", f"portals/{second_id}/journal").json()["results"]) == 2
    # Requests no portal can be named for (unknown tokens) are in no journal; control calls neither.
    controlled.upsert("pat-na1-unknown", "x@example.com")
    assert len(controlled.control("GET", f"portals/{first_id}/journal").json()["results"]) == 1


def test_no_token_ever_reaches_the_journal(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    body = {
        "inputs": [
            {"idProperty": "email", "id": "a@example.com", "properties": {"firstname": token}}
        ]
    }
    controlled.client.post(
        UPSERT + f"?hapikey=secret-key&access_token={token}&x=1",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    entry = controlled.control("GET", f"portals/{portal_id}/journal").json()["results"][0]
    text = json.dumps(entry)
    assert token not in text
    assert "secret-key" not in text
    assert entry["query"] == "hapikey=[REDACTED]&access_token=[REDACTED]&x=1"
    assert json.loads(entry["requestBody"])["inputs"][0]["properties"]["firstname"] == "[REDACTED]"


def test_the_journal_is_bounded_and_bodies_are_cut(make_controlled: MakeControlled) -> None:
    with make_controlled(journal_size=3, journal_body_bytes=40) as controlled:
        portal_id, token = controlled.portal()
        for index in range(5):
            controlled.upsert(token, f"p{index}@example.com")
        entries = controlled.control("GET", f"portals/{portal_id}/journal").json()["results"]
        assert [e["sequence"] for e in entries] == [3, 4, 5]
        assert all(len(e["requestBody"].encode()) == 40 for e in entries)
        assert all(e["requestTruncated"] and e["responseTruncated"] for e in entries)
        assert entries[0]["requestBody"] == '{"inputs":[{"idProperty":"email","id":"p'


def test_a_journal_of_size_zero_keeps_nothing(make_controlled: MakeControlled) -> None:
    with make_controlled(journal_size=0) as controlled:
        portal_id, token = controlled.portal()
        controlled.upsert(token, "a@example.com")
        assert controlled.control("GET", f"portals/{portal_id}/journal").json() == {"results": []}


def test_the_journal_can_be_cleared(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    controlled.upsert(token, "a@example.com")
    assert controlled.control("DELETE", f"portals/{portal_id}/journal").status_code == 204
    assert controlled.control("GET", f"portals/{portal_id}/journal").json() == {"results": []}
    controlled.upsert(token, "b@example.com")
    entries = controlled.control("GET", f"portals/{portal_id}/journal").json()["results"]
    assert [e["sequence"] for e in entries] == [1]
