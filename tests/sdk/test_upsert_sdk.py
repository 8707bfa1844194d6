"""HubSpot's official Python SDK against a real `hubcrm serve` process."""

from __future__ import annotations

import json

import pytest
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchResponseSimplePublicUpsertObject,
    BatchResponseSimplePublicUpsertObjectWithErrors,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectWithAssociations,
)
from hubspot.crm.properties import PropertyCreate

from tests.sdk.conftest import sdk_client
from tests.server import LiveServer


def upsert_batch(
    *inputs: SimplePublicObjectBatchInputUpsert,
) -> BatchInputSimplePublicObjectBatchInputUpsert:
    return BatchInputSimplePublicObjectBatchInputUpsert(inputs=list(inputs))


def by_email(key: str, **properties: str) -> SimplePublicObjectBatchInputUpsert:
    return SimplePublicObjectBatchInputUpsert(id=key, id_property="email", properties=properties)


def test_create_update_and_read_back(server: LiveServer) -> None:
    client = sdk_client(server)
    created = client.crm.contacts.batch_api.upsert(
        upsert_batch(by_email("Ann@Example.com", firstname="Ann"), by_email("bob@example.com"))
    )
    assert isinstance(created, BatchResponseSimplePublicUpsertObject)
    assert created.status == "COMPLETE"
    assert sorted(r.properties["email"] for r in created.results) == [
        "ann@example.com",
        "bob@example.com",
    ]
    assert all(r.new for r in created.results)

    updated = client.crm.contacts.batch_api.upsert(
        upsert_batch(by_email("ann@example.com", lastname="Lee"))
    )
    [result] = updated.results
    assert result.new is False
    assert result.properties["firstname"] == "Ann"

    found = client.crm.contacts.basic_api.get_by_id(
        "ann@example.com",
        id_property="email",
        properties=["firstname", "lastname"],
        properties_with_history=["lastname"],
    )
    assert isinstance(found, SimplePublicObjectWithAssociations)
    assert found.id == result.id
    assert found.properties == {"firstname": "Ann", "lastname": "Lee"}
    assert [h.value for h in found.properties_with_history["lastname"]] == ["Lee"]
    assert found.properties_with_history["lastname"][0].source_type == "API"


def test_partial_success_is_207_in_the_sdk(server: LiveServer) -> None:
    client = sdk_client(server)
    client.crm.properties.core_api.create(
        "contacts",
        PropertyCreate(
            name="external_id",
            label="External id",
            type="string",
            field_type="text",
            group_name="contactinformation",
            has_unique_value=True,
        ),
    )
    good = SimplePublicObjectBatchInputUpsert(
        id="E1",
        id_property="external_id",
        object_write_trace_id="t1",
        properties={"firstname": "Good"},
    )
    bad = SimplePublicObjectBatchInputUpsert(
        id="E2",
        id_property="external_id",
        object_write_trace_id="t2",
        properties={"lifecyclestage": "not-a-stage"},
    )
    response = client.crm.contacts.batch_api.upsert(upsert_batch(good, bad))
    assert isinstance(response, BatchResponseSimplePublicUpsertObjectWithErrors)
    assert response.num_errors == 1
    assert [r.object_write_trace_id for r in response.results] == ["t1"]
    [error] = response.errors
    assert error.category == "VALIDATION_ERROR"
    assert error.context == {"objectWriteTraceId": ["t2"]}
    assert error.errors[0].code == "INVALID_OPTION"


@pytest.mark.parametrize(
    ("inputs", "status", "category", "message"),
    [
        (
            [by_email("a@x.com"), by_email("A@x.com")],
            400,
            "VALIDATION_ERROR",
            "Duplicate IDs found in batch input: [A@x.com]. IDs must be unique",
        ),
        (
            [by_email("a@x.com", bogus="1")],
            400,
            "VALIDATION_ERROR",
            'Property values were not valid: [{"isValid":false,"message":"Property \\"bogus\\" '
            'does not exist","error":"PROPERTY_DOESNT_EXIST","name":"bogus",'
            '"localizedErrorMessage":"Property \\"bogus\\" does not exist","portalId":PORTAL}]',
        ),
        (
            [by_email(f"u{i}@x.com") for i in range(101)],
            400,
            "VALIDATION_ERROR",
            "The maximum number of inputs supported in a batch is 100. Please reduce the number of "
            "items and try again",
        ),
    ],
)
def test_errors_reach_the_sdk_as_hubspot_sends_them(
    server: LiveServer,
    inputs: list[SimplePublicObjectBatchInputUpsert],
    status: int,
    category: str,
    message: str,
) -> None:
    client = sdk_client(server)
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.batch_api.upsert(upsert_batch(*inputs))
    assert raised.value.status == status
    body = json.loads(raised.value.body)
    assert body["category"] == category
    assert body["message"] == message.replace("PORTAL", str(server.portal_id))
    assert raised.value.headers["Content-Type"] == "application/json;charset=utf-8"
    assert raised.value.headers["X-HubSpot-Correlation-Id"] == body["correlationId"]


def test_unknown_token_is_401_and_conflict_is_409(server: LiveServer) -> None:
    with pytest.raises(ApiException) as raised:
        sdk_client(
            server, token="pat-na1-00000000-0000-4000-8000-000000000000"
        ).crm.contacts.batch_api.upsert(upsert_batch(by_email("a@x.com")))
    assert raised.value.status == 401
    assert json.loads(raised.value.body)["category"] == "INVALID_AUTHENTICATION"

    client = sdk_client(server)
    client.crm.contacts.batch_api.upsert(upsert_batch(by_email("one@x.com"), by_email("two@x.com")))
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.batch_api.upsert(upsert_batch(by_email("one@x.com", email="two@x.com")))
    assert raised.value.status == 409
    assert json.loads(raised.value.body)["message"] == "Contact already exists. Existing ID: 2"


def test_acknowledged_writes_survive_kill_9_and_restart(dedicated_server: LiveServer) -> None:
    server = dedicated_server
    client = sdk_client(server)
    written = client.crm.contacts.batch_api.upsert(
        upsert_batch(*(by_email(f"k{i}@x.com", firstname=f"K{i}") for i in range(100)))
    )
    assert len(written.results) == 100
    token = server.token
    server.stop(kill=True)
    server.start()
    client = sdk_client(server, token)
    for i in (0, 57, 99):
        found = client.crm.contacts.basic_api.get_by_id(
            f"k{i}@x.com", id_property="email", properties=["firstname"]
        )
        assert found.properties["firstname"] == f"K{i}"
