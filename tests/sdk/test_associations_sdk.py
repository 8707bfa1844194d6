"""Associations through HubSpot's official Python SDK against a live hubcrm, client-side
validation on: v4 basic, batch and labels (`client.crm.associations.v4`), the v3 batch API
(`client.crm.associations.batch_api`), `associations` on create and read, merge and GDPR delete.
The SDK's models are the schema: an answer it cannot deserialise fails the test."""

from __future__ import annotations

import uuid

import pytest
from hubspot import Client
from hubspot.crm.associations import (
    BatchInputPublicAssociation,
    BatchInputPublicObjectId,
    PublicAssociation,
)
from hubspot.crm.associations import PublicObjectId as V3ObjectId
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicAssociationMultiArchive,
    PublicAssociationMultiPost,
    PublicDefaultAssociationMultiPost,
    PublicFetchAssociationsBatchRequest,
    PublicObjectId,
)
from hubspot.crm.associations.v4.exceptions import ApiException as V4ApiException
from hubspot.crm.associations.v4.schema import (
    PublicAssociationDefinitionCreateRequest,
    PublicAssociationDefinitionUpdateRequest,
)
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyInput
from hubspot.crm.contacts import (
    ApiException,
    PublicAssociationsForObject,
    PublicGdprDeleteInput,
    PublicMergeInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts import AssociationSpec as ContactAssociationSpec
from hubspot.crm.contacts import PublicObjectId as ContactObjectId

from tests.sdk.conftest import HubSpot
from tests.server import LiveServer


@pytest.fixture
def hubspot(verify_server: LiveServer | None) -> HubSpot:
    """A fresh portal of the module's live hubcrm. These tests pin hubcrm's own choices too
    (custom label ids, merge keeping the primary's id), so they never run against HubSpot."""
    if verify_server is None:
        pytest.skip("describes hubcrm's choices as well as HubSpot's behaviour")
    portal = verify_server.new_portal()
    client = Client.create(
        access_token=portal.token, host=verify_server.base_url, client_side_validation=True
    )
    return HubSpot(client, real=False, run=uuid.uuid4().hex[:10])


def _contact(hubspot: HubSpot, email: str) -> str:
    made = hubspot.client.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": f"{hubspot.run}-{email}"})
    )
    return hubspot.created("contacts", str(made.id))


def _company(hubspot: HubSpot, name: str) -> str:
    made = hubspot.client.crm.companies.basic_api.create(CompanyInput(properties={"name": name}))
    return hubspot.created("companies", str(made.id))


def test_v4_basic_and_batch(hubspot: HubSpot) -> None:
    v4 = hubspot.client.crm.associations.v4
    ann, bea = _contact(hubspot, "ann@x.com"), _contact(hubspot, "bea@x.com")
    acme, globex = _company(hubspot, "Acme"), _company(hubspot, "Globex")
    primary = AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)
    labelled = v4.basic_api.create("contacts", ann, "companies", acme, [primary])
    assert (str(labelled.from_object_id), str(labelled.to_object_id)) == (ann, acme)
    assert labelled.labels == ["Primary"]
    default = v4.basic_api.create_default("contacts", bea, "companies", acme)
    assert default.status == "COMPLETE"
    assert sorted((r._from.id, r.to.id) for r in default.results) == sorted(
        [(bea, acme), (acme, bea)]
    )
    page = v4.basic_api.get_page("contacts", ann, "companies", limit=500)
    assert [str(r.to_object_id) for r in page.results] == [acme]
    assert sorted(t.type_id for t in page.results[0].association_types) == [1, 279]
    back = v4.basic_api.get_page("companies", acme, "contacts")
    assert sorted(str(r.to_object_id) for r in back.results) == sorted([ann, bea])

    created = v4.batch_api.create(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[
                PublicAssociationMultiPost(
                    _from=PublicObjectId(id=bea), to=PublicObjectId(id=globex), types=[primary]
                )
            ]
        ),
    )
    assert created.results[0].labels == ["Primary"]
    defaults = v4.batch_api.create_default(
        "contacts",
        "companies",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[
                PublicDefaultAssociationMultiPost(
                    _from=PublicObjectId(id=ann), to=PublicObjectId(id=globex)
                )
            ]
        ),
    )
    assert len(defaults.results) == 2
    read = v4.batch_api.get_page(
        "contacts",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=ann)]
        ),
    )
    assert sorted(str(t.to_object_id) for t in read.results[0].to) == sorted([acme, globex])
    v4.batch_api.archive_labels(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[
                PublicAssociationMultiPost(
                    _from=PublicObjectId(id=bea), to=PublicObjectId(id=globex), types=[primary]
                )
            ]
        ),
    )
    kept = v4.basic_api.get_page("contacts", bea, "companies")
    assert {str(r.to_object_id): [t.type_id for t in r.association_types] for r in kept.results}[
        globex
    ] == [279]
    v4.batch_api.archive(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiArchive(
            inputs=[
                PublicAssociationMultiArchive(
                    _from=PublicObjectId(id=ann),
                    to=[PublicObjectId(id=acme), PublicObjectId(id=globex)],
                )
            ]
        ),
    )
    v4.basic_api.archive("contacts", bea, "companies", acme)
    assert v4.basic_api.get_page("contacts", ann, "companies").results == []
    with pytest.raises(V4ApiException) as refused:
        v4.basic_api.create_default("contacts", ann, "companies", "999999999")
    assert refused.value.status == 400


def test_v4_labels(hubspot: HubSpot) -> None:
    schema = hubspot.client.crm.associations.v4.schema.definitions_api
    made = schema.create(
        "contacts",
        "companies",
        PublicAssociationDefinitionCreateRequest(
            label="Billing", inverse_label="Billed", name=f"billing_{hubspot.run}"
        ),
    )
    by_label = {r.label: r for r in made.results}
    assert {r.category for r in made.results} == {"USER_DEFINED"}
    billing = by_label["Billing"].type_id
    listed = schema.get_all("contacts", "companies")
    assert billing in [r.type_id for r in listed.results]
    assert 279 in [r.type_id for r in listed.results]
    schema.update(
        "contacts",
        "companies",
        PublicAssociationDefinitionUpdateRequest(association_type_id=billing, label="Invoices"),
    )
    labels = {r.type_id: r.label for r in schema.get_all("contacts", "companies").results}
    assert labels[billing] == "Invoices"
    ann, acme = _contact(hubspot, "ann@x.com"), _company(hubspot, "Acme")
    v4 = hubspot.client.crm.associations.v4
    spec = AssociationSpec(association_category="USER_DEFINED", association_type_id=billing)
    assert v4.basic_api.create("contacts", ann, "companies", acme, [spec]).labels == ["Invoices"]
    v4.basic_api.archive("contacts", ann, "companies", acme)
    schema.remove("contacts", "companies", billing)
    assert billing not in [r.type_id for r in schema.get_all("contacts", "companies").results]


def test_v3_associations_on_create_read_and_the_v3_batch_api(hubspot: HubSpot) -> None:
    acme = _company(hubspot, "Acme")
    contacts = hubspot.client.crm.contacts
    made = contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": f"{hubspot.run}-ann@x.com"},
            associations=[
                PublicAssociationsForObject(
                    to=ContactObjectId(id=acme),
                    types=[
                        ContactAssociationSpec(
                            association_category="HUBSPOT_DEFINED", association_type_id=1
                        )
                    ],
                )
            ],
        )
    )
    ann = hubspot.created("contacts", str(made.id))
    read = contacts.basic_api.get_by_id(ann, associations=["companies"])
    assert read.associations is not None
    listed = [(a.id, a.type) for a in read.associations["companies"].results]
    assert listed == [(acme, "contact_to_company"), (acme, "contact_to_company_unlabeled")]
    page = contacts.basic_api.get_page(associations=["companies"], limit=100)
    assert any(r.associations for r in page.results)

    v3 = hubspot.client.crm.associations.batch_api
    bea = _contact(hubspot, "bea@x.com")
    v3.create(
        "contacts",
        "companies",
        BatchInputPublicAssociation(
            inputs=[
                PublicAssociation(
                    _from=V3ObjectId(id=bea), to=V3ObjectId(id=acme), type="contact_to_company"
                )
            ]
        ),
    )
    found = v3.read("contacts", "companies", BatchInputPublicObjectId(inputs=[V3ObjectId(id=bea)]))
    assert {(t.id, t.type) for t in found.results[0].to} == {
        (acme, "contact_to_company"),
        (acme, "contact_to_company_unlabeled"),
    }
    v3.archive(
        "contacts",
        "companies",
        BatchInputPublicAssociation(
            inputs=[
                PublicAssociation(
                    _from=V3ObjectId(id=bea),
                    to=V3ObjectId(id=acme),
                    type="contact_to_company_unlabeled",
                )
            ]
        ),
    )
    after = hubspot.client.crm.associations.v4.basic_api.get_page("contacts", bea, "companies")
    assert after.results == []


def test_merge_and_gdpr_delete(hubspot: HubSpot) -> None:
    contacts = hubspot.client.crm.contacts
    ann, bea = _contact(hubspot, "ann@x.com"), _contact(hubspot, "bea@x.com")
    merged = contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=ann, object_id_to_merge=bea)
    )
    assert merged.id == ann
    assert merged.properties["hs_additional_emails"] == f"{hubspot.run}-bea@x.com"
    assert contacts.basic_api.get_by_id(bea).id == ann
    contacts.basic_api.purge(PublicGdprDeleteInput(object_id=ann))
    with pytest.raises(ApiException) as gone:
        contacts.basic_api.get_by_id(ann)
    assert gone.value.status == 404
