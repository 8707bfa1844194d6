"""Pipelines and owners through HubSpot's official Python SDK (`client.crm.pipelines`,
`client.crm.owners`), client-side validation on, so every answer satisfies its models.

The tests marked `hubspot_verified` describe HubSpot's behaviour and run unchanged against a real
portal (docs/fidelity.md): they only read its pipelines and write deals they archive. The others
use hubcrm's test controls (owners, creating pipelines) and run against hubcrm only.
"""

from __future__ import annotations

from typing import Any

import pytest
from hubspot.crm.deals import ApiException as DealsApiException
from hubspot.crm.deals import SimplePublicObjectInput, SimplePublicObjectInputForCreate
from hubspot.crm.owners import ApiException as OwnersApiException
from hubspot.crm.owners import CollectionResponsePublicOwnerForwardPaging, PublicOwner
from hubspot.crm.pipelines import (
    ApiException,
    CollectionResponsePipelineNoPaging,
    CollectionResponsePipelineStageNoPaging,
    CollectionResponsePublicAuditInfoNoPaging,
    Pipeline,
    PipelineInput,
    PipelinePatchInput,
    PipelineStage,
    PipelineStageInput,
    PipelineStagePatchInput,
)

from tests.sdk.conftest import HubSpot, sdk_client
from tests.server import LiveServer


def _stage_of(hubspot: HubSpot) -> tuple[str, str]:
    """A live deal pipeline and its first stage, whatever the portal has."""
    listed = hubspot.client.crm.pipelines.pipelines_api.get_all("deals")
    pipeline = sorted(listed.results, key=lambda p: p.display_order)[0]
    stage = sorted(pipeline.stages, key=lambda s: s.display_order)[0]
    return pipeline.id, stage.id


def _deal(hubspot: HubSpot, **properties: str) -> Any:
    created = hubspot.client.crm.deals.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"dealname": hubspot.run, **properties})
    )
    hubspot.created("deals", created.id)
    return created


@pytest.mark.hubspot_verified
def test_deal_pipelines_read_through_the_sdk(hubspot: HubSpot) -> None:
    api = hubspot.client.crm.pipelines
    listed = api.pipelines_api.get_all("deals")
    assert isinstance(listed, CollectionResponsePipelineNoPaging)
    assert listed.results
    first = listed.results[0]
    assert isinstance(api.pipelines_api.get_by_id("deals", first.id), Pipeline)
    stages = api.pipeline_stages_api.get_all("deals", first.id)
    assert isinstance(stages, CollectionResponsePipelineStageNoPaging)
    assert {s.id for s in stages.results} == {s.id for s in first.stages}
    for stage in stages.results:
        assert "probability" in stage.metadata  # every deal stage has one, as a string
        float(stage.metadata["probability"])
    one = api.pipeline_stages_api.get_by_id("deals", first.id, stages.results[0].id)
    assert isinstance(one, PipelineStage)
    assert isinstance(
        api.pipeline_audits_api.get_audit("deals", first.id),
        CollectionResponsePublicAuditInfoNoPaging,
    )
    tickets = api.pipelines_api.get_all("tickets")
    assert tickets.results
    assert tickets.results[0].stages


@pytest.mark.hubspot_verified
def test_an_unknown_pipeline_is_a_404(hubspot: HubSpot) -> None:
    with pytest.raises(ApiException) as raised:
        hubspot.client.crm.pipelines.pipelines_api.get_by_id("deals", f"nope{hubspot.run}")
    assert raised.value.status == 404


@pytest.mark.hubspot_verified
def test_a_deal_moves_through_its_pipelines_stages(hubspot: HubSpot) -> None:
    pipeline_id, stage_id = _stage_of(hubspot)
    created = _deal(hubspot, pipeline=pipeline_id, dealstage=stage_id)
    assert created.properties["dealstage"] == stage_id
    pipeline = hubspot.client.crm.pipelines.pipelines_api.get_by_id("deals", pipeline_id)
    last = sorted(pipeline.stages, key=lambda s: s.display_order)[-1].id
    basic = hubspot.client.crm.deals.basic_api
    basic.update(created.id, SimplePublicObjectInput(properties={"dealstage": last}))
    read = basic.get_by_id(created.id, properties_with_history=["dealstage"])
    history = [h.value for h in read.properties_with_history["dealstage"]]
    assert history[:2] == [last, stage_id]  # newest first: the stage change is a property write


@pytest.mark.hubspot_verified
def test_an_unknown_stage_is_refused(hubspot: HubSpot) -> None:
    pipeline_id, _ = _stage_of(hubspot)
    with pytest.raises(DealsApiException) as raised:
        _deal(hubspot, pipeline=pipeline_id, dealstage=f"nope{hubspot.run}")
    assert raised.value.status == 400
    assert '"category":"VALIDATION_ERROR"' in raised.value.body.replace(" ", "")


@pytest.mark.hubspot_verified
def test_an_unknown_owner_is_refused(hubspot: HubSpot) -> None:
    with pytest.raises(DealsApiException) as raised:
        _deal(hubspot, hubspot_owner_id="1")
    assert raised.value.status == 400


@pytest.mark.hubspot_verified
def test_owners_read_through_the_sdk(hubspot: HubSpot) -> None:
    owners = hubspot.client.crm.owners.owners_api
    page = owners.get_page(limit=1)
    assert isinstance(page, CollectionResponsePublicOwnerForwardPaging)
    with pytest.raises(OwnersApiException) as raised:
        owners.get_by_id(1, id_property="id")
    assert raised.value.status == 404


def test_owners_added_by_the_test_controls(live: LiveServer) -> None:
    portal = live.new_portal()
    ada = portal.add_owner("ada@example.com", firstName="Ada", id=41629779, userId=9586504)
    bob = portal.add_owner("bob@example.com")
    assert [o["id"] for o in portal.owners()] == [ada["id"], bob["id"]]
    client = sdk_client(live, portal.token)
    owners = client.crm.owners.owners_api
    page = owners.get_page(limit=1)
    assert [o.id for o in page.results] == [ada["id"]]
    assert page.paging.next.after == bob["id"]
    rest = owners.get_page(limit=1, after=page.paging.next.after)
    assert [o.email for o in rest.results] == ["bob@example.com"]
    found = owners.get_by_id(9586504, id_property="userId")
    assert isinstance(found, PublicOwner)
    assert (found.id, found.first_name, found.user_id) == (ada["id"], "Ada", 9586504)
    assert [o.id for o in owners.get_page(email="ada@example.com").results] == [ada["id"]]
    deal = client.crm.deals.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"dealname": "Big", "hubspot_owner_id": ada["id"]}
        )
    )
    assert deal.properties["hubspot_owner_id"] == ada["id"]


def test_pipelines_created_changed_and_archived_through_the_sdk(server: LiveServer) -> None:
    client = sdk_client(server)
    api = client.crm.pipelines
    created = api.pipelines_api.create(
        "deals",
        PipelineInput(
            label="Renewals",
            display_order=1,
            stages=[
                PipelineStageInput(label="Open", display_order=0, metadata={"probability": "0.5"}),
                PipelineStageInput(label="Won", display_order=1, metadata={"probability": "1.0"}),
            ],
        ),
    )
    assert isinstance(created, Pipeline)
    assert [s.metadata["isClosed"] for s in created.stages] == ["false", "true"]
    patched = api.pipelines_api.update(
        "deals", created.id, PipelinePatchInput(label="Upsells", display_order=2)
    )
    assert (patched.label, patched.display_order) == ("Upsells", 2)
    stage = api.pipeline_stages_api.create(
        "deals",
        created.id,
        PipelineStageInput(label="Lost", display_order=2, metadata={"probability": "0.0"}),
    )
    assert isinstance(stage, PipelineStage)
    changed = api.pipeline_stages_api.update(
        "deals", created.id, stage.id, PipelineStagePatchInput(label="Lost for good")
    )
    assert changed.label == "Lost for good"
    replaced = api.pipeline_stages_api.replace(
        "deals",
        created.id,
        stage.id,
        PipelineStageInput(label="Stalled", display_order=2, metadata={"probability": "0.1"}),
    )
    assert replaced.metadata == {"probability": "0.1", "isClosed": "false"}
    deal = client.crm.deals.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"dealname": "Big", "dealstage": stage.id})
    )
    assert deal.properties["pipeline"] == created.id
    with pytest.raises(ApiException) as refused:
        api.pipelines_api.archive(
            "deals", created.id, validate_deal_stage_usages_before_delete=True
        )
    assert refused.value.status == 400
    api.pipeline_stages_api.archive("deals", created.id, created.stages[0].id)
    audit = api.pipeline_audits_api.get_audit("deals", created.id)
    assert [a.action for a in audit.results] == [
        "CREATE",
        "UPDATE",
        "CREATE",
        "UPDATE",
        "UPDATE",
        "DELETE",
    ]
    whole = api.pipelines_api.replace(
        "deals",
        created.id,
        PipelineInput(
            label="Replaced",
            display_order=3,
            stages=[
                PipelineStageInput(label="Only", display_order=0, metadata={"probability": "0.3"})
            ],
        ),
    )
    assert [s.label for s in whole.stages] == ["Only"]
    api.pipelines_api.archive("deals", created.id)
    with pytest.raises(ApiException) as gone:
        api.pipelines_api.get_by_id("deals", created.id)
    assert gone.value.status == 404
