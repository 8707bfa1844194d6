"""An integration written for HubSpot, run unchanged through the official SDK against hubcrm:
define a unique property, upsert by it, search, page, read, update and archive."""

from __future__ import annotations

import pytest
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    BatchResponseSimplePublicObject,
    BatchResponseSimplePublicObjectWithErrors,
    BatchResponseSimplePublicUpsertObjectWithErrors,
    CollectionResponseSimplePublicObjectWithAssociationsForwardPaging,
    CollectionResponseWithTotalSimplePublicObjectForwardPaging,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObject,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import (
    ApiException as PropertiesApiException,
)
from hubspot.crm.properties import (
    CollectionResponsePropertyNoPaging,
    ModelProperty,
    OptionInput,
    PropertyCreate,
    PropertyUpdate,
)

from tests.sdk.conftest import sdk_client
from tests.server import LiveServer


def test_an_integration_runs_unchanged(server: LiveServer) -> None:
    client = sdk_client(server)
    core = client.crm.properties.core_api
    created = core.create(
        "contacts",
        PropertyCreate(
            name="crm_key",
            label="CRM key",
            type="string",
            field_type="text",
            group_name="contactinformation",
            has_unique_value=True,
        ),
    )
    assert isinstance(created, ModelProperty)
    assert created.has_unique_value is True
    assert core.get_by_name("contacts", "crm_key").label == "CRM key"
    listed = core.get_all("contacts")
    assert isinstance(listed, CollectionResponsePropertyNoPaging)
    assert "crm_key" in [p.name for p in listed.results]

    batch = client.crm.contacts.batch_api
    upserted = batch.upsert(
        BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                SimplePublicObjectBatchInputUpsert(
                    id=f"K{i}",
                    id_property="crm_key",
                    object_write_trace_id=f"t{i}",
                    properties={"email": f"p{i}@x.com", "firstname": f"P{i}", "company": "Acme"},
                )
                for i in range(12)
            ]
            + [
                SimplePublicObjectBatchInputUpsert(
                    id="BAD",
                    id_property="crm_key",
                    object_write_trace_id="bad",
                    properties={"email": "nope"},
                )
            ]
        )
    )
    assert isinstance(upserted, BatchResponseSimplePublicUpsertObjectWithErrors)
    assert len(upserted.results) == 12
    assert upserted.errors[0].context == {"objectWriteTraceId": ["bad"]}

    search = client.crm.contacts.search_api
    found = search.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(filters=[Filter(property_name="company", operator="EQ", value="acme")])
            ],
            sorts=["-crm_key"],
            properties=["crm_key"],
            limit=5,
        )
    )
    assert isinstance(found, CollectionResponseWithTotalSimplePublicObjectForwardPaging)
    assert found.total == 12
    assert [r.properties["crm_key"] for r in found.results] == ["K9", "K8", "K7", "K6", "K5"]
    assert found.paging.next.after == "5"
    by_query = search.do_search(PublicObjectSearchRequest(query="p11@x.com"))
    assert [r.properties["email"] for r in by_query.results] == ["p11@x.com"]

    basic = client.crm.contacts.basic_api
    seen: list[str] = []
    after = None
    while True:
        page = basic.get_page(limit=5, after=after, properties=["email"])
        assert isinstance(page, CollectionResponseSimplePublicObjectWithAssociationsForwardPaging)
        seen += [r.id for r in page.results]
        if page.paging is None:
            break
        after = page.paging.next.after
    assert seen == [str(i) for i in range(1, 13)]

    read = batch.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id="K3"), SimplePublicObjectId(id="K99")],
            id_property="crm_key",
            properties=["firstname"],
            properties_with_history=[],
        ),
        archived=False,
    )
    assert isinstance(read, BatchResponseSimplePublicObjectWithErrors)
    assert [r.properties["firstname"] for r in read.results] == ["P3"]
    assert read.errors[0].category == "OBJECT_NOT_FOUND"
    assert read.errors[0].context == {"ids": ["K99"]}

    updated = batch.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id="1", properties={"lastname": "One"})]
        )
    )
    assert isinstance(updated, BatchResponseSimplePublicObject)
    assert updated.results[0].properties["lastname"] == "One"
    single = basic.update(
        "K2", SimplePublicObjectInput(properties={"lastname": "Two"}), id_property="crm_key"
    )
    assert isinstance(single, SimplePublicObject)
    assert single.id == "3"

    batch.archive(BatchInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id="1")]))
    basic.archive("2")
    with pytest.raises(ApiException) as missing:
        basic.get_by_id("1")
    assert missing.value.status == 404
    archived = basic.get_by_id("K0", id_property="crm_key", archived=True)
    assert archived.archived is True
    assert archived.archived_at is not None
    assert basic.get_page(limit=100).results[0].id == "3"


def test_creates_and_property_changes_through_the_sdk(server: LiveServer) -> None:
    client = sdk_client(server)
    core = client.crm.properties.core_api
    core.create(
        "contacts",
        PropertyCreate(
            name="tier",
            label="Tier",
            type="enumeration",
            field_type="select",
            group_name="contactinformation",
            options=[OptionInput(label="Gold", value="gold", hidden=False, display_order=0)],
        ),
    )
    basic = client.crm.contacts.basic_api
    with pytest.raises(ApiException) as rejected:
        basic.create(SimplePublicObjectInputForCreate(properties={"tier": "silver"}))
    assert rejected.value.status == 400
    options = [
        OptionInput(label="Gold", value="gold", hidden=False, display_order=0),
        OptionInput(label="Silver", value="silver", hidden=False, display_order=1),
    ]
    changed = core.update("contacts", "tier", PropertyUpdate(options=options))
    assert [o.value for o in changed.options] == ["gold", "silver"]
    contact = basic.create(SimplePublicObjectInputForCreate(properties={"tier": "silver"}))
    assert contact.properties["tier"] == "silver"

    created = client.crm.contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[SimplePublicObjectBatchInputForCreate(properties={"email": "n@x.com"})]
        )
    )
    assert isinstance(created, BatchResponseSimplePublicObject)
    assert created.results[0].properties["email"] == "n@x.com"

    core.archive("contacts", "tier")
    with pytest.raises(PropertiesApiException) as gone:
        core.get_by_name("contacts", "tier")
    assert gone.value.status == 404
    assert core.get_by_name("contacts", "tier", archived=True).archived is True
    with pytest.raises(PropertiesApiException) as hubspot_defined:
        core.archive("contacts", "email")
    assert hubspot_defined.value.status == 400
