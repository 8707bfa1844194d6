"""Batch upsert over HTTP, in process: each behaviour with its exact status, category, message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hubcrm.protocol import messages
from tests.conftest import Api, upsert_input

UPSERT = "/crm/v3/objects/contacts/batch/upsert"


def assert_error(response: Any, status: int, category: str, message: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    body: dict[str, Any] = response.json()
    assert body["status"] == "error"
    assert body["category"] == category
    assert body["message"] == message
    assert body["correlationId"] == response.headers["x-hubspot-correlation-id"]
    return body


def contact(api: Api, email: str) -> dict[str, Any]:
    response = api.get(
        f"/crm/v3/objects/contacts/{email}",
        idProperty="email",
        properties="email,firstname,lastname,phone,lifecyclestage,hs_additional_emails",
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.own_database
def test_creates_then_updates_by_email(api: Api) -> None:
    created = api.upsert([upsert_input("Ann@Example.com", firstname="Ann", phone="+1555")])
    assert created.status_code == 200
    body = created.json()
    assert body["status"] == "COMPLETE"
    assert body["startedAt"] == body["completedAt"] == "2026-01-01T00:00:00.000Z"
    [result] = body["results"]
    assert result["new"] is True
    assert result["id"] == "1"
    assert result["archived"] is False
    assert result["createdAt"] == result["updatedAt"] == "2026-01-01T00:00:00.000Z"
    assert result["url"] == "https://app.hubspot.com/contacts/12345678/record/0-1/1"
    assert result["properties"] == {
        "createdate": "2026-01-01T00:00:00.000Z",
        "email": "ann@example.com",
        "firstname": "Ann",
        "hs_object_id": "1",
        "lastmodifieddate": "2026-01-01T00:00:00.000Z",
        "lastname": None,
        "phone": "+1555",
    }

    api.clock.advance(1500)
    updated = api.upsert([upsert_input("ANN@example.com", lastname="Lee")])
    assert updated.status_code == 200
    [result] = updated.json()["results"]
    assert result["new"] is False
    assert result["id"] == "1"
    assert result["createdAt"] == "2026-01-01T00:00:00.000Z"
    assert result["updatedAt"] == "2026-01-01T00:00:01.500Z"
    assert result["properties"]["lastname"] == "Lee"
    assert result["properties"]["firstname"] == "Ann"  # absent properties stay untouched
    assert result["properties"]["lastmodifieddate"] == "2026-01-01T00:00:01.500Z"


def test_empty_inputs_and_missing_inputs_are_complete_no_ops(api: Api) -> None:
    bodies: list[dict[str, Any]] = [{"inputs": []}, {}]
    for body in bodies:
        response = api.post(UPSERT, body)
        assert response.status_code == 200
        assert response.json()["results"] == []
        assert response.json()["status"] == "COMPLETE"


def test_dated_path_and_type_id_path_serve_the_same_endpoint(api: Api) -> None:
    for n, path in enumerate(
        ["/crm/objects/2026-03/contacts/batch/upsert", "/crm/v3/objects/0-1/batch/upsert"]
    ):
        response = api.post(path, {"inputs": [upsert_input(f"p{n}@x.com")]})
        assert response.status_code == 200
        assert response.json()["results"][0]["properties"]["email"] == f"p{n}@x.com"


def test_more_than_100_inputs_is_rejected(api: Api) -> None:
    inputs = [upsert_input(f"u{i}@x.com") for i in range(101)]
    assert_error(
        api.upsert(inputs),
        400,
        "VALIDATION_ERROR",
        "The maximum number of inputs supported in a batch is 100. "
        "Please reduce the number of items and try again",
    )
    assert api.upsert([upsert_input(f"u{i}@x.com") for i in range(100)]).status_code == 200


def test_duplicate_ids_compare_emails_case_insensitively(api: Api) -> None:
    body = assert_error(
        api.upsert([upsert_input("a@x.com"), upsert_input("b@x.com"), upsert_input("A@X.com")]),
        400,
        "VALIDATION_ERROR",
        "Duplicate IDs found in batch input: [A@X.com]. IDs must be unique",
    )
    assert body["context"] == {"ids": ["A@X.com"]}
    assert api.get("/crm/v3/objects/contacts/a@x.com", idProperty="email").status_code == 404


@pytest.mark.parametrize(
    ("id_property", "message"),
    [
        (
            "firstname",
            "Unable to perform update/upsert by non-unique 0-1 property firstname "
            "in portal ID 12345678",
        ),
        (
            "hs_object_id",
            "Unable to perform update/upsert by non-unique 0-1 property "
            "hs_object_id in portal ID 12345678",
        ),
        (None, messages.ID_PROPERTY_REQUIRED),
    ],
)
@pytest.mark.own_database
def test_id_property_must_be_unique(api: Api, id_property: str | None, message: str) -> None:
    item: dict[str, Any] = {"id": "x@x.com", "properties": {}}
    if id_property:
        item["idProperty"] = id_property
    assert_error(api.upsert([item]), 400, "VALIDATION_ERROR", message)


def test_unknown_id_property(api: Api) -> None:
    body = assert_error(
        api.upsert([{"id": "1", "idProperty": "nope", "properties": {}}]),
        400,
        "VALIDATION_ERROR",
        'Property "nope" does not exist',
    )
    assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"


def property_error(name: str, code: str, message: str) -> dict[str, Any]:
    return {"message": message, "code": code, "context": {"propertyName": [name]}}


def embedded(body: dict[str, Any]) -> list[dict[str, Any]]:
    prefix = "Property values were not valid: "
    assert body["message"].startswith(prefix)
    details: list[dict[str, Any]] = json.loads(body["message"][len(prefix) :])
    return details


INVALID_VALUES = [
    ("bogus", "1", "PROPERTY_DOESNT_EXIST", 'Property "bogus" does not exist'),
    (
        "hs_object_id",
        "7",
        "READ_ONLY_VALUE",
        '"hs_object_id" is a read only property; its value cannot be set.',
    ),
    (
        "createdate",
        "2020-01-01",
        "READ_ONLY_VALUE",
        '"createdate" is a read only property; its value cannot be set.',
    ),
    (
        "lifecyclestage",
        "prospect",
        "INVALID_OPTION",
        "prospect was not one of the allowed options: [subscriber, lead, marketingqualifiedlead, "
        "salesqualifiedlead, opportunity, customer, evangelist, other]",
    ),
    (
        "hs_lead_status",
        "open",
        "INVALID_OPTION",
        "open was not one of the allowed options: [NEW, OPEN, IN_PROGRESS, OPEN_DEAL, UNQUALIFIED, "
        "ATTEMPTED_TO_CONTACT, CONNECTED, BAD_TIMING]",
    ),
    ("followercount", "1,000", "INVALID_INTEGER", "1,000 was not a valid number."),
    (
        "hs_facebook_ad_clicked",
        "yes",
        "INVALID_OPTION",
        "yes was not one of the allowed options: [true, false]",
    ),
    (
        "hs_job_change_detected_date",
        "1579179660000",
        "INVALID_DATE",
        "1579179660000 is at 13:1:0.0 UTC, not midnight!",
    ),
    (
        "hs_job_change_detected_date",
        "2020-13-01",
        "INVALID_DATE",
        messages.INVALID_DATE.format(value="2020-13-01"),
    ),
    (
        "closedate",
        "next tuesday",
        "INVALID_DATETIME",
        messages.INVALID_DATETIME.format(value="next tuesday"),
    ),
    (
        "hs_additional_emails",
        "ok@x.com;not-an-email",
        "INVALID_EMAIL",
        "Email address not-an-email is invalid",
    ),
]


@pytest.mark.own_database
@pytest.mark.parametrize(("name", "value", "code", "message"), INVALID_VALUES)
def test_each_invalid_value_has_hubspot_code_and_message(
    api: Api, name: str, value: str, code: str, message: str
) -> None:
    response = api.upsert([upsert_input("v@x.com", **{name: value})])
    body = assert_error(response, 400, "VALIDATION_ERROR", response.json()["message"])
    assert body["errors"] == [property_error(name, code, message)]
    assert embedded(body) == [
        {
            "isValid": False,
            "message": message,
            "error": code,
            "name": name,
            "localizedErrorMessage": message,
            "portalId": 12345678,
        }
    ]
    assert api.get("/crm/v3/objects/contacts/v@x.com", idProperty="email").status_code == 404


def test_all_problems_of_all_inputs_are_reported_together_and_nothing_is_written(api: Api) -> None:
    response = api.upsert(
        [
            upsert_input("ok@x.com", firstname="Fine"),
            upsert_input("bad@x.com", bogus="1", lifecyclestage="nope"),
            {"idProperty": "email", "id": "not an email", "properties": {"hubspotscore": "3"}},
        ]
    )
    body = assert_error(response, 400, "VALIDATION_ERROR", response.json()["message"])
    assert [(e["code"], e["context"]["propertyName"][0]) for e in body["errors"]] == [
        ("PROPERTY_DOESNT_EXIST", "bogus"),
        ("INVALID_OPTION", "lifecyclestage"),
        ("INVALID_EMAIL", "email"),
        ("READ_ONLY_VALUE", "hubspotscore"),
    ]
    assert len(embedded(body)) == 4
    assert api.get("/crm/v3/objects/contacts/ok@x.com", idProperty="email").status_code == 404


def test_valid_values_of_every_type_are_stored_normalised(api: Api) -> None:
    response = api.upsert(
        [
            upsert_input(
                "types@x.com",
                followercount="-12.5",
                hs_facebook_ad_clicked="TRUE",
                hs_job_change_detected_date="1577836800000",
                hs_returning_to_office_detected_date="2021-02-03",
                closedate="1577836800123",
                hs_latest_source_timestamp="2024-05-06T07:08:09+02:00",
                lifecyclestage="customer",
                hs_additional_emails="Other@X.com; third@x.com",
            )
        ]
    )
    assert response.status_code == 200, response.text
    properties = response.json()["results"][0]["properties"]
    assert properties["followercount"] == "-12.5"
    assert properties["hs_facebook_ad_clicked"] == "true"
    assert properties["hs_job_change_detected_date"] == "2020-01-01"
    assert properties["hs_returning_to_office_detected_date"] == "2021-02-03"
    assert properties["closedate"] == "2020-01-01T00:00:00.123Z"
    assert properties["hs_latest_source_timestamp"] == "2024-05-06T05:08:09.000Z"
    assert properties["lifecyclestage"] == "customer"
    assert properties["hs_additional_emails"] == "other@x.com;third@x.com"


def test_json_numbers_and_booleans_are_taken_as_text_and_null_is_ignored(api: Api) -> None:
    api.upsert([upsert_input("n@x.com", firstname="Keep")])
    response = api.upsert(
        [
            {
                "idProperty": "email",
                "id": "n@x.com",
                "properties": {
                    "followercount": 42,
                    "hs_facebook_ad_clicked": False,
                    "firstname": None,
                },
            }
        ]
    )
    assert response.status_code == 200, response.text
    properties = response.json()["results"][0]["properties"]
    assert properties["followercount"] == "42"
    assert properties["hs_facebook_ad_clicked"] == "false"
    assert properties["firstname"] == "Keep"


def test_empty_string_clears_a_value(api: Api) -> None:
    api.upsert([upsert_input("c@x.com", firstname="Cleared", lastname="Kept")])
    api.upsert([upsert_input("c@x.com", firstname="")])
    stored = contact(api, "c@x.com")["properties"]
    assert stored["firstname"] is None
    assert stored["lastname"] == "Kept"


def test_partial_success_with_trace_ids_and_a_custom_unique_key(api: Api) -> None:
    from tests.api.helpers import add_unique_property

    add_unique_property(api, "external_id")
    response = api.upsert(
        [
            {
                "idProperty": "external_id",
                "id": "E1",
                "objectWriteTraceId": "t1",
                "properties": {"firstname": "Good"},
            },
            {
                "idProperty": "external_id",
                "id": "E2",
                "objectWriteTraceId": "t2",
                "properties": {"lifecyclestage": "nope", "bogus": "x"},
            },
        ]
    )
    assert response.status_code == 207, response.text
    body = response.json()
    assert body["status"] == "COMPLETE"
    assert body["numErrors"] == 1
    [result] = body["results"]
    assert result["objectWriteTraceId"] == "t1"
    assert result["properties"]["external_id"] == "E1"
    [error] = body["errors"]
    assert error["status"] == "error"
    assert error["category"] == "VALIDATION_ERROR"
    assert error["context"] == {"objectWriteTraceId": ["t2"]}
    assert error["links"] == {}
    assert [e["code"] for e in error["errors"]] == ["INVALID_OPTION", "PROPERTY_DOESNT_EXIST"]
    assert len(embedded(error)) == 2
    found = api.get("/crm/v3/objects/contacts/E1", idProperty="external_id")
    assert found.status_code == 200
    assert api.get("/crm/v3/objects/contacts/E2", idProperty="external_id").status_code == 404


def test_trace_ids_with_email_keys_stay_all_or_nothing(api: Api) -> None:
    response = api.upsert(
        [
            {**upsert_input("g@x.com"), "objectWriteTraceId": "t1"},
            {**upsert_input("b@x.com", bogus="1"), "objectWriteTraceId": "t2"},
        ]
    )
    assert response.status_code == 400
    assert api.get("/crm/v3/objects/contacts/g@x.com", idProperty="email").status_code == 404


def test_email_already_held_by_another_contact_is_a_409_for_the_whole_batch(api: Api) -> None:
    from tests.api.helpers import add_unique_property

    add_unique_property(api, "external_id")
    api.upsert([upsert_input("taken@x.com")])
    response = api.upsert(
        [
            {
                "idProperty": "external_id",
                "id": "K1",
                "objectWriteTraceId": "t1",
                "properties": {"firstname": "Fine"},
            },
            {
                "idProperty": "external_id",
                "id": "K2",
                "objectWriteTraceId": "t2",
                "properties": {"email": "Taken@x.com"},
            },
        ]
    )
    body = assert_error(response, 409, "CONFLICT", "Contact already exists. Existing ID: 1")
    assert "context" not in body
    assert api.get("/crm/v3/objects/contacts/K1", idProperty="external_id").status_code == 404


def test_additional_emails_are_unique_and_match_upserts(api: Api) -> None:
    api.upsert([upsert_input("main@x.com", hs_additional_emails="alias@x.com")])
    matched = api.upsert([upsert_input("ALIAS@x.com", firstname="Via alias")])
    assert matched.json()["results"][0]["id"] == "1"
    assert matched.json()["results"][0]["new"] is False
    clash = api.upsert([upsert_input("other@x.com", hs_additional_emails="main@x.com")])
    assert_error(clash, 409, "CONFLICT", "Contact already exists. Existing ID: 1")


def test_changing_an_email_frees_the_old_one(api: Api) -> None:
    api.upsert([upsert_input("old@x.com")])
    api.upsert([{"idProperty": "email", "id": "old@x.com", "properties": {"email": "new@x.com"}}])
    again = api.upsert([upsert_input("old@x.com")])
    assert again.json()["results"][0]["new"] is True
    assert again.json()["results"][0]["id"] == "2"


def test_history_records_each_changed_value_newest_first(api: Api) -> None:
    api.upsert([upsert_input("h@x.com", firstname="One")])
    api.clock.advance(1000)
    api.upsert([upsert_input("h@x.com", firstname="Two")])
    api.clock.advance(1000)
    api.upsert([upsert_input("h@x.com", firstname="Two")])  # unchanged: no new entry
    api.upsert([upsert_input("h@x.com", firstname="")])
    response = api.get(
        "/crm/v3/objects/contacts/h@x.com", idProperty="email", propertiesWithHistory="firstname"
    )
    history = response.json()["propertiesWithHistory"]["firstname"]
    assert [(h["value"], h["timestamp"]) for h in history] == [
        ("", "2026-01-01T00:00:02.000Z"),
        ("Two", "2026-01-01T00:00:01.000Z"),
        ("One", "2026-01-01T00:00:00.000Z"),
    ]
    assert {h["sourceType"] for h in history} == {"API"}
    assert {h["sourceId"] for h in history} == {"1"}
