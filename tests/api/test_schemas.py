"""Custom object types in process: the schemas API, and their records through every endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from hubcrm.protocol import messages
from tests.api.helpers import assert_error
from tests.api.test_object_types import exercise
from tests.conftest import Api
from tests.object_types import Sample

SCHEMAS = "/crm/v3/schemas"


def cars(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "cars",
        "labels": {"singular": "Car", "plural": "Cars"},
        "primaryDisplayProperty": "model",
        "secondaryDisplayProperties": ["year"],
        "requiredProperties": ["model"],
        "searchableProperties": ["model", "vin"],
        "associatedObjects": ["CONTACT", "0-3"],
        "properties": [
            {"name": "model", "label": "Model", "type": "string", "fieldType": "text"},
            {"name": "vin", "label": "VIN", "type": "string", "fieldType": "text"},
            {"name": "year", "label": "Year", "type": "number", "fieldType": "number"},
        ],
    }
    return body | overrides


def define_cars(api: Api, **overrides: Any) -> dict[str, Any]:
    created = api.post(SCHEMAS, cars(**overrides))
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def test_create_read_and_list_a_schema(api: Api) -> None:
    body = define_cars(api)
    fqn = f"p{api.portal_id}_cars"
    assert {k: v for k, v in body.items() if k != "properties"} == {
        "id": "1",
        "objectTypeId": "2-1",
        "name": "cars",
        "fullyQualifiedName": fqn,
        "labels": {"singular": "Car", "plural": "Cars"},
        "requiredProperties": ["model"],
        "searchableProperties": ["model", "vin"],
        "secondaryDisplayProperties": ["year"],
        "primaryDisplayProperty": "model",
        "associations": [
            {
                "id": "1001",
                "fromObjectTypeId": "2-1",
                "toObjectTypeId": "0-1",
                "name": "cars_to_contacts",
            },
            {
                "id": "1002",
                "fromObjectTypeId": "2-1",
                "toObjectTypeId": "0-3",
                "name": "cars_to_deals",
            },
        ],
        "archived": False,
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T00:00:00.000Z",
        "metaType": "PORTAL_SPECIFIC",
    }
    properties = {p["name"]: p for p in body["properties"]}
    assert sorted(properties) == [
        "hs_createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
        "model",
        "vin",
        "year",
    ]
    assert properties["model"]["groupName"] == "cars_information"
    assert properties["hs_object_id"]["modificationMetadata"]["readOnlyValue"] is True
    for ref in ("2-1", fqn, "cars"):
        assert api.get(f"{SCHEMAS}/{ref}").json() == body
    assert api.get("/crm-object-schemas/v3/schemas/2-1").json() == body
    assert api.get(SCHEMAS).json() == {"results": [body]}


def test_records_of_a_custom_object_through_every_endpoint(api: Api) -> None:
    define_cars(api)
    kind = api.call(api.state.records.types.resolve, api.portal_id, "2-1")
    fqn = f"p{api.portal_id}_cars"
    exercise(api, kind, Sample("cars", "model"), (fqn, "2-1", f"/crm/objects/2026-03/{fqn}"))


def test_custom_object_rules(api: Api) -> None:
    define_cars(api)
    base = "/crm/v3/objects/2-1"
    message = messages.REQUIRED_PROPERTIES_MISSING.format(type=f"p{api.portal_id}_cars")
    body = assert_error(
        api.post(base, {"properties": {"vin": "1"}}), 400, "VALIDATION_ERROR", message
    )
    assert body["context"] == {"properties": ["model"]}
    created = api.post(base, {"properties": {"model": "Beetle", "year": "1970"}}).json()
    assert created["properties"] == {
        "hs_createdate": "2026-01-01T00:00:00.000Z",
        "hs_lastmodifieddate": "2026-01-01T00:00:00.000Z",
        "hs_object_id": "1",
        "model": "Beetle",
        "year": "1970",
    }
    assert created["url"] == f"https://app.hubspot.com/contacts/{api.portal_id}/record/2-1/1"
    assert api.get(base).json()["results"][0]["properties"] == {
        "hs_createdate": "2026-01-01T00:00:00.000Z",
        "hs_lastmodifieddate": "2026-01-01T00:00:00.000Z",
        "hs_object_id": "1",
    }
    found = api.post(f"{base}/search", {"query": "beetle"}).json()
    assert [r["id"] for r in found["results"]] == ["1"]
    bad = api.post(base, {"properties": {"model": "x", "year": "old"}})
    assert bad.status_code == 400
    # Not addressable by its bare name, nor by another portal.
    assert_error(
        api.get("/crm/v3/objects/cars"),
        400,
        "VALIDATION_ERROR",
        messages.UNKNOWN_OBJECT_TYPE.format(name="cars"),
    )
    _, other = api.new_portal()
    assert_error(
        api.get(base, token=other),
        400,
        "VALIDATION_ERROR",
        messages.UNKNOWN_OBJECT_TYPE.format(name="2-1"),
    )


def test_update_a_schema(api: Api) -> None:
    define_cars(api)
    api.clock.advance(1000)
    changed = api.client.patch(
        f"{SCHEMAS}/2-1",
        json={
            "labels": {"singular": "Auto", "plural": "Autos"},
            "requiredProperties": [],
            "searchableProperties": ["vin"],
        },
        headers=api.headers(),
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["labels"] == {"singular": "Auto", "plural": "Autos"}
    assert body["portalId"] == api.portal_id
    assert body["updatedAt"] == "2026-01-01T00:00:01.000Z"
    assert "properties" not in body
    # The new rules apply at once: no required property, and query searches vin alone.
    assert (
        api.post("/crm/v3/objects/2-1", {"properties": {"vin": "V1", "model": "Golf"}}).status_code
        == 201
    )
    assert api.post("/crm/v3/objects/2-1/search", {"query": "golf"}).json()["total"] == 0
    assert api.post("/crm/v3/objects/2-1/search", {"query": "v1"}).json()["total"] == 1
    unknown = api.client.patch(
        f"{SCHEMAS}/2-1", json={"requiredProperties": ["nope"]}, headers=api.headers()
    )
    assert_error(
        unknown,
        400,
        "VALIDATION_ERROR",
        messages.SCHEMA_PROPERTY_UNKNOWN.format(
            field="requiredProperties", property="nope", name="cars"
        ),
    )
    assert_error(
        api.client.patch(
            f"{SCHEMAS}/contacts", json={"labels": {"singular": "x"}}, headers=api.headers()
        ),
        400,
        "VALIDATION_ERROR",
        messages.SCHEMA_READ_ONLY.format(type_id="0-1"),
    )


def test_schema_errors(api: Api) -> None:
    define_cars(api)
    assert_error(
        api.post(SCHEMAS, cars()), 409, "CONFLICT", messages.SCHEMA_EXISTS.format(name="cars")
    )
    for name in ("contacts", "9lives", "has space"):
        assert_error(
            api.post(SCHEMAS, cars(name=name)),
            400,
            "VALIDATION_ERROR",
            messages.SCHEMA_NAME_INVALID.format(name=name),
        )
    assert_error(
        api.post(SCHEMAS, cars(name="bikes", requiredProperties=["wheels"])),
        400,
        "VALIDATION_ERROR",
        messages.SCHEMA_PROPERTY_UNKNOWN.format(
            field="requiredProperties", property="wheels", name="bikes"
        ),
    )
    assert_error(
        api.post(SCHEMAS, cars(name="bikes", associatedObjects=["SPACESHIP"])),
        400,
        "VALIDATION_ERROR",
        messages.SCHEMA_UNKNOWN_ASSOCIATION.format(name="bikes", target="SPACESHIP"),
    )
    assert_error(
        api.post(SCHEMAS, cars(name="bikes", labels={"singular": "Bike"})),
        400,
        "VALIDATION_ERROR",
        messages.SCHEMA_LABELS_REQUIRED.format(name="bikes"),
    )
    bad_property = api.post(
        SCHEMAS,
        cars(
            name="bikes",
            properties=[{"name": "x", "label": "X", "type": "nope", "fieldType": "text"}],
        ),
    )
    assert bad_property.status_code == 400
    assert_error(
        api.get(f"{SCHEMAS}/2-99"),
        400,
        "VALIDATION_ERROR",
        messages.UNKNOWN_OBJECT_TYPE.format(name="2-99"),
    )
    assert [s["name"] for s in api.get(SCHEMAS).json()["results"]] == ["cars"]  # nothing else made


def test_archive_and_purge_a_schema(api: Api) -> None:
    define_cars(api)
    assert api.post("/crm/v3/objects/2-1", {"properties": {"model": "Mini"}}).status_code == 201
    assert_error(
        api.client.delete(f"{SCHEMAS}/2-1", headers=api.headers()),
        400,
        "VALIDATION_ERROR",
        messages.SCHEMA_HAS_RECORDS.format(type_id="2-1", count="1"),
    )
    assert api.client.delete("/crm/v3/objects/2-1/1", headers=api.headers()).status_code == 204
    assert_error(
        api.client.delete(f"{SCHEMAS}/2-1", params={"archived": "true"}, headers=api.headers()),
        400,
        "VALIDATION_ERROR",
        messages.UNKNOWN_OBJECT_TYPE.format(name="2-1"),
    )
    assert api.client.delete(f"{SCHEMAS}/2-1", headers=api.headers()).status_code == 204
    assert api.get(SCHEMAS).json() == {"results": []}
    assert [s["archived"] for s in api.get(SCHEMAS, archived="true").json()["results"]] == [True]
    assert api.get("/crm/v3/objects/2-1").status_code == 400
    # The name stays taken until the archived schema is purged.
    assert api.post(SCHEMAS, cars()).status_code == 409
    purged = api.client.delete(f"{SCHEMAS}/2-1", params={"archived": "true"}, headers=api.headers())
    assert purged.status_code == 204
    assert define_cars(api)["objectTypeId"] == "2-2"


def test_standard_type_schemas(api: Api) -> None:
    deals = api.get(f"{SCHEMAS}/deals").json()
    assert deals["objectTypeId"] == "0-3"
    assert deals["id"] == "3"
    assert deals["metaType"] == "HUBSPOT"
    assert deals["fullyQualifiedName"] == "DEAL"
    assert deals["primaryDisplayProperty"] == "dealname"
    assert len(deals["properties"]) == 152
    assert api.get(f"{SCHEMAS}/0-5").json()["requiredProperties"] == ["hs_pipeline_stage"]
    assert api.get(SCHEMAS).json() == {"results": []}  # the list holds custom types only


@pytest.mark.parametrize(
    ("scopes", "path", "needed"),
    [
        ({"crm.objects.custom.read"}, SCHEMAS, ["crm.schemas.custom.read"]),
        ({"crm.schemas.custom.read"}, "/crm/v3/objects/2-1", ["crm.objects.custom.read"]),
        ({"crm.schemas.custom.read"}, "/crm/v3/properties/2-1", None),
        ({"crm.objects.custom.read"}, "/crm/v3/properties/2-1", ["crm.schemas.custom.read"]),
    ],
)
def test_custom_object_scopes(
    api: Api, scopes: set[str], path: str, needed: list[str] | None
) -> None:
    define_cars(api)
    response = api.get(path, token=api.new_token(frozenset(scopes)))
    if needed is None:
        assert response.status_code == 200, response.text
        return
    body = assert_error(response, 403, "MISSING_SCOPES", messages.MISSING_SCOPES)
    assert body["errors"][0]["context"] == {"requiredGranularScopes": needed}
