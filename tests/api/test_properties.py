"""The properties API in process: definitions, their validation, and their effect on writes."""

from __future__ import annotations

from typing import Any

import pytest

from hubcrm.protocol import messages
from tests.api.helpers import assert_error
from tests.conftest import Api, upsert_input

PROPERTIES = "/crm/v3/properties/contacts"


def new_property(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "customer_code",
        "label": "Customer code",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
    }
    return body | overrides


def test_create_get_and_list_a_custom_property(api: Api) -> None:
    created = api.post(PROPERTIES, new_property(hasUniqueValue=True, description="Our key"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body == {
        "name": "customer_code",
        "label": "Customer code",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
        "description": "Our key",
        "options": [],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": True,
        "hidden": False,
        "hubspotDefined": False,
        "formField": False,
        "modificationMetadata": {
            "archivable": True,
            "readOnlyDefinition": False,
            "readOnlyValue": False,
        },
        "archived": False,
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T00:00:00.000Z",
        "dataSensitivity": "non_sensitive",
    }
    assert api.get(f"{PROPERTIES}/customer_code").json() == body
    listed = api.get(PROPERTIES).json()["results"]
    names = [p["name"] for p in listed]
    assert "customer_code" in names
    assert "email" in names
    email = next(p for p in listed if p["name"] == "email")
    assert email["hubspotDefined"] is True
    assert email["hasUniqueValue"] is True


def test_paths_by_type_id_and_dated_version(api: Api) -> None:
    assert api.post("/crm/properties/2026-03/0-1", new_property()).status_code == 201
    assert api.get("/crm/v3/properties/0-1/customer_code").status_code == 200
    assert api.get("/crm/properties/2026-03/contacts/customer_code").status_code == 200


def test_name_taken_is_409(api: Api) -> None:
    assert api.post(PROPERTIES, new_property()).status_code == 201
    assert_error(
        api.post(PROPERTIES, new_property()),
        409,
        "CONFLICT",
        "A property named customer_code already exists",
    )
    assert_error(
        api.post(PROPERTIES, new_property(name="email")),
        409,
        "CONFLICT",
        "A property named email already exists",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"name": "Bad Name"},
            "Property name Bad Name is invalid: use lower-case letters, digits and underscores, "
            "starting with a letter",
        ),
        (
            {"type": "number", "fieldType": "select"},
            "fieldType select is not valid for type number; use one of number, "
            "calculation_equation",
        ),
        (
            {"type": "colour"},
            "type colour is not valid; use one of bool, enumeration, date, datetime, string, "
            "number, phone_number",
        ),
        (
            {"type": "enumeration", "fieldType": "select"},
            "An enumeration property needs at least one option",
        ),
        (
            {
                "type": "enumeration",
                "fieldType": "select",
                "options": [{"label": "A", "value": "a"}, {"label": "A2", "value": "a"}],
            },
            "Option values must be unique; a appears more than once",
        ),
        (
            {"type": "bool", "fieldType": "booleancheckbox", "hasUniqueValue": True},
            "hasUniqueValue is only available for string and number properties",
        ),
    ],
)
def test_invalid_definitions_are_400(api: Api, overrides: dict[str, Any], message: str) -> None:
    assert_error(api.post(PROPERTIES, new_property(**overrides)), 400, "VALIDATION_ERROR", message)
    assert api.get(f"{PROPERTIES}/customer_code").status_code == 404


def test_missing_required_field_is_400(api: Api) -> None:
    body = new_property()
    del body["groupName"]
    assert_error(
        api.post(PROPERTIES, body),
        400,
        "VALIDATION_ERROR",
        "Invalid input JSON: Object missing required field `groupName`",
    )


def test_unknown_property_is_404(api: Api) -> None:
    assert_error(
        api.get(f"{PROPERTIES}/nope"),
        404,
        "OBJECT_NOT_FOUND",
        "Unable to find property nope for object type 0-1",
    )


def test_new_option_is_accepted_by_the_next_upsert(api: Api) -> None:
    options = [{"label": "Gold", "value": "gold", "displayOrder": 0, "hidden": False}]
    assert (
        api.post(
            PROPERTIES,
            new_property(name="tier", type="enumeration", fieldType="select", options=options),
        ).status_code
        == 201
    )
    rejected = api.upsert([upsert_input("a@x.com", tier="silver")])
    assert rejected.status_code == 400
    assert rejected.json()["errors"][0]["message"] == (
        "silver was not one of the allowed options: [gold]"
    )
    patched = api.client.patch(
        f"{PROPERTIES}/tier",
        json={
            "label": "Tier",
            "options": [*options, {"label": "Silver", "value": "silver", "displayOrder": 1}],
        },
        headers=api.headers(),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["label"] == "Tier"
    assert [o["value"] for o in patched.json()["options"]] == ["gold", "silver"]
    assert api.upsert([upsert_input("a@x.com", tier="silver")]).status_code == 200


def test_custom_unique_property_is_an_id_property_at_once(api: Api) -> None:
    assert api.post(PROPERTIES, new_property(hasUniqueValue=True)).status_code == 201
    inputs = [{"idProperty": "customer_code", "id": "C-1", "properties": {"firstname": "Ann"}}]
    first = api.upsert(inputs)
    assert first.status_code == 200, first.text
    assert first.json()["results"][0]["new"] is True
    assert first.json()["results"][0]["properties"]["customer_code"] == "C-1"
    again = api.upsert(inputs)
    assert again.json()["results"][0]["new"] is False
    clash = api.upsert([upsert_input("b@x.com", customer_code="C-1")])
    assert_error(clash, 409, "CONFLICT", "Contact already exists. Existing ID: 1")
    found = api.get("/crm/v3/objects/contacts/C-1", idProperty="customer_code")
    assert found.json()["id"] == "1"


def test_patch_cannot_change_unique_flag_type_or_hubspot_definitions(api: Api) -> None:
    assert api.post(PROPERTIES, new_property()).status_code == 201

    def patch(name: str, body: dict[str, Any]) -> Any:
        return api.client.patch(f"{PROPERTIES}/{name}", json=body, headers=api.headers())

    assert_error(
        patch("customer_code", {"hasUniqueValue": True}),
        400,
        "VALIDATION_ERROR",
        "hasUniqueValue cannot be changed after a property is created",
    )
    assert_error(
        patch("customer_code", {"type": "number", "fieldType": "number"}),
        400,
        "VALIDATION_ERROR",
        "type and fieldType of property customer_code cannot be changed",
    )
    assert_error(
        patch("hs_object_id", {"label": "x"}),
        400,
        "VALIDATION_ERROR",
        "Property hs_object_id is a HubSpot-defined property and cannot be changed",
    )
    assert_error(
        patch("nope", {"label": "x"}),
        404,
        "OBJECT_NOT_FOUND",
        "Unable to find property nope for object type 0-1",
    )


def test_archive_custom_property_but_not_hubspot_defined(api: Api) -> None:
    assert api.post(PROPERTIES, new_property()).status_code == 201
    api.clock.advance(1000)
    assert (
        api.client.delete(f"{PROPERTIES}/customer_code", headers=api.headers()).status_code == 204
    )
    assert api.get(f"{PROPERTIES}/customer_code").status_code == 404
    archived = api.get(f"{PROPERTIES}/customer_code", archived="true").json()
    assert archived["archived"] is True
    assert archived["archivedAt"] == "2026-01-01T00:00:01.000Z"
    assert [p["name"] for p in api.get(PROPERTIES, archived="true").json()["results"]] == [
        "customer_code"
    ]
    rejected = api.upsert([upsert_input("a@x.com", customer_code="x")])
    assert rejected.json()["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert_error(
        api.client.delete(f"{PROPERTIES}/email", headers=api.headers()),
        400,
        "VALIDATION_ERROR",
        "Property email is a HubSpot-defined property and cannot be archived",
    )


def test_schema_scopes(api: Api) -> None:
    reader = api.new_token(frozenset({"crm.schemas.contacts.read"}))
    assert api.get(PROPERTIES, token=reader).status_code == 200
    body = assert_error(
        api.post(PROPERTIES, new_property(), token=reader),
        403,
        "MISSING_SCOPES",
        messages.MISSING_SCOPES,
    )
    assert body["errors"][0]["context"] == {
        "requiredGranularScopes": ["crm.schemas.contacts.write"]
    }
    nobody = api.new_token(frozenset({"crm.objects.contacts.read"}))
    assert api.get(PROPERTIES, token=nobody).status_code == 403
