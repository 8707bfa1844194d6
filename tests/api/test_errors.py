"""Whole-request errors: authentication, scopes, bodies, routes. Each in HubSpot's envelope."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubcrm.protocol import messages
from tests.api.test_upsert import UPSERT, assert_error
from tests.conftest import Api, upsert_input


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer pat-na1-unknown", "Token pat-na1-x"],
)
def test_missing_or_unknown_token_is_401(api: Api, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = api.client.post(UPSERT, json={"inputs": [upsert_input("a@x.com")]}, headers=headers)
    assert_error(response, 401, "INVALID_AUTHENTICATION", messages.AUTHENTICATION_MISSING)


def test_bearer_scheme_is_case_insensitive(api: Api) -> None:
    response = api.client.post(
        UPSERT, json={"inputs": []}, headers={"Authorization": f"bearer  {api.token}"}
    )
    assert response.status_code == 200


def test_write_without_write_scope_is_403_naming_the_scope(api: Api) -> None:
    token = api.new_token(frozenset({"crm.objects.contacts.read"}))
    body = assert_error(
        api.upsert([upsert_input("a@x.com")], token=token),
        403,
        "MISSING_SCOPES",
        messages.MISSING_SCOPES,
    )
    assert body["errors"] == [
        {
            "message": "One or more of the following scopes are required.",
            "context": {"requiredGranularScopes": ["crm.objects.contacts.write"]},
        }
    ]
    assert body["links"] == {"scopes": "https://developers.hubspot.com/scopes"}
    assert api.get("/crm/v3/objects/contacts/a@x.com", idProperty="email").status_code == 404


def test_read_without_read_scope_is_403(api: Api) -> None:
    token = api.new_token(frozenset({"crm.objects.contacts.write"}))
    body = assert_error(
        api.get("/crm/v3/objects/contacts/1", token=token),
        403,
        "MISSING_SCOPES",
        messages.MISSING_SCOPES,
    )
    assert body["errors"][0]["context"] == {"requiredGranularScopes": ["crm.objects.contacts.read"]}


def raw_post(api: Api, content: bytes, headers: dict[str, str] | None = None) -> Any:
    return api.client.post(UPSERT, content=content, headers={**api.headers(), **(headers or {})})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{", "Invalid input JSON: Input data was truncated"),
        (
            b'{"inputs": [}',
            "Invalid input JSON on line 1, column 13: JSON is malformed: "
            "invalid character (byte 12)",
        ),
        (
            b'{"inputs":\n  x}',
            "Invalid input JSON on line 2, column 3: JSON is malformed: "
            "invalid character (byte 13)",
        ),
        (b"", "Invalid input JSON: Input data was truncated"),
        (b"[]", "Invalid input JSON: Expected `object`, got `array`"),
        (b'"text"', "Invalid input JSON: Expected `object`, got `str`"),
        (b'{"inputs": {}}', "Invalid input JSON: Expected `array`, got `object` - at `$.inputs`"),
        (
            b'{"inputs": [{"id": "a@x.com", "idProperty": "email"}]}',
            "Invalid input JSON: Object missing required field `properties` - at `$.inputs[0]`",
        ),
        (
            b'{"inputs": [{"id": ["x"], "properties": {}}]}',
            "Invalid input JSON: Expected `int | str`, got `array` - at `$.inputs[0].id`",
        ),
        (
            b'{"inputs": [{"id": "a", "properties": {"firstname": {"nested": 1}}}]}',
            "Invalid input JSON: Expected `bool | int | float | str | null`, got `object` - at "
            "`$.inputs[0].properties[...]`",
        ),
        (
            b'{"inputs": [{"id": "\xff\xfe", "properties": {}}]}',
            "Invalid input JSON on line 1, column 21: invalid UTF-8 (byte 20)",
        ),
        (
            b'{"inputs": [{"id": "a\\u0000", "properties": {}}]}',
            "Invalid input JSON on line 1, column 22: NUL character \\u0000 (byte 21)",
        ),
    ],
)
def test_malformed_bodies_are_400_with_a_location(api: Api, content: bytes, message: str) -> None:
    assert_error(raw_post(api, content), 400, "VALIDATION_ERROR", message)


def test_nul_characters_are_refused_everywhere_and_change_nothing(api: Api) -> None:
    """PostgreSQL stores no NUL character: a body holding one is a 400 on every store, before
    anything is written. An escaped backslash before `u0000` is just text."""
    nul = upsert_input("a@x.com", firstname="a\u0000b")
    message = "Invalid input JSON on line 1, column 77: NUL character \\u0000 (byte 76)"
    assert_error(api.upsert([nul]), 400, "VALIDATION_ERROR", message)
    search = {
        "filterGroups": [
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": "\u0000"}]}
        ]
    }
    response = api.post("/crm/v3/objects/contacts/search", search)
    assert (response.status_code, response.json()["category"]) == (400, "VALIDATION_ERROR")
    assert api.post("/crm/v3/objects/contacts/search", {}).json()["total"] == 0
    text = upsert_input("b@x.com", firstname="a\\u0000b")  # a backslash, then "u0000b"
    stored = api.upsert([text])
    assert stored.status_code == 200, stored.text
    assert stored.json()["results"][0]["properties"]["firstname"] == "a\\u0000b"


def test_absurd_nesting_is_400_not_500(api: Api) -> None:
    deep = b'{"junk": ' + b"[" * 100_000 + b"]" * 100_000 + b', "inputs": []}'
    response = raw_post(api, deep)
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"


def test_body_over_the_limit_is_413(api: Api) -> None:
    big = json.dumps({"inputs": [upsert_input("a@x.com", firstname="x" * 300_000)]}).encode()
    assert_error(
        raw_post(api, big),
        413,
        "VALIDATION_ERROR",
        "Request body is larger than the limit of 262144 bytes",
    )


def test_unknown_path_is_404_and_wrong_method_is_405(api: Api) -> None:
    assert_error(api.get("/nope"), 404, "OBJECT_NOT_FOUND", "No route for GET /nope")
    response = api.client.delete(UPSERT, headers=api.headers())
    assert_error(
        response,
        405,
        "VALIDATION_ERROR",
        "Method DELETE is not allowed on /crm/v3/objects/contacts/batch/upsert",
    )


def test_unknown_object_type_is_400(api: Api) -> None:
    response = api.post("/crm/v3/objects/widgets/batch/upsert", {"inputs": []})
    assert_error(response, 400, "VALIDATION_ERROR", "Unable to infer object type from: widgets")


def test_get_unknown_and_non_numeric_ids_are_404(api: Api) -> None:
    assert_error(
        api.get("/crm/v3/objects/contacts/999"), 404, "OBJECT_NOT_FOUND", "resource not found"
    )
    body = assert_error(
        api.get("/crm/v3/objects/contacts/abc"),
        404,
        "OBJECT_NOT_FOUND",
        "Object not found.  objectId are usually numeric.",
    )
    assert body["context"] == {"id": ["abc"]}
    assert_error(
        api.get("/crm/v3/objects/contacts/a@x.com", idProperty="email"),
        404,
        "OBJECT_NOT_FOUND",
        "resource not found",
    )


def test_get_with_bad_archived_flag_is_400(api: Api) -> None:
    assert_error(
        api.get("/crm/v3/objects/contacts/1", archived="maybe"),
        400,
        "VALIDATION_ERROR",
        "Query parameter archived must be true or false, not maybe",
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "inputs",
                    "id",
                    "idProperty",
                    "properties",
                    "email",
                    "objectWriteTraceId",
                    "firstname",
                ]
            )
            | st.text(),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=json_values)
def test_no_body_causes_a_500(api: Api, body: Any) -> None:
    response = raw_post(api, json.dumps(body).encode())
    assert response.status_code in (200, 207, 400, 409), response.text
    if response.status_code >= 400:
        assert response.json()["status"] == "error"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    inputs=st.lists(
        st.fixed_dictionaries(
            {
                "id": st.text(max_size=12) | st.emails(),
                "idProperty": st.sampled_from(["email", "firstname", "hs_additional_emails", ""]),
                "properties": st.dictionaries(
                    st.sampled_from(
                        [
                            "firstname",
                            "email",
                            "lifecyclestage",
                            "followercount",
                            "closedate",
                            "hs_job_change_detected_date",
                            "bogus",
                            "hs_additional_emails",
                            "hs_object_id",
                        ]
                    ),
                    st.text(max_size=20) | st.integers() | st.booleans(),
                    max_size=4,
                ),
            }
        ),
        max_size=5,
    )
)
def test_no_upsert_causes_a_500(api: Api, inputs: list[dict[str, Any]]) -> None:
    response = api.upsert(inputs)
    assert response.status_code in (200, 400, 409), response.text


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            {"id": "a" * 65_537, "idProperty": "email", "properties": {}},
            "Invalid input JSON: Expected `str` of length <= 65536 - at `$.inputs[0].id`",
        ),
        (
            {"id": "a@x.com", "idProperty": "e" * 257, "properties": {}},
            "Invalid input JSON: Expected `str` of length <= 256 - at `$.inputs[0].idProperty`",
        ),
        (
            {"id": "a@x.com", "idProperty": "email", "properties": {"p" * 257: "x"}},
            "Invalid input JSON: Expected `str` of length <= 256 - at `key` in "
            "`$.inputs[0].properties`",
        ),
        (
            {
                "id": "a@x.com",
                "idProperty": "email",
                "properties": {},
                "objectWriteTraceId": "t" * 257,
            },
            "Invalid input JSON: Expected `str` of length <= 256 - at "
            "`$.inputs[0].objectWriteTraceId`",
        ),
    ],
)
def test_names_and_keys_have_length_limits(api: Api, field: dict[str, Any], message: str) -> None:
    assert_error(api.upsert([field]), 400, "VALIDATION_ERROR", message)


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("batch/read", {"inputs": [{"id": "1" * 65_537}]}, "`$.inputs[0].id`"),
        ("batch/update", {"inputs": [{"id": "1", "properties": {"p" * 257: "x"}}]}, "`key` in "),
        (
            "search",
            {"filterGroups": [{"filters": [{"propertyName": "p" * 257, "operator": "EQ"}]}]},
            "`$.filterGroups[0].filters[0].propertyName`",
        ),
    ],
)
def test_every_endpoint_bounds_names_and_ids(
    api: Api, path: str, body: dict[str, Any], where: str
) -> None:
    response = api.post(f"/crm/v3/objects/contacts/{path}", body)
    assert response.status_code == 400, response.text
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert "Expected `str` of length <= " in response.json()["message"]
    assert where in response.json()["message"]
