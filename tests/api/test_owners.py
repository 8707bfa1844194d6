"""The owners API, owners from the control API's service, and hubspot_owner_id on records."""

from __future__ import annotations

from typing import Any

import pytest

from hubcrm.control.owners import OwnerInput, TeamInput
from hubcrm.domain.owners import FIRST_OWNER_ID, FIRST_USER_ID
from hubcrm.protocol import messages
from hubcrm.protocol.errors import Conflict
from tests.api.helpers import assert_error
from tests.conftest import Api, upsert_input

OWNERS = "/crm/v3/owners"


def add_owner(api: Api, email: str, **fields: Any) -> dict[str, Any]:
    owner = OwnerInput(email=email, **fields).new_owner()
    added = api.call(api.state.owners.add, api.portal_id, owner)
    return {"id": str(added.owner_id), "userId": added.user_id}


def test_a_new_portal_has_no_owners(api: Api) -> None:
    response = api.get(OWNERS)
    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_owners_have_hubspots_shape(api: Api) -> None:
    team = TeamInput(id="368389", name="Sales Team", primary=True)
    add_owner(api, "Ada@Example.com", first_name="Ada", last_name="Lovelace", teams=[team])
    body = api.get(OWNERS).json()
    assert body == {
        "results": [
            {
                "id": str(FIRST_OWNER_ID),
                "email": "ada@example.com",
                "type": "PERSON",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "userIdIncludingInactive": FIRST_USER_ID,
                "createdAt": "2026-01-01T00:00:00.000Z",
                "updatedAt": "2026-01-01T00:00:00.000Z",
                "archived": False,
                "userId": FIRST_USER_ID,
                "teams": [{"id": "368389", "name": "Sales Team", "primary": True}],
            }
        ]
    }
    # The SDKs list owners with a trailing slash.
    assert api.get(OWNERS + "/").json() == body


def test_paging_and_the_email_filter(api: Api) -> None:
    ids = [add_owner(api, f"o{n}@example.com")["id"] for n in range(5)]
    first = api.get(OWNERS, limit=2).json()
    assert [o["id"] for o in first["results"]] == ids[:2]
    after = first["paging"]["next"]["after"]
    assert after == ids[2]
    assert first["paging"]["next"]["link"].endswith(f"limit=2&after={after}")
    last = api.get(OWNERS, limit=2, after=ids[4]).json()
    assert [o["id"] for o in last["results"]] == ids[4:]
    assert "paging" not in last
    found = api.get(OWNERS, email="O3@example.com").json()
    assert [o["id"] for o in found["results"]] == [ids[3]]
    assert api.get(OWNERS, email="nobody@example.com").json() == {"results": []}


def test_get_by_id_or_user_id(api: Api) -> None:
    owner = add_owner(api, "ada@example.com", id=41629779, user_id=9586504)
    assert owner == {"id": "41629779", "userId": 9586504}
    by_id = api.get(f"{OWNERS}/41629779").json()
    assert by_id["email"] == "ada@example.com"
    assert api.get(f"{OWNERS}/9586504", idProperty="userId").json() == by_id
    assert api.get(f"{OWNERS}/41629779", idProperty="id").json() == by_id
    missing = api.get(f"{OWNERS}/9586504")
    assert_error(missing, 404, "OBJECT_NOT_FOUND", messages.OWNER_NOT_FOUND.format(id="9586504"))
    bad = api.get(f"{OWNERS}/41629779", idProperty="email")
    assert_error(bad, 400, "VALIDATION_ERROR", messages.INVALID_ID_PROPERTY.format(value="email"))


def test_archived_owners_are_read_with_archived(api: Api) -> None:
    owner = add_owner(api, "gone@example.com")
    api.clock.advance(1000)
    api.call(api.state.owners.archive, api.portal_id, owner["id"])
    assert api.get(OWNERS).json() == {"results": []}
    (archived,) = api.get(OWNERS, archived="true").json()["results"]
    # HubSpot: an archived owner's userId is null, and userIdIncludingInactive keeps it.
    assert archived["archived"] is True
    assert archived["userId"] is None
    assert archived["userIdIncludingInactive"] == owner["userId"]
    assert archived["updatedAt"] == "2026-01-01T00:00:01.000Z"
    assert api.get(f"{OWNERS}/{owner['id']}").status_code == 404
    assert api.get(f"{OWNERS}/{owner['id']}", archived="true").json() == archived


def test_bad_paging_is_a_400(api: Api) -> None:
    for params, message in (
        ({"limit": "0"}, messages.INVALID_LIMIT.format(max=500, limit=0)),
        ({"limit": "501"}, messages.INVALID_LIMIT.format(max=500, limit=501)),
        ({"after": "x"}, messages.INVALID_AFTER.format(after="x")),
        ({"limit": "x"}, messages.INVALID_QUERY_INT.format(name="limit", value="x")),
        ({"archived": "x"}, messages.INVALID_QUERY_BOOL.format(name="archived", value="x")),
    ):
        assert_error(api.get(OWNERS, **params), 400, "VALIDATION_ERROR", message)


def test_owners_need_the_owners_scope(api: Api) -> None:
    token = api.new_token(frozenset({"crm.objects.contacts.read"}))
    for path in (OWNERS, f"{OWNERS}/1"):
        body = assert_error(
            api.get(path, token=token), 403, "MISSING_SCOPES", messages.MISSING_SCOPES
        )
        assert body["errors"][0]["context"] == {
            "requiredGranularScopes": ["crm.objects.owners.read"]
        }


def test_owners_belong_to_their_portal(api: Api) -> None:
    owner = add_owner(api, "ada@example.com")
    _, other = api.new_portal()
    assert api.get(OWNERS, token=other).json() == {"results": []}
    assert api.get(f"{OWNERS}/{owner['id']}", token=other).status_code == 404


def test_a_live_owners_email_is_unique(api: Api) -> None:
    add_owner(api, "ada@example.com")
    with pytest.raises(Conflict) as raised:
        add_owner(api, "ADA@example.com")
    assert raised.value.message == messages.OWNER_EXISTS.format(email="ada@example.com")


def test_hubspot_owner_id_must_name_a_live_owner(api: Api) -> None:
    owner = add_owner(api, "ada@example.com")
    ok = api.upsert([upsert_input("c@x.com", hubspot_owner_id=owner["id"])])
    assert ok.status_code == 200, ok.text
    record_id = ok.json()["results"][0]["id"]
    before = api.get(f"/crm/v3/objects/contacts/{record_id}", properties="hubspot_owner_id").json()
    assert before["properties"]["hubspot_owner_id"] == owner["id"]
    for value in ("12345", str(owner["userId"])):  # a user id is not an owner id
        response = api.client.patch(
            f"/crm/v3/objects/contacts/{record_id}",
            json={"properties": {"hubspot_owner_id": value}},
            headers=api.headers(),
        )
        body = assert_error(response, 400, "VALIDATION_ERROR", response.json()["message"])
        assert body["errors"] == [
            {
                "message": messages.INVALID_OWNER.format(value=value),
                "code": "INVALID_OWNER_ID",
                "context": {"propertyName": ["hubspot_owner_id"]},
            }
        ]
    after = api.get(f"/crm/v3/objects/contacts/{record_id}", properties="hubspot_owner_id").json()
    assert after == before  # nothing changed
    cleared = api.upsert([upsert_input("c@x.com", hubspot_owner_id="")])
    assert cleared.status_code == 200, cleared.text


def test_an_archived_owner_cannot_be_assigned(api: Api) -> None:
    owner = add_owner(api, "gone@example.com")
    api.call(api.state.owners.archive, api.portal_id, owner["id"])
    response = api.upsert([upsert_input("c@x.com", hubspot_owner_id=owner["id"])])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_OWNER_ID"
    assert api.get("/crm/v3/objects/contacts/c@x.com", idProperty="email").status_code == 404


def test_one_bad_owner_fails_only_its_input_with_trace_ids(api: Api) -> None:
    owner = add_owner(api, "ada@example.com")
    inputs = [
        {
            "properties": {"email": "a@x.com", "hubspot_owner_id": owner["id"]},
            "objectWriteTraceId": "a",
        },
        {"properties": {"email": "b@x.com", "hubspot_owner_id": "999"}, "objectWriteTraceId": "b"},
    ]
    response = api.post("/crm/v3/objects/contacts/batch/create", {"inputs": inputs})
    assert response.status_code == 207, response.text
    body = response.json()
    assert [r["properties"]["email"] for r in body["results"]] == ["a@x.com"]
    assert body["errors"][0]["context"]["objectWriteTraceId"] == ["b"]
