"""Seeding a portal with property definitions and contacts, from JSON or CSV."""

from __future__ import annotations

import json
from typing import Any

from hubcrm.protocol import messages
from tests.api.test_upsert import assert_error
from tests.control.conftest import Controlled

SEED = {
    "properties": [
        {
            "name": "plan",
            "label": "Plan",
            "type": "enumeration",
            "fieldType": "select",
            "options": [{"label": "Free", "value": "free"}, {"label": "Pro", "value": "pro"}],
        },
        {
            "name": "customer_ref",
            "label": "Customer ref",
            "type": "string",
            "fieldType": "text",
            "hasUniqueValue": True,
        },
    ],
    "contacts": [
        {"email": "Ann@Example.com", "firstname": "Ann", "plan": "pro", "customer_ref": "c-1"},
        {"properties": {"email": "bob@example.com", "lastname": "Stone", "plan": "free"}},
    ],
}


def seed(controlled: Controlled, portal_id: int, body: Any = None, **kwargs: Any) -> Any:
    if body is not None:
        return controlled.control("POST", f"portals/{portal_id}/seed", body)
    return controlled.client.post(f"/_hubcrm/portals/{portal_id}/seed", **kwargs)


def read(controlled: Controlled, token: str, email: str, properties: str) -> Any:
    path = f"/crm/v3/objects/contacts/{email}"
    return controlled.get(token, path, idProperty="email", properties=properties)


def test_json_seed_defines_properties_and_upserts_contacts(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    done = seed(controlled, portal_id, SEED)
    assert done.status_code == 200, done.text
    assert done.json() == {"properties": 2, "contacts": 2}
    ann = read(controlled, token, "ann@example.com", "firstname,plan,customer_ref").json()
    assert ann["id"] == "1"
    assert ann["properties"]["plan"] == "pro"
    assert ann["properties"]["customer_ref"] == "c-1"
    bob = read(controlled, token, "bob@example.com", "lastname,plan").json()
    assert bob["properties"]["lastname"] == "Stone"
    # The seeded unique property works as an upsert key.
    upsert = controlled.client.post(
        "/crm/v3/objects/contacts/batch/upsert",
        json={
            "inputs": [{"idProperty": "customer_ref", "id": "c-1", "properties": {"plan": "free"}}]
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert upsert.json()["results"][0]["id"] == "1"


def test_seeding_contacts_twice_updates_them(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    seed(controlled, portal_id, [{"email": "ann@example.com", "firstname": "Ann"}])
    seed(controlled, portal_id, [{"email": "ann@example.com", "firstname": "Annie"}])
    ann = read(controlled, token, "ann@example.com", "firstname").json()
    assert (ann["id"], ann["properties"]["firstname"]) == ("1", "Annie")


def test_csv_seeds_contacts_and_definitions(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    definitions = "name,label,type,fieldType,options\ntier,Tier,enumeration,radio,gold;silver\n"
    done = seed(controlled, portal_id, content=definitions, headers={"Content-Type": "text/csv"})
    assert done.json() == {"properties": 1, "contacts": 0}
    contacts = "email,firstname,tier\nann@example.com,Ann,gold\nbob@example.com,,silver\n"
    done = seed(controlled, portal_id, content=contacts, headers={"Content-Type": "text/csv"})
    assert done.json() == {"properties": 0, "contacts": 2}
    bob = read(controlled, token, "bob@example.com", "firstname,tier").json()
    assert bob["properties"] == {"firstname": None, "tier": "silver"}


def test_a_bad_value_fails_the_whole_seed_and_writes_nothing(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    bad: dict[str, Any] = json.loads(json.dumps(SEED))
    bad["contacts"][1]["properties"]["plan"] = "platinum"
    answer = seed(controlled, portal_id, bad)
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {
            "message": messages.INVALID_OPTION.format(value="platinum", options="free, pro"),
            "code": "INVALID_OPTION",
            "context": {"propertyName": ["plan"]},
        }
    ]
    assert read(controlled, token, "ann@example.com", "plan").status_code == 404
    # The property definitions were not written either: seeding again succeeds.
    assert seed(controlled, portal_id, SEED).status_code == 200


def test_seed_errors(controlled: Controlled) -> None:
    portal_id, _ = controlled.portal()
    cases = [
        (
            [{"firstname": "No email"}],
            messages.SEED_CONTACT_WITHOUT_KEY.format(index=0, name="email"),
        ),
        (
            {"contacts": [{"firstname": "x"}], "idProperty": "firstname"},
            messages.SEED_KEY_NOT_UNIQUE.format(name="firstname"),
        ),
        (
            {
                "properties": [
                    {"name": "Bad Name", "label": "x", "type": "string", "fieldType": "text"}
                ]
            },
            messages.INVALID_SEED_PROPERTY.format(
                name="Bad Name",
                problem="a name is lower-case letters, digits and _, starting with a letter",
            ),
        ),
        (
            {
                "properties": [
                    {"name": "p", "label": "P", "type": "enumeration", "fieldType": "select"}
                ]
            },
            messages.INVALID_SEED_PROPERTY.format(name="p", problem="an enumeration needs options"),
        ),
    ]
    for body, message in cases:
        assert_error(seed(controlled, portal_id, body), 400, "VALIDATION_ERROR", message)
    taken = {"properties": [{"name": "email", "label": "E", "type": "string", "fieldType": "text"}]}
    assert_error(
        seed(controlled, portal_id, taken),
        409,
        "CONFLICT",
        messages.PROPERTY_EXISTS.format(name="email"),
    )
    broken = seed(
        controlled, portal_id, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["message"].startswith("Invalid seed: ")


def test_reset_forgets_seeded_definitions(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    seed(controlled, portal_id, SEED)
    controlled.control("POST", f"portals/{portal_id}/reset")
    answer = controlled.upsert(token, "ann@example.com", plan="pro")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert seed(controlled, portal_id, SEED).status_code == 200


def associated(controlled: Controlled, token: str, path: str) -> list[tuple[int, list[int]]]:
    answer = controlled.get(token, path).json()
    return [
        (r["toObjectId"], [t["typeId"] for t in r["associationTypes"]]) for r in answer["results"]
    ]


def test_a_seed_declares_a_company_with_its_contacts_and_deals(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    body = {
        "contacts": [{"email": "ann@x.com"}, {"email": "bob@x.com"}],
        "companies": [
            {
                "properties": {"name": "Acme", "domain": "acme.com"},
                "contacts": ["Ann@x.com", "bob@x.com"],
                "deals": [{"properties": {"dealname": "Big"}, "contacts": ["ann@x.com"]}],
            }
        ],
    }
    done = seed(controlled, portal_id, body)
    assert done.status_code == 200, done.text
    assert done.json() == {"properties": 0, "contacts": 2, "companies": 1, "deals": 1}
    assert associated(controlled, token, "/crm/v4/objects/contacts/1/associations/companies") == [
        (1, [1, 279])
    ]
    ann = controlled.get(token, "/crm/v3/objects/contacts/1", properties="associatedcompanyid")
    assert ann.json()["properties"]["associatedcompanyid"] == "1"
    assert associated(controlled, token, "/crm/v4/objects/deals/1/associations/companies") == [
        (1, [5, 341])
    ]
    assert associated(controlled, token, "/crm/v4/objects/deals/1/associations/contacts") == [
        (1, [3])
    ]
    # Reset forgets the associations with the records.
    assert controlled.control("POST", f"portals/{portal_id}/reset").status_code == 200
    seed(controlled, portal_id, {"contacts": [{"email": "ann@x.com"}]})
    controlled.client.post(
        "/crm/v3/objects/companies",
        json={"properties": {"name": "Other"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert associated(controlled, token, "/crm/v4/objects/contacts/1/associations/companies") == []


def test_a_seed_naming_an_unknown_contact_writes_nothing(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    body = {"contacts": [{"email": "ann@x.com"}], "companies": [{"contacts": ["zed@x.com"]}]}
    assert_error(
        seed(controlled, portal_id, body),
        400,
        "VALIDATION_ERROR",
        messages.SEED_UNKNOWN_CONTACT.format(key="zed@x.com"),
    )
    assert controlled.get(token, "/crm/v3/objects/contacts").json()["results"] == []
