"""Custom objects through HubSpot's official Python SDK, client-side validation on: define a
schema with `client.crm.schemas`, then use its records through `client.crm.objects` by
objectTypeId and by fullyQualifiedName. Marked `hubspot_verified` (docs/fidelity.md)."""

from __future__ import annotations

import pytest
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.schemas import (
    ApiException,
    CollectionResponseObjectSchemaNoPaging,
    ObjectSchema,
    ObjectSchemaEgg,
    ObjectTypeDefinition,
    ObjectTypeDefinitionLabels,
    ObjectTypeDefinitionPatch,
    ObjectTypePropertyCreate,
)

from tests.sdk.conftest import HubSpot

pytestmark = pytest.mark.hubspot_verified


def define(hubspot: HubSpot, name: str) -> ObjectSchema:
    schema = hubspot.client.crm.schemas.core_api.create(
        ObjectSchemaEgg(
            name=name,
            labels=ObjectTypeDefinitionLabels(singular="Car", plural="Cars"),
            primary_display_property="model",
            secondary_display_properties=["year"],
            required_properties=["model"],
            searchable_properties=["model"],
            associated_objects=["CONTACT"],
            properties=[
                ObjectTypePropertyCreate(
                    name="model", label="Model", type="string", field_type="text"
                ),
                ObjectTypePropertyCreate(
                    name="year", label="Year", type="number", field_type="number"
                ),
            ],
        )
    )
    hubspot.schemas.append(schema.object_type_id)
    return schema


def test_a_custom_object_from_schema_to_records(hubspot: HubSpot) -> None:
    name = f"cars_{hubspot.run}"
    schemas = hubspot.client.crm.schemas.core_api
    schema = define(hubspot, name)
    assert isinstance(schema, ObjectSchema)
    assert schema.name == name
    assert schema.object_type_id.startswith("2-")
    assert schema.fully_qualified_name.endswith(f"_{name}")
    assert schema.required_properties == ["model"]
    assert {"model", "year"} <= {p.name for p in schema.properties}
    assert [a.to_object_type_id for a in schema.associations] == ["0-1"]
    assert schemas.get_by_id(schema.object_type_id).name == name
    assert schemas.get_by_id(schema.fully_qualified_name).object_type_id == schema.object_type_id
    listed = schemas.get_all()
    assert isinstance(listed, CollectionResponseObjectSchemaNoPaging)
    assert name in [s.name for s in listed.results]

    objects = hubspot.client.crm.objects
    for ref in (schema.object_type_id, schema.fully_qualified_name):
        made = objects.basic_api.create(
            ref, SimplePublicObjectInputForCreate(properties={"model": f"Beetle {ref}"})
        )
        hubspot.created(schema.object_type_id, made.id)
        assert made.properties["model"] == f"Beetle {ref}"
    batch = objects.batch_api.create(
        schema.object_type_id,
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(properties={"model": "Golf", "year": "1974"})
            ]
        ),
    )
    golf = hubspot.created(schema.object_type_id, batch.results[0].id)
    updated = objects.basic_api.update(
        schema.fully_qualified_name, golf, SimplePublicObjectInput(properties={"year": "1975"})
    )
    assert updated.properties["year"] == "1975"
    read = objects.batch_api.read(
        schema.object_type_id,
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=golf)], properties=["year"], properties_with_history=[]
        ),
    )
    assert read.results[0].properties["year"] == "1975"
    found = hubspot.eventually(
        lambda: objects.search_api.do_search(
            schema.object_type_id,
            PublicObjectSearchRequest(
                filter_groups=[
                    FilterGroup(
                        filters=[Filter(property_name="model", operator="EQ", value="Golf")]
                    )
                ]
            ),
        ),
        lambda answer: answer.total >= 1,
    )
    assert [r.id for r in found.results] == [golf]
    page = objects.basic_api.get_page(schema.object_type_id, limit=10)
    assert len(page.results) == 3
    with pytest.raises(ObjectsApiException) as missing:
        objects.basic_api.create(
            schema.object_type_id, SimplePublicObjectInputForCreate(properties={"year": "1"})
        )
    assert missing.value.status == 400

    changed = schemas.update(
        schema.object_type_id,
        ObjectTypeDefinitionPatch(
            labels=ObjectTypeDefinitionLabels(singular="Auto", plural="Autos")
        ),
    )
    assert isinstance(changed, ObjectTypeDefinition)
    assert changed.labels.singular == "Auto"

    # A schema with records cannot be archived; once they are gone, it can.
    with pytest.raises(ApiException) as refused:
        schemas.archive(schema.object_type_id)
    assert refused.value.status == 400
    objects.batch_api.archive(
        schema.object_type_id,
        BatchInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=i) for _, i in hubspot.records]
        ),
    )
    hubspot.records.clear()
    schemas.archive(schema.object_type_id)
    hubspot.schemas.clear()
    with pytest.raises(ApiException) as gone:
        schemas.get_by_id(schema.object_type_id)
    assert gone.value.status in (400, 404)


def test_a_duplicate_schema_name_is_refused(hubspot: HubSpot) -> None:
    name = f"dup_{hubspot.run}"
    define(hubspot, name)
    with pytest.raises(ApiException) as duplicate:
        define(hubspot, name)
    assert duplicate.value.status in (400, 409)
