"""Every standard object type through HubSpot's official Python SDK, client-side validation on:
the dedicated clients (`client.crm.companies`, `deals`, `tickets`, `products`, `line_items`) and
`client.crm.objects` for the engagements. Marked `hubspot_verified`: they describe HubSpot's
behaviour and run unchanged against a real portal (docs/fidelity.md, "Proving it against
HubSpot")."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from hubspot.crm.objects import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import CollectionResponsePropertyNoPaging

from hubcrm.domain.objects import OBJECT_TYPES
from tests.object_types import SAMPLES, Sample
from tests.sdk.conftest import HubSpot

# The types the SDK has a client of their own for; the rest go through client.crm.objects.
DEDICATED = ("companies", "deals", "tickets", "products", "line_items")
pytestmark = pytest.mark.hubspot_verified


class Records:
    """One object type's records through the SDK: its dedicated client, or crm.objects."""

    def __init__(self, hubspot: HubSpot, name: str) -> None:
        self.hubspot = hubspot
        self.name = name
        crm = hubspot.client.crm
        if name in DEDICATED:
            api = getattr(crm, name)
            self.module = importlib.import_module(f"hubspot.crm.{name}")
            self.args: tuple[str, ...] = ()
        else:
            api = crm.objects
            self.module = importlib.import_module("hubspot.crm.objects")
            self.args = (name,)
        self.basic, self.batch, self.search_api = api.basic_api, api.batch_api, api.search_api

    def model(self, name: str, **fields: Any) -> Any:
        """A request model of the type's own SDK module (they are distinct classes)."""
        return getattr(self.module, name)(**fields)

    def create(self, properties: dict[str, str]) -> Any:
        made = self.basic.create(
            *self.args, self.model("SimplePublicObjectInputForCreate", properties=properties)
        )
        self.hubspot.created(self.name, made.id)
        return made

    def search(self, **request: Any) -> Any:
        return self.search_api.do_search(
            *self.args, self.model("PublicObjectSearchRequest", **request)
        )


def _eq(name: str, value: str) -> list[FilterGroup]:
    return [FilterGroup(filters=[Filter(property_name=name, operator="EQ", value=value)])]


@pytest.mark.parametrize("sample", [SAMPLES[t.name] for t in OBJECT_TYPES], ids=lambda s: s.name)
def test_records_of_every_type_through_the_sdk(hubspot: HubSpot, sample: Sample) -> None:
    kind = sample.kind
    records = Records(hubspot, kind.name)
    label = f"Zephyr{hubspot.run}"
    first = records.create(sample.properties(f"{label} one"))
    assert first.properties[sample.text] == f"{label} one"
    assert {kind.created_property, kind.modified_property, "hs_object_id"} <= set(first.properties)
    assert first.archived is False

    read = records.basic.get_by_id(*records.args, first.id, properties=[sample.text])
    assert read.properties[sample.text] == f"{label} one"
    default = records.basic.get_by_id(*records.args, first.id)
    assert {kind.created_property, kind.modified_property, "hs_object_id"} <= set(
        default.properties
    )
    updated = records.basic.update(
        *records.args,
        first.id,
        records.model("SimplePublicObjectInput", properties={sample.text: f"{label} uno"}),
    )
    assert updated.properties[sample.text] == f"{label} uno"

    made = records.batch.create(
        *records.args,
        records.model(
            "BatchInputSimplePublicObjectBatchInputForCreate",
            inputs=[
                records.model(
                    "SimplePublicObjectBatchInputForCreate",
                    properties=sample.properties(f"{label} {n}"),
                )
                for n in ("two", "three")
            ],
        ),
    )
    ids = sorted(hubspot.created(kind.name, r.id) for r in made.results)
    assert len(ids) == 2
    records.batch.update(
        *records.args,
        records.model(
            "BatchInputSimplePublicObjectBatchInput",
            inputs=[
                records.model(
                    "SimplePublicObjectBatchInput",
                    id=ids[0],
                    properties={sample.text: f"{label} x"},
                )
            ],
        ),
    )
    batch_read = records.batch.read(
        *records.args,
        records.model(
            "BatchReadInputSimplePublicObjectId",
            inputs=[records.model("SimplePublicObjectId", id=i) for i in ids],
            properties=[sample.text],
            properties_with_history=[],
        ),
        archived=False,
    )
    assert sorted(r.properties[sample.text] for r in batch_read.results) == sorted(
        [f"{label} x", f"{label} three"]
    )

    found = hubspot.eventually(
        lambda: records.search(
            filter_groups=_eq(sample.text, f"{label} x"), properties=[sample.text]
        ),
        lambda answer: answer.total >= 1,
    )
    assert [r.id for r in found.results] == [ids[0]]
    if sample.text in kind.search_properties:
        by_query = hubspot.eventually(
            lambda: records.search(query=label, limit=10), lambda answer: answer.total >= 3
        )
        assert sorted(r.id for r in by_query.results) == sorted([first.id, *ids])

    page = records.basic.get_page(*records.args, limit=2, properties=[sample.text])
    assert len(page.results) == 2

    records.basic.archive(*records.args, first.id)
    records.batch.archive(
        *records.args,
        records.model(
            "BatchInputSimplePublicObjectId",
            inputs=[records.model("SimplePublicObjectId", id=i) for i in ids],
        ),
    )
    with pytest.raises(records.module.ApiException) as gone:
        records.basic.get_by_id(*records.args, first.id)
    assert gone.value.status == 404


@pytest.mark.parametrize("name", [t.name for t in OBJECT_TYPES])
def test_property_definitions_of_every_type_satisfy_the_sdk(hubspot: HubSpot, name: str) -> None:
    listed = hubspot.client.crm.properties.core_api.get_all(name)
    assert isinstance(listed, CollectionResponsePropertyNoPaging)
    names = {p.name for p in listed.results}
    assert {"hs_object_id", *SAMPLES[name].required} <= names


@pytest.mark.parametrize("name", ["notes", "tasks", "tickets"])
def test_a_missing_required_property_is_refused(hubspot: HubSpot, name: str) -> None:
    kind = SAMPLES[name].kind
    with pytest.raises(ApiException) as refused:
        hubspot.client.crm.objects.basic_api.create(
            name, SimplePublicObjectInputForCreate(properties={SAMPLES[name].text: "x"})
        )
    assert refused.value.status == 400
    assert f"Error creating {kind.fully_qualified_name}." in refused.value.body


def test_engagement_batch_models(hubspot: HubSpot) -> None:
    """The crm.objects request models, used directly, for a type the SDK has no client of."""
    objects = hubspot.client.crm.objects
    made = objects.batch_api.create(
        "notes",
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(
                    properties=SAMPLES["notes"].properties(f"n{hubspot.run}")
                )
            ]
        ),
    )
    note = hubspot.created("notes", made.results[0].id)
    objects.batch_api.update(
        "notes",
        BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=note, properties={"hs_note_body": "changed"})]
        ),
    )
    read = objects.batch_api.read(
        "0-46",
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=note)],
            properties=["hs_note_body"],
            properties_with_history=[],
        ),
    )
    assert read.results[0].properties["hs_note_body"] == "changed"
    objects.basic_api.update(
        "notes", note, SimplePublicObjectInput(properties={"hs_note_body": "again"})
    )
    found = hubspot.eventually(
        lambda: objects.search_api.do_search(
            "notes", PublicObjectSearchRequest(filter_groups=_eq("hs_object_id", note))
        ),
        lambda answer: answer.total == 1,
    )
    assert found.results[0].id == note
    objects.batch_api.archive(
        "notes", BatchInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=note)])
    )
