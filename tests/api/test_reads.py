"""Reading contacts in process: listing with paging, batch read, and archived reads."""

from __future__ import annotations

from typing import Any

import pytest

from hubcrm.protocol import messages
from tests.api.helpers import add_unique_property, assert_error
from tests.conftest import Api, upsert_input

CONTACTS = "/crm/v3/objects/contacts"


def seed(api: Api, count: int, start: int = 0) -> None:
    inputs = [upsert_input(f"c{i}@x.com", firstname=f"C{i}") for i in range(start, start + count)]
    assert api.upsert(inputs).status_code == 200


def archive(api: Api, *ids: str) -> None:
    response = api.post(f"{CONTACTS}/batch/archive", {"inputs": [{"id": i} for i in ids]})
    assert response.status_code == 204, response.text


def test_list_pages_by_record_id_and_the_last_page_has_no_paging(api: Api) -> None:
    seed(api, 25)
    first = api.get(CONTACTS)
    assert first.status_code == 200
    body = first.json()
    assert [r["id"] for r in body["results"]] == [str(i) for i in range(1, 11)]
    assert body["results"][0]["properties"] == {
        "createdate": "2026-01-01T00:00:00.000Z",
        "email": "c0@x.com",
        "firstname": "C0",
        "hs_object_id": "1",
        "lastmodifieddate": "2026-01-01T00:00:00.000Z",
        "lastname": None,
    }
    assert body["paging"]["next"]["after"] == "11"
    assert body["paging"]["next"]["link"] == "http://testserver/crm/v3/objects/contacts?after=11"
    last = api.get(CONTACTS, limit=100, after="21", properties="email")
    assert [r["id"] for r in last.json()["results"]] == ["21", "22", "23", "24", "25"]
    assert last.json()["results"][0]["properties"] == {"email": "c20@x.com"}
    assert "paging" not in last.json()


def test_paging_neither_skips_nor_repeats_while_contacts_are_written(api: Api) -> None:
    seed(api, 30)
    seen: list[str] = []
    after: str | None = None
    round_ = 0
    while True:
        params: dict[str, Any] = {"limit": 7}
        if after:
            params["after"] = after
        body = api.get(CONTACTS, **params).json()
        seen += [r["id"] for r in body["results"]]
        # Between pages: new contacts arrive, an unseen one is archived, a seen one changes.
        seed(api, 2, start=100 + 2 * round_)
        round_ += 1
        if round_ == 2:
            archive(api, "20")
        api.upsert([upsert_input("c0@x.com", firstname=f"round {round_}")])
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
    assert len(seen) == len(set(seen))
    assert "20" not in seen
    expected = [str(i) for i in range(1, 31) if i != 20]
    assert seen[:29] == expected  # every contact present at the start, once, in order


def test_list_limits(api: Api) -> None:
    assert_error(
        api.get(CONTACTS, limit=101),
        400,
        "VALIDATION_ERROR",
        "limit must be between 1 and 100, not 101",
    )
    assert_error(
        api.get(CONTACTS, limit="ten"),
        400,
        "VALIDATION_ERROR",
        "Query parameter limit must be a whole number, not ten",
    )
    assert_error(
        api.get(CONTACTS, after="abc"),
        400,
        "VALIDATION_ERROR",
        "after must be a paging cursor from a previous answer, not abc",
    )


def test_archived_contacts_leave_default_reads_and_show_with_archived_true(api: Api) -> None:
    seed(api, 3)
    api.clock.advance(5000)
    archive(api, "2", "999", "not-a-number")
    assert [r["id"] for r in api.get(CONTACTS).json()["results"]] == ["1", "3"]
    archived = api.get(CONTACTS, archived="true").json()["results"]
    assert [r["id"] for r in archived] == ["2"]
    assert archived[0]["archived"] is True
    assert archived[0]["archivedAt"] == "2026-01-01T00:00:05.000Z"
    assert api.get(f"{CONTACTS}/2").status_code == 404
    assert api.get(f"{CONTACTS}/2", archived="true").json()["archived"] is True
    by_email = api.get(f"{CONTACTS}/c1@x.com", idProperty="email", archived="true")
    assert by_email.status_code == 200, by_email.text
    assert by_email.json()["id"] == "2"
    assert api.get(f"{CONTACTS}/c1@x.com", idProperty="email").status_code == 404


def test_upsert_by_the_email_of_an_archived_contact_creates_a_new_one(api: Api) -> None:
    seed(api, 1)
    archive(api, "1")
    again = api.upsert([upsert_input("c0@x.com", firstname="New")])
    [result] = again.json()["results"]
    assert result["new"] is True
    assert result["id"] == "2"
    newest = api.get(f"{CONTACTS}/c0@x.com", idProperty="email", archived="true")
    assert newest.json()["id"] == "1"


def test_batch_read_by_id_and_by_unique_property(api: Api) -> None:
    seed(api, 3)
    response = api.post(
        f"{CONTACTS}/batch/read",
        {"inputs": [{"id": "3"}, {"id": "1"}], "properties": ["email"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "COMPLETE"
    assert [r["id"] for r in body["results"]] == ["3", "1"]
    assert body["results"][0]["properties"] == {"email": "c2@x.com"}
    by_email = api.post(
        f"{CONTACTS}/batch/read",
        {
            "idProperty": "email",
            "inputs": [{"id": "C1@x.com"}],
            "propertiesWithHistory": ["firstname"],
        },
    ).json()
    [found] = by_email["results"]
    assert found["id"] == "2"
    assert found["propertiesWithHistory"]["firstname"][0]["value"] == "C1"


def test_batch_read_reports_missing_ids_as_207(api: Api) -> None:
    seed(api, 1)
    response = api.post(
        f"{CONTACTS}/batch/read", {"inputs": [{"id": "1"}, {"id": "77"}, {"id": "x"}]}
    )
    assert response.status_code == 207
    body = response.json()
    assert [r["id"] for r in body["results"]] == ["1"]
    assert body["numErrors"] == 1
    assert body["errors"] == [
        {
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": "Could not get some CONTACT objects, they may be deleted or not exist. "
            "Check that ids are valid.",
            "context": {"ids": ["77", "x"]},
            "errors": [],
            "links": {},
        }
    ]


@pytest.mark.own_database
def test_batch_read_limits_and_id_property(api: Api) -> None:
    inputs = [{"id": str(i)} for i in range(51)]
    assert_error(
        api.post(f"{CONTACTS}/batch/read", {"inputs": inputs, "propertiesWithHistory": ["email"]}),
        400,
        "VALIDATION_ERROR",
        messages.HISTORY_BATCH_TOO_LARGE.format(limit=50),
    )
    assert (
        api.post(f"{CONTACTS}/batch/read", {"inputs": inputs}).status_code == 207
    )  # 51 without history is fine
    assert_error(
        api.post(f"{CONTACTS}/batch/read", {"inputs": inputs * 2}),
        400,
        "VALIDATION_ERROR",
        messages.BATCH_TOO_LARGE.format(limit=100),
    )
    assert_error(
        api.post(f"{CONTACTS}/batch/read", {"inputs": [{"id": "x"}], "idProperty": "firstname"}),
        400,
        "VALIDATION_ERROR",
        "Unable to perform update/upsert by non-unique 0-1 property firstname"
        " in portal ID 12345678",
    )
    add_unique_property(api, "code")
    api.upsert([{"idProperty": "code", "id": "K1", "properties": {}}])
    found = api.post(
        f"{CONTACTS}/batch/read", {"inputs": [{"id": "K1"}], "idProperty": "code"}
    ).json()
    assert found["results"][0]["id"] == "1"
