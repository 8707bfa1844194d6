"""The pipelines API's domain: deal and ticket pipelines, their stages, and checking the pipeline
and stage a record names.

A portal's pipelines of a type are seeded with HubSpot's defaults (data/pipelines.json) the first
time anything reads them, so a new portal and a reset portal both start from the defaults.
Archiving keeps a pipeline or stage (its id is never reused) but hides it from reads and from
the values records may take.
"""

from hubcrm.domain.pipelines.kinds import FIRST_NEW_ID, KINDS, PipelineKind, kind_of
from hubcrm.domain.pipelines.service import Pipelines, check_references, counted_by_search
from hubcrm.domain.pipelines.stages import StageCheck, audit_wire, pipeline_wire, stage_wire

__all__ = [
    "FIRST_NEW_ID",
    "KINDS",
    "PipelineKind",
    "Pipelines",
    "StageCheck",
    "audit_wire",
    "check_references",
    "counted_by_search",
    "kind_of",
    "pipeline_wire",
    "stage_wire",
]
