"""Owners through the control API and the seed file; a reset removes them."""

from __future__ import annotations

import pytest

from hubcrm.domain.owners import FIRST_OWNER_ID, FIRST_USER_ID
from hubcrm.protocol import messages
from tests.api.helpers import assert_error
from tests.control.conftest import Controlled


def test_the_control_api_adds_lists_and_archives_owners(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    path = f"portals/{portal_id}/owners"
    added = controlled.control("POST", path, {"email": "Ada@Example.com", "firstName": "Ada"})
    assert added.status_code == 201, added.text
    owner = added.json()
    assert owner["id"] == str(FIRST_OWNER_ID)
    assert owner["userId"] == FIRST_USER_ID
    assert owner["email"] == "ada@example.com"
    given = controlled.control("POST", path, {"email": "b@x.com", "id": 7, "userId": 8})
    assert (given.json()["id"], given.json()["userId"]) == ("7", 8)
    assert controlled.get(token, "/crm/v3/owners").json()["results"] == [
        given.json(),
        owner,
    ]
    archived = controlled.control("DELETE", f"{path}/7")
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    listed = controlled.control("GET", path).json()["results"]
    assert [(o["id"], o["archived"]) for o in listed] == [("7", True), (owner["id"], False)]
    assert [o["id"] for o in controlled.get(token, "/crm/v3/owners").json()["results"]] == [
        owner["id"]
    ]


def test_bad_owners_are_refused(controlled: Controlled) -> None:
    portal_id, _ = controlled.portal()
    path = f"portals/{portal_id}/owners"
    assert controlled.control("POST", path, {"email": "a@x.com", "id": 5}).status_code == 201
    assert_error(
        controlled.control("POST", path, {"email": "A@x.com"}),
        409,
        "CONFLICT",
        messages.OWNER_EXISTS.format(email="a@x.com"),
    )
    taken = controlled.control("POST", path, {"email": "b@x.com", "id": 5})
    assert_error(
        taken, 409, "CONFLICT", messages.OWNER_ID_TAKEN.format(id=5, user_id=FIRST_USER_ID + 1)
    )
    not_email = controlled.control("POST", path, {"email": "nobody"})
    assert not_email.status_code == 400
    unknown = controlled.control("POST", path, {"email": "c@x.com", "nickname": "c"})
    assert unknown.status_code == 400
    missing = controlled.control("DELETE", f"{path}/999")
    assert_error(missing, 404, "OBJECT_NOT_FOUND", messages.OWNER_NOT_FOUND.format(id="999"))
    assert controlled.control("GET", "portals/1/owners").status_code == 404


def test_the_seed_adds_owners_before_the_contacts_that_name_them(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    seed = {
        "owners": [{"email": "ada@example.com", "id": 41629779, "firstName": "Ada"}],
        "contacts": [{"email": "ann@example.com", "hubspot_owner_id": "41629779"}],
    }
    done = controlled.control("POST", f"portals/{portal_id}/seed", seed)
    assert done.status_code == 200, done.text
    assert done.json() == {"properties": 0, "contacts": 1, "owners": 1}
    contact = controlled.get(
        token,
        "/crm/v3/objects/contacts/ann@example.com",
        idProperty="email",
        properties="hubspot_owner_id",
    ).json()
    assert contact["properties"]["hubspot_owner_id"] == "41629779"


def test_a_seed_naming_an_unknown_owner_writes_nothing(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    seed = {
        "owners": [{"email": "ada@example.com", "id": 1}],
        "contacts": [{"email": "ann@example.com", "hubspot_owner_id": "2"}],
    }
    refused = controlled.control("POST", f"portals/{portal_id}/seed", seed)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "INVALID_OWNER_ID"
    assert controlled.get(token, "/crm/v3/owners").json() == {"results": []}


def test_reset_removes_owners(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    controlled.control("POST", f"portals/{portal_id}/owners", {"email": "a@x.com"})
    assert controlled.control("POST", f"portals/{portal_id}/reset").status_code == 200
    assert controlled.get(token, "/crm/v3/owners").json() == {"results": []}


def test_reset_restores_the_default_pipelines(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    headers = {"Authorization": f"Bearer {token}"}
    defaults = controlled.get(token, "/crm/v3/pipelines/deals").json()
    stage = {"label": "Open", "displayOrder": 0, "metadata": {"probability": "0.5"}}
    made = controlled.client.post(
        "/crm/v3/pipelines/deals",
        json={"label": "Renewals", "displayOrder": 1, "stages": [stage]},
        headers=headers,
    )
    assert made.status_code == 201
    gone = controlled.client.delete(
        "/crm/v3/pipelines/deals/default/stages/closedlost", headers=headers
    )
    assert gone.status_code == 204
    assert controlled.control("POST", f"portals/{portal_id}/reset").status_code == 200
    assert controlled.get(token, "/crm/v3/pipelines/deals").json() == defaults
    # Ids start again, as record ids do.
    again = controlled.client.post(
        "/crm/v3/pipelines/deals",
        json={"label": "Renewals", "displayOrder": 1, "stages": [stage]},
        headers=headers,
    )
    assert again.json()["id"] == made.json()["id"]


def test_seeded_deals_move_through_validated_stages(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    headers = {"Authorization": f"Bearer {token}"}
    owner = controlled.control("POST", f"portals/{portal_id}/owners", {"email": "a@x.com"})
    inputs = [
        {
            "properties": {
                "dealname": "Big",
                "dealstage": "qualifiedtobuy",
                "hubspot_owner_id": owner.json()["id"],
            }
        },
        {"properties": {"dealname": "Lost", "pipeline": "default", "dealstage": "closedlost"}},
    ]
    created = controlled.client.post(
        "/crm/v3/objects/deals/batch/create", json={"inputs": inputs}, headers=headers
    )
    assert created.status_code == 201, created.text
    stages = sorted(r["properties"]["dealstage"] for r in created.json()["results"])
    assert stages == ["closedlost", "qualifiedtobuy"]


def test_seeded_deals_name_owners_and_stages(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    seed = {
        "owners": [{"email": "ada@example.com", "id": 41629779}],
        "objects": {
            "deals": [
                {"dealname": "Big", "dealstage": "contractsent", "hubspot_owner_id": "41629779"},
                {"dealname": "Small", "pipeline": "default", "dealstage": "closedwon"},
            ],
            "tickets": [{"subject": "Help", "hs_pipeline_stage": "2"}],
        },
    }
    done = controlled.control("POST", f"portals/{portal_id}/seed", seed)
    assert done.status_code == 200, done.text
    assert done.json() == {"properties": 0, "contacts": 0, "objects": 3, "owners": 1}
    deals = controlled.get(token, "/crm/v3/objects/deals", properties="pipeline,dealstage").json()
    assert sorted(
        (d["properties"]["pipeline"], d["properties"]["dealstage"]) for d in deals["results"]
    ) == [
        ("default", "closedwon"),
        ("default", "contractsent"),
    ]


@pytest.mark.parametrize(
    "deal",
    [
        {"dealname": "Big", "dealstage": "nope"},
        {"dealname": "Big", "pipeline": "nope"},
        {"dealname": "Big", "hubspot_owner_id": "12"},
    ],
)
def test_a_seed_naming_an_unknown_stage_or_owner_writes_nothing(
    controlled: Controlled, deal: dict[str, str]
) -> None:
    portal_id, token = controlled.portal()
    seed = {
        "owners": [{"email": "ada@example.com", "id": 41629779}],
        "contacts": [{"email": "ann@example.com"}],
        "objects": {"deals": [{"dealname": "Fine", "dealstage": "closedwon"}, deal]},
    }
    refused = controlled.control("POST", f"portals/{portal_id}/seed", seed)
    assert refused.status_code == 400, refused.text
    assert controlled.get(token, "/crm/v3/owners").json() == {"results": []}
    assert controlled.get(token, "/crm/v3/objects/deals").json()["results"] == []
    assert controlled.get(token, "/crm/v3/objects/contacts").json()["results"] == []
