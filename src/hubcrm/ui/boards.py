"""Deals and tickets as a board: one column per stage of a pipeline, the newest records first.

Each column is one search (pipeline and stage equal), the search the API serves, so a board
reads a page of records per stage through the search indexes, and its counts are the search's
totals.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.domain.objects import ObjectType
from hubcrm.domain.pipelines import PipelineKind, kind_of
from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.protocol.wire import Filter, FilterGroup, SearchRequest, Sort
from hubcrm.store.base import Pipeline, PipelineStage, Record
from hubcrm.ui import types
from hubcrm.ui.pages import render
from hubcrm.ui.records import display_name, title
from hubcrm.ui.services import Services, services
from hubcrm.ui.session import Session

CARDS_PER_STAGE = 20


@dataclass(frozen=True)
class Column:
    stage: PipelineStage
    records: list[Record]
    total: int


async def board_page(request: Request, session: Session) -> Response:
    app = services(request)
    kind = await types.resolve(app, session, request.path_params["object_type"])
    session.require(kind, "read")
    names = kind_of(kind)  # HubSpot's 400 for a type without pipelines
    pipelines = await app.pipelines.listing(session.portal_id, kind)  # ordered, live stages
    wanted = request.query_params.get("pipeline")
    # A portal always keeps one live pipeline; an unknown id is HubSpot's 404.
    if wanted:
        chosen = await app.pipelines.get(session.portal_id, kind, wanted)
    else:
        chosen = pipelines[0]
    schema = await app.records.schema(session.portal_id, kind)
    shown = [name for name in _card_properties(kind, names) if name in schema.definitions]
    context = {
        "kind": kind,
        "title": title(kind),
        "pipelines": pipelines,
        "chosen": chosen,
        "columns": await _columns(app, session, kind, names, chosen, shown),
        "shown": [schema.definitions[name] for name in shown],
        "card_value": card_value,
        "name_of": lambda record: display_name(kind, record),
        "names": names,
    }
    return render(request, "board.html", context, session=session)


def card_value(definition: PropertyDefinition, value: str) -> str:
    """A value as a card shows it, briefly: a number grouped, a date without its midnight."""
    if definition.type == "number" and value.lstrip("-").isdigit():
        return f"{int(value):,}"
    if definition.type in ("date", "datetime") and "T" in value:
        day, _, time = value.partition("T")
        return day if time.startswith("00:00:00") else f"{day} {time[:5]}"
    return value


def _card_properties(kind: ObjectType, names: PipelineKind) -> list[str]:
    """The type's display properties, less what the board says already (stage, times)."""
    said = {
        names.pipeline_property,
        names.stage_property,
        kind.created_property,
        kind.modified_property,
    }
    primary = [kind.primary_display_property] if kind.primary_display_property else []
    return [*primary, *(p for p in kind.secondary_display_properties if p not in said)]


async def _columns(
    app: Services,
    session: Session,
    kind: ObjectType,
    names: PipelineKind,
    pipeline: Pipeline,
    shown: list[str],
) -> list[Column]:
    columns = []
    for stage in pipeline.stages:
        search = SearchRequest(
            filter_groups=[
                FilterGroup(
                    [
                        Filter(names.pipeline_property, "EQ", pipeline.pipeline_id),
                        Filter(names.stage_property, "EQ", stage.stage_id),
                    ]
                )
            ],
            sorts=[Sort(kind.created_property, "DESCENDING")],
            properties=shown,
            limit=CARDS_PER_STAGE,
        )
        found = await app.records.search(session.portal_id, kind, search)
        columns.append(Column(stage, found.records, found.total))
    return columns
