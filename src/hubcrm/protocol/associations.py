"""HubSpot's association messages (v4 and v3), merge and GDPR delete, as typed structs.

Ids: v4 bodies carry record ids as JSON numbers in `fromObjectId`/`toObjectId` (as HubSpot's
real answers and docs do), and as strings inside `from`/`to` objects.
"""

from __future__ import annotations

import msgspec

from hubcrm.protocol.wire import (
    AssociationSpec,
    Key,
    Name,
    ObjectId,
    Paging,
    StandardError,
    Struct,
)

# Requests


class PairInput(Struct):
    from_: ObjectId = msgspec.field(name="from")
    to: ObjectId
    types: list[AssociationSpec] = msgspec.field(default_factory=list)


class BatchPairs(Struct):
    inputs: list[PairInput] = msgspec.field(default_factory=list)


class ReadInput(Struct):
    id: Key | int
    after: str | None = None


class BatchReadInputs(Struct):
    inputs: list[ReadInput] = msgspec.field(default_factory=list)


class ArchiveInput(Struct):
    from_: ObjectId = msgspec.field(name="from")
    to: list[ObjectId] = msgspec.field(default_factory=list)


class BatchArchiveInputs(Struct):
    inputs: list[ArchiveInput] = msgspec.field(default_factory=list)


class LabelCreate(Struct):
    label: Name
    name: Name
    inverse_label: Name | None = None


class LabelUpdate(Struct):
    association_type_id: int
    label: Name
    inverse_label: Name | None = None


class V3Input(Struct):
    from_: ObjectId = msgspec.field(name="from")
    to: ObjectId
    type: Name


class V3BatchInputs(Struct):
    inputs: list[V3Input] = msgspec.field(default_factory=list)


class V3ReadInputs(Struct):
    inputs: list[ObjectId] = msgspec.field(default_factory=list)


class MergeInput(Struct):
    primary_object_id: Key | int
    object_id_to_merge: Key | int


class GdprDeleteInput(Struct):
    object_id: Key | int
    id_property: Name | None = None


# Responses


class PublicObjectId(Struct):
    id: str


class LabelsBetweenObjectPair(Struct):
    from_object_type_id: str
    from_object_id: int
    to_object_type_id: str
    to_object_id: int
    labels: list[str]


class BatchLabelsResponse(Struct):
    status: str
    results: list[LabelsBetweenObjectPair]
    started_at: str
    completed_at: str
    num_errors: int | None = None
    errors: list[StandardError] | None = None


class DefaultSpec(Struct):
    association_category: str
    association_type_id: int


class DefaultAssociation(Struct):
    from_: PublicObjectId = msgspec.field(name="from")
    to: PublicObjectId
    association_spec: DefaultSpec


class BatchDefaultResponse(Struct):
    status: str
    results: list[DefaultAssociation]
    started_at: str
    completed_at: str
    num_errors: int | None = None
    errors: list[StandardError] | None = None


class SpecWithLabel(Struct):
    category: str
    type_id: int
    label: str | None  # always sent: null for the unlabeled type


class AssociatedWithLabel(Struct):
    to_object_id: int
    association_types: list[SpecWithLabel]


class AssociatedPage(Struct):
    results: list[AssociatedWithLabel]
    paging: Paging | None = None


class FromWithLabels(Struct):
    from_: PublicObjectId = msgspec.field(name="from")
    to: list[AssociatedWithLabel]
    paging: Paging | None = None


class BatchReadResponse(Struct):
    status: str
    results: list[FromWithLabels]
    started_at: str
    completed_at: str
    num_errors: int | None = None
    errors: list[StandardError] | None = None


class LabelsResponse(Struct):
    results: list[SpecWithLabel]


class V3Association(Struct):
    from_: PublicObjectId = msgspec.field(name="from")
    to: PublicObjectId
    type: str


class V3BatchResponse(Struct):
    status: str
    results: list[V3Association]
    started_at: str
    completed_at: str
    num_errors: int | None = None
    errors: list[StandardError] | None = None


class V3Associated(Struct):
    id: str
    type: str


class V3FromMulti(Struct):
    from_: PublicObjectId = msgspec.field(name="from")
    to: list[V3Associated]
    paging: Paging | None = None


class V3BatchReadResponse(Struct):
    status: str
    results: list[V3FromMulti]
    started_at: str
    completed_at: str
    num_errors: int | None = None
    errors: list[StandardError] | None = None


specs = msgspec.json.Decoder(list[AssociationSpec])
batch_pairs = msgspec.json.Decoder(BatchPairs)
batch_read = msgspec.json.Decoder(BatchReadInputs)
batch_archive = msgspec.json.Decoder(BatchArchiveInputs)
label_create = msgspec.json.Decoder(LabelCreate)
label_update = msgspec.json.Decoder(LabelUpdate)
v3_batch = msgspec.json.Decoder(V3BatchInputs)
v3_read = msgspec.json.Decoder(V3ReadInputs)
merge = msgspec.json.Decoder(MergeInput)
gdpr_delete = msgspec.json.Decoder(GdprDeleteInput)
