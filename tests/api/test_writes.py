"""Writes besides upsert, in process: batch create/update/archive and single-record writes."""

from __future__ import annotations

from typing import Any

import pytest

from hubcrm.protocol import messages
from tests.api.helpers import add_unique_property, assert_error
from tests.conftest import Api, upsert_input

CONTACTS = "/crm/v3/objects/contacts"


def patch(api: Api, path: str, body: Any, **params: Any) -> Any:
    return api.client.patch(path, json=body, params=params, headers=api.headers())


def test_single_create_update_and_delete(api: Api) -> None:
    created = api.post(CONTACTS, {"properties": {"email": "Ann@X.com", "firstname": "Ann"}})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"] == "1"
    assert body["properties"]["email"] == "ann@x.com"
    assert body["properties"]["hs_object_id"] == "1"
    assert body["archived"] is False
    api.clock.advance(1000)
    updated = patch(api, f"{CONTACTS}/1", {"properties": {"lastname": "Lee"}})
    assert updated.status_code == 200
    assert updated.json()["properties"]["lastname"] == "Lee"
    assert updated.json()["updatedAt"] == "2026-01-01T00:00:01.000Z"
    by_email = patch(
        api, f"{CONTACTS}/ann@x.com", {"properties": {"phone": "1"}}, idProperty="email"
    )
    assert by_email.status_code == 200
    assert by_email.json()["properties"]["phone"] == "1"
    deleted = api.client.delete(f"{CONTACTS}/1", headers=api.headers())
    assert deleted.status_code == 204
    assert api.get(f"{CONTACTS}/1").status_code == 404
    assert api.client.delete(f"{CONTACTS}/1", headers=api.headers()).status_code == 204


def test_single_write_errors(api: Api) -> None:
    assert_error(
        patch(api, f"{CONTACTS}/1", {"properties": {}}),
        400,
        "VALIDATION_ERROR",
        "No properties found to update, please provide at least one.",
    )
    assert_error(
        patch(api, f"{CONTACTS}/1", {"properties": {"firstname": "x"}}),
        404,
        "OBJECT_NOT_FOUND",
        "resource not found",
    )
    api.upsert([upsert_input("a@x.com"), upsert_input("b@x.com")])
    assert_error(
        api.post(CONTACTS, {"properties": {"email": "A@x.com"}}),
        409,
        "CONFLICT",
        "Contact already exists. Existing ID: 1",
    )
    assert_error(
        patch(api, f"{CONTACTS}/2", {"properties": {"email": "a@x.com"}}),
        409,
        "CONFLICT",
        "Contact already exists. Existing ID: 1",
    )
    bad = api.post(CONTACTS, {"properties": {"nope": "1"}})
    assert_error(bad, 400, "VALIDATION_ERROR", bad.json()["message"])
    assert bad.json()["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"


def test_batch_create_is_201_and_207_with_trace_ids(api: Api) -> None:
    created = api.post(
        f"{CONTACTS}/batch/create",
        {"inputs": [{"properties": {"email": "a@x.com"}}, {"properties": {"email": "b@x.com"}}]},
    )
    assert created.status_code == 201
    assert [r["id"] for r in created.json()["results"]] == ["1", "2"]
    assert created.json()["status"] == "COMPLETE"
    partial = api.post(
        f"{CONTACTS}/batch/create",
        {
            "inputs": [
                {"properties": {"email": "c@x.com"}, "objectWriteTraceId": "t1"},
                {"properties": {"email": "not-an-email"}, "objectWriteTraceId": "t2"},
            ]
        },
    )
    assert partial.status_code == 207
    body = partial.json()
    assert [(r["id"], r["objectWriteTraceId"]) for r in body["results"]] == [("3", "t1")]
    assert body["numErrors"] == 1
    assert body["errors"][0]["context"] == {"objectWriteTraceId": ["t2"]}
    assert body["errors"][0]["errors"][0]["code"] == "INVALID_EMAIL"
    whole = api.post(
        f"{CONTACTS}/batch/create", {"inputs": [{"properties": {"email": "not-an-email"}}]}
    )
    assert whole.status_code == 400
    assert_error(
        api.post(f"{CONTACTS}/batch/create", {"inputs": [{"properties": {}}] * 101}),
        400,
        "VALIDATION_ERROR",
        messages.BATCH_TOO_LARGE.format(limit=100),
    )


def test_batch_update_by_id_and_unique_property_with_missing_ids_as_207(api: Api) -> None:
    api.upsert([upsert_input("a@x.com"), upsert_input("b@x.com")])
    updated = api.post(
        f"{CONTACTS}/batch/update",
        {"inputs": [{"id": "2", "properties": {"firstname": "Bo"}}]},
    )
    assert updated.status_code == 200
    assert updated.json()["results"][0]["properties"]["firstname"] == "Bo"
    partial = api.post(
        f"{CONTACTS}/batch/update",
        {
            "inputs": [
                {"id": "1", "properties": {"firstname": "Al"}},
                {"id": "99", "properties": {"firstname": "Nobody"}},
            ]
        },
    )
    assert partial.status_code == 207
    body = partial.json()
    assert [r["id"] for r in body["results"]] == ["1"]
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"] == {"ids": ["99"]}
    add_unique_property(api, "code")
    api.upsert([{"idProperty": "code", "id": "K", "properties": {"email": "k@x.com"}}])
    by_code = api.post(
        f"{CONTACTS}/batch/update",
        {"inputs": [{"id": "K", "idProperty": "code", "properties": {"lastname": "Kay"}}]},
    )
    assert by_code.status_code == 200
    assert by_code.json()["results"][0]["id"] == "3"


@pytest.mark.own_database
def test_batch_update_rejects_email_keys_and_duplicates(api: Api) -> None:
    assert_error(
        api.post(
            f"{CONTACTS}/batch/update",
            {"inputs": [{"id": "a@x.com", "idProperty": "email", "properties": {}}]},
        ),
        400,
        "VALIDATION_ERROR",
        "Unable to perform update/upsert by non-unique 0-1 property email in portal ID 12345678",
    )
    body = assert_error(
        api.post(
            f"{CONTACTS}/batch/update",
            {"inputs": [{"id": "1", "properties": {}}, {"id": "1", "properties": {}}]},
        ),
        400,
        "VALIDATION_ERROR",
        "Duplicate IDs found in batch input: [1]. IDs must be unique",
    )
    assert body["context"] == {"ids": ["1"]}


def test_batch_archive_frees_emails_and_ignores_unknown_ids(api: Api) -> None:
    api.upsert([upsert_input("a@x.com"), upsert_input("b@x.com")])
    response = api.post(
        f"{CONTACTS}/batch/archive", {"inputs": [{"id": "1"}, {"id": "42"}, {"id": "x"}]}
    )
    assert response.status_code == 204
    assert response.content == b""
    recreated = api.post(CONTACTS, {"properties": {"email": "a@x.com"}})
    assert recreated.status_code == 201
    assert recreated.json()["id"] == "3"


def test_batch_create_with_trace_ids_reports_taken_emails_per_input(api: Api) -> None:
    api.upsert([upsert_input("a@x.com")])
    response = api.post(
        f"{CONTACTS}/batch/create",
        {
            "inputs": [
                {"properties": {"email": "A@x.com"}, "objectWriteTraceId": "t1"},
                {"properties": {"email": "new@x.com"}, "objectWriteTraceId": "t2"},
                {"properties": {"email": "new@x.com"}, "objectWriteTraceId": "t3"},
            ]
        },
    )
    assert response.status_code == 207, response.text
    body = response.json()
    assert [(r["objectWriteTraceId"], r["properties"]["email"]) for r in body["results"]] == [
        ("t2", "new@x.com")
    ]
    new_id = body["results"][0]["id"]
    assert body["numErrors"] == 2
    assert [(e["category"], e["message"], e["context"]) for e in body["errors"]] == [
        (
            "CONFLICT",
            "Contact already exists. Existing ID: 1",
            {"objectWriteTraceId": ["t1"], "existingId": ["1"]},
        ),
        (
            "CONFLICT",
            f"Contact already exists. Existing ID: {new_id}",
            {"objectWriteTraceId": ["t3"], "existingId": [new_id]},
        ),
    ]
    without_traces = api.post(
        f"{CONTACTS}/batch/create", {"inputs": [{"properties": {"email": "a@x.com"}}]}
    )
    assert_error(without_traces, 409, "CONFLICT", "Contact already exists. Existing ID: 1")
