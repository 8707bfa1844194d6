"""Which object types have pipelines, and how their records name pipeline and stage."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from hubcrm.domain.objects import ObjectType
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ValidationError


@dataclass(frozen=True)
class PipelineKind:
    """How one object type's records name their pipeline and stage."""

    seed_key: str  # its key in data/pipelines.json
    pipeline_property: str
    stage_property: str
    # The query parameter that asks for an in-use check before a pipeline or stage is archived.
    validate_param: str


KINDS = {
    "0-3": PipelineKind("deals", "pipeline", "dealstage", "validateDealStageUsagesBeforeDelete"),
    "0-5": PipelineKind(
        "tickets", "hs_pipeline", "hs_pipeline_stage", "validateReferencesBeforeDelete"
    ),
}
T = TypeVar("T")
MetadataValue = str | int | float | bool
WRITE_PERMISSIONS = "CRM_PERMISSIONS_ENFORCEMENT"
# New pipelines and stages get numeric ids from here up: clear of the default ticket
# pipeline's "0" and stages "1" to "4", and as long as the ids HubSpot gives.
FIRST_NEW_ID = 100_000_001
# How many records in a pipeline or stage: (portal, type, property, value) -> count.
Usage = Callable[[int, ObjectType, str, str], Awaitable[int]]


def kind_of(object_type: ObjectType) -> PipelineKind:
    kind = KINDS.get(object_type.type_id)
    if kind is None:
        raise ValidationError(messages.NO_PIPELINES.format(name=object_type.name))
    return kind
