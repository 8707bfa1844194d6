"""Every standard object type through every objects endpoint and the properties API, in process,
and each type's own rules: required properties, system dates, default properties, scopes."""

from __future__ import annotations

from typing import Any

import pytest

from hubcrm.domain import auth
from hubcrm.domain.objects import OBJECT_TYPES, ObjectType, object_type
from hubcrm.protocol import messages
from tests.api.helpers import assert_error
from tests.api.test_upsert import embedded
from tests.conftest import Api
from tests.object_types import SAMPLES, WHEN, Sample

TYPES = [pytest.param(SAMPLES[t.name], id=t.name) for t in OBJECT_TYPES]


def patch(api: Api, path: str, body: Any, **params: Any) -> Any:
    return api.client.patch(path, json=body, params=params, headers=api.headers())


@pytest.mark.parametrize("sample", TYPES)
def test_every_endpoint_serves_the_type(api: Api, sample: Sample) -> None:
    kind = sample.kind
    exercise(api, kind, sample, (kind.name, kind.type_id, f"/crm/objects/2026-03/{kind.name}"))


def exercise(api: Api, kind: ObjectType, sample: Sample, paths: tuple[str, str, str]) -> None:
    """Every objects endpoint and the properties API over one type: `paths` name it by its path
    name, by its type id, and a dated path by name."""
    by_name, by_id, dated = paths
    base = f"/crm/v3/objects/{by_name}"
    created = api.post(base, {"properties": sample.properties("Zephyr one")})
    assert created.status_code == 201, created.text
    first = created.json()
    assert first["id"] == "1"
    assert first["properties"][sample.text] == "Zephyr one"
    assert first["properties"]["hs_object_id"] == "1"
    assert first["properties"][kind.created_property] == "2026-01-01T00:00:00.000Z"
    assert first["properties"][kind.modified_property] == "2026-01-01T00:00:00.000Z"
    assert (
        first["url"] == f"https://app.hubspot.com/contacts/{api.portal_id}/record/{kind.type_id}/1"
    )
    # Addressed by name, by type id and at the dated path alike.
    for path in (f"{base}/1", f"/crm/v3/objects/{by_id}/1", f"{dated}/1"):
        read = api.get(path)
        assert read.status_code == 200, (path, read.text)
        assert sorted(read.json()["properties"]) == sorted(kind.default_properties)
    assert api.get(f"{base}/1", properties=sample.text).json()["properties"] == {
        sample.text: "Zephyr one"
    }
    batch = api.post(
        f"{base}/batch/create",
        {"inputs": [{"properties": sample.properties(f"Yarrow {n}")} for n in (2, 3)]},
    )
    assert batch.status_code == 201, batch.text
    assert sorted(r["id"] for r in batch.json()["results"]) == ["2", "3"]
    api.clock.advance(1000)
    updated = patch(api, f"{base}/2", {"properties": {sample.text: "Xylo two"}})
    assert updated.status_code == 200, updated.text
    assert updated.json()["properties"][kind.modified_property] == "2026-01-01T00:00:01.000Z"
    assert updated.json()["properties"][kind.created_property] == "2026-01-01T00:00:00.000Z"
    batch_update = api.post(
        f"{base}/batch/update", {"inputs": [{"id": "3", "properties": {sample.text: "Xylo three"}}]}
    )
    assert batch_update.status_code == 200, batch_update.text
    read_back = api.post(
        f"{base}/batch/read", {"inputs": [{"id": "2"}, {"id": "3"}], "properties": [sample.text]}
    )
    assert sorted(r["properties"][sample.text] for r in read_back.json()["results"]) == [
        "Xylo three",
        "Xylo two",
    ]
    listed = api.get(base, limit=2).json()
    assert [r["id"] for r in listed["results"]] == ["1", "2"]
    assert listed["paging"]["next"]["after"] == "3"
    by_filter = api.post(
        f"{base}/search",
        {
            "filterGroups": [
                {"filters": [{"propertyName": sample.text, "operator": "EQ", "value": "Xylo two"}]}
            ]
        },
    ).json()
    assert [r["id"] for r in by_filter["results"]] == ["2"]
    if sample.text in kind.search_properties:
        by_query = api.post(f"{base}/search", {"query": "Xylo"}).json()
        assert sorted(r["id"] for r in by_query["results"]) == ["2", "3"]
    # A custom unique property of the type, made by the properties API, keys an upsert.
    defined = api.post(
        f"/crm/v3/properties/{by_name}",
        {
            "name": "ext_key",
            "label": "Key",
            "type": "string",
            "fieldType": "text",
            "groupName": "x",
            "hasUniqueValue": True,
        },
    )
    assert defined.status_code == 201, defined.text
    assert api.get(f"/crm/v3/properties/{by_id}/ext_key").status_code == 200
    upsert = {"idProperty": "ext_key", "id": "K-1", "properties": sample.properties("Wren")}
    upserted = api.post(f"{base}/batch/upsert", {"inputs": [upsert]})
    assert upserted.status_code == 200, upserted.text
    assert upserted.json()["results"][0]["id"] == "4"
    again = api.post(
        f"{base}/batch/upsert", {"inputs": [upsert | {"properties": {sample.text: "Wren 2"}}]}
    )
    assert again.json()["results"][0]["id"] == "4"
    assert api.get(f"{base}/K-1", idProperty="ext_key").json()["id"] == "4"
    assert api.client.delete(f"{base}/1", headers=api.headers()).status_code == 204
    archived = api.post(f"{base}/batch/archive", {"inputs": [{"id": "2"}]})
    assert archived.status_code == 204
    assert [r["id"] for r in api.get(base).json()["results"]] == ["3", "4"]
    assert [r["id"] for r in api.get(base, archived="true").json()["results"]] == ["1", "2"]
    names = {p["name"] for p in api.get(f"/crm/v3/properties/{by_name}").json()["results"]}
    assert {"hs_object_id", kind.created_property, kind.modified_property, "ext_key"} <= names
    if kind.seed_file:
        assert {p.name for p in kind.seed_properties()} | {"ext_key"} == names


def test_types_keep_their_records_apart(api: Api) -> None:
    for name in ("contacts", "companies", "deals"):
        assert (
            api.post(
                f"/crm/v3/objects/{name}", {"properties": SAMPLES[name].properties("A")}
            ).json()["id"]
            == "1"
        )
    assert api.get("/crm/v3/objects/companies/2").status_code == 404
    assert [r["id"] for r in api.get("/crm/v3/objects/deals").json()["results"]] == ["1"]


@pytest.mark.parametrize("name", ["tickets", "tasks", "notes", "meetings", "calls", "emails"])
def test_required_properties_on_create(api: Api, name: str) -> None:
    kind = object_type(name)
    base = f"/crm/v3/objects/{name}"
    message = messages.REQUIRED_PROPERTIES_MISSING.format(type=kind.fully_qualified_name)
    body = assert_error(api.post(base, {"properties": {}}), 400, "VALIDATION_ERROR", message)
    assert body["context"] == {"properties": list(kind.required_properties)}
    assert_error(
        api.post(
            f"{base}/batch/create",
            {"inputs": [{"properties": SAMPLES[name].properties("ok")}, {"properties": {}}]},
        ),
        400,
        "VALIDATION_ERROR",
        message,
    )
    api.post(
        f"/crm/v3/properties/{name}",
        {
            "name": "ext_key",
            "label": "Key",
            "type": "string",
            "fieldType": "text",
            "groupName": "x",
            "hasUniqueValue": True,
        },
    )
    assert_error(
        api.post(
            f"{base}/batch/upsert",
            {"inputs": [{"idProperty": "ext_key", "id": "k", "properties": {}}]},
        ),
        400,
        "VALIDATION_ERROR",
        message,
    )
    assert api.get(base).json()["results"] == []  # nothing was written
    # An update need not name them again.
    created = api.post(base, {"properties": SAMPLES[name].properties("ok")})
    assert created.status_code == 201
    record = f"{base}/{created.json()['id']}"
    assert patch(api, record, {"properties": {SAMPLES[name].text: "x"}}).status_code == 200


@pytest.mark.parametrize("name", [t.name for t in OBJECT_TYPES if not t.required_properties])
def test_types_without_required_properties_create_empty_records(api: Api, name: str) -> None:
    assert api.post(f"/crm/v3/objects/{name}", {"properties": {}}).status_code == 201


@pytest.mark.parametrize("sample", TYPES)
def test_read_only_properties_are_refused(api: Api, sample: Sample) -> None:
    kind = sample.kind
    base = f"/crm/v3/objects/{kind.name}"
    for name in (kind.modified_property, "hs_object_id"):
        response = api.post(base, {"properties": sample.properties("x") | {name: "1"}})
        body = assert_error(response, 400, "VALIDATION_ERROR", response.json()["message"])
        assert [(d["error"], d["name"], d["message"]) for d in embedded(body)] == [
            ("READ_ONLY_VALUE", name, messages.READ_ONLY_VALUE.format(name=name))
        ]
        assert body["errors"][0]["code"] == "READ_ONLY_VALUE"
    assert api.get(base).json()["results"] == []


def test_unknown_type_and_property(api: Api) -> None:
    for path in (
        "/crm/v3/objects/widgets",
        "/crm/v3/objects/0-999/1",
        "/crm/v3/properties/widgets",
    ):
        assert_error(
            api.get(path),
            400,
            "VALIDATION_ERROR",
            "Unable to infer object type from: " + path.split("/")[4],
        )
    bad = api.post("/crm/v3/objects/deals", {"properties": {"nope": "1"}})
    body = assert_error(bad, 400, "VALIDATION_ERROR", bad.json()["message"])
    assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"


def test_writable_creation_date_keeps_the_given_value(api: Api) -> None:
    created = api.post(
        "/crm/v3/objects/deals",
        {"properties": {"dealname": "Old", "createdate": "2020-05-01T00:00:00Z"}},
    )
    assert created.json()["properties"]["createdate"] == "2020-05-01T00:00:00.000Z"
    found = api.post(
        "/crm/v3/objects/deals/search",
        {
            "filterGroups": [
                {
                    "filters": [
                        {
                            "propertyName": "createdate",
                            "operator": "LT",
                            "value": "2021-01-01T00:00:00Z",
                        }
                    ]
                }
            ]
        },
    ).json()
    assert [r["id"] for r in found["results"]] == ["1"]
    response = api.post("/crm/v3/objects/companies", {"properties": {"createdate": "1"}})
    body = assert_error(response, 400, "VALIDATION_ERROR", response.json()["message"])
    assert embedded(body)[0]["error"] == "READ_ONLY_VALUE"


def test_engagements_keep_hs_createdate(api: Api) -> None:
    note = api.post("/crm/v3/objects/notes", {"properties": {"hs_timestamp": WHEN}}).json()
    assert note["properties"] == {
        "hs_createdate": "2026-01-01T00:00:00.000Z",
        "hs_lastmodifieddate": "2026-01-01T00:00:00.000Z",
        "hs_object_id": "1",
        "hs_timestamp": WHEN,
    }


def test_upsert_id_property_only_what_hubspot_allows(api: Api) -> None:
    for name, prop in (
        ("companies", "domain"),
        ("companies", "hs_unique_creation_key"),
        ("tickets", "hs_unique_creation_key"),
    ):
        assert_error(
            api.post(
                f"/crm/v3/objects/{name}/batch/upsert",
                {"inputs": [{"idProperty": prop, "id": "x", "properties": {}}]},
            ),
            400,
            "VALIDATION_ERROR",
            messages.NON_UNIQUE_ID_PROPERTY.format(
                type_id=object_type(name).type_id, name=prop, portal=api.portal_id
            ),
        )


@pytest.mark.parametrize(
    ("name", "granted", "allowed"),
    [
        ("tickets", "tickets", True),
        ("tickets", "crm.objects.tickets.read", True),
        ("products", "e-commerce", True),
        ("line_items", "e-commerce", True),
        ("line_items", "crm.objects.products.read", False),
        ("notes", "crm.objects.contacts.read", True),
        ("deals", "crm.objects.contacts.read", False),
    ],
)
def test_scope_alternatives(api: Api, name: str, granted: str, allowed: bool) -> None:
    token = api.new_token(frozenset({granted}))
    response = api.get(f"/crm/v3/objects/{name}", token=token)
    if allowed:
        assert response.status_code == 200, response.text
        return
    body = assert_error(response, 403, "MISSING_SCOPES", messages.MISSING_SCOPES)
    assert body["errors"][0]["context"] == {
        "requiredGranularScopes": list(object_type(name).read_scopes)
    }


def test_missing_scope_names_every_alternative(api: Api) -> None:
    token = api.new_token(frozenset({"crm.objects.contacts.read"}))
    body = assert_error(
        api.get("/crm/v3/objects/tickets", token=token),
        403,
        "MISSING_SCOPES",
        messages.MISSING_SCOPES,
    )
    assert body["errors"][0]["context"] == {
        "requiredGranularScopes": ["tickets", "crm.objects.tickets.read"]
    }


def test_default_token_carries_every_scope() -> None:
    for kind in OBJECT_TYPES:
        assert set(kind.scopes) <= auth.DEFAULT_SCOPES
    assert {
        "crm.objects.deals.write",
        "e-commerce",
        "tickets",
        "crm.schemas.companies.write",
    } <= auth.DEFAULT_SCOPES


def test_an_invalid_required_value_is_reported_as_invalid(api: Api) -> None:
    response = api.post("/crm/v3/objects/notes", {"properties": {"hs_timestamp": "soon"}})
    body = assert_error(response, 400, "VALIDATION_ERROR", response.json()["message"])
    assert [(d["error"], d["name"]) for d in embedded(body)] == [
        ("INVALID_DATETIME", "hs_timestamp")
    ]
