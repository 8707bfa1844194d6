"""Companies v2 and deals v1: paged, recent and by id, read from the same records as v3."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api.access import authorize_legacy
from hubcrm.api.legacy.query import legacy_bool, legacy_int, legacy_list
from hubcrm.api.requests import state
from hubcrm.api.responses import json_response
from hubcrm.domain.legacy.records import LegacyRecords
from hubcrm.domain.legacy.views import associations, wanted_names, wrapped
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records.planning import is_record_id
from hubcrm.protocol import messages
from hubcrm.protocol.legacy import (
    CompaniesPage,
    Company,
    Deal,
    DealsPage,
    LegacyNotFound,
    RecentPage,
)
from hubcrm.store.base import Record, Token


def _legacy(request: Request) -> LegacyRecords:
    return LegacyRecords(state(request).records)


@dataclass(frozen=True)
class Selection:
    """Which properties each record shows: `current` (None: every set one) with their current
    version, `full` with every version; `with_associations` adds the association lists."""

    current: list[str] | None
    full: list[str]
    with_associations: bool
    all_versions: bool = False


async def _shown(
    request: Request, token: Token, kind: ObjectType, rows: list[Record], selection: Selection
) -> list[tuple[Record, dict[str, Any], dict[str, list[int]] | None]]:
    legacy = _legacy(request)
    schema = await legacy.records.schema(token.portal_id, kind)
    linked = (
        await legacy.associated(token.portal_id, kind, [r.record_id for r in rows])
        if selection.with_associations
        else {}
    )
    shown = []
    for record in rows:
        names = wanted_names(record, selection.current, selection.full)
        history = await legacy.history(token.portal_id, kind, record, names) if names else {}
        full = names if selection.all_versions else set(selection.full)
        values = wrapped(schema, record, history, names, full)
        shown.append((record, values, linked.get(record.record_id)))
    return shown


class Reader:
    """One legacy record family: its type, its route names and its shapes."""

    def __init__(self, type_name: str, prefix: str) -> None:
        self.type_name = type_name
        self.prefix = prefix

    def route(self, what: str) -> str:
        return f"{self.prefix}_{what}"

    def item(
        self, portal_id: int, record: Record, values: dict[str, Any], linked: Any
    ) -> Company | Deal:
        raise NotImplementedError

    def page(self, items: list[Any], has_more: bool, offset: int) -> Any:
        raise NotImplementedError

    def paged_selection(self, request: Request) -> Selection:
        current = legacy_list(request, "properties") or []
        return Selection(current, legacy_list(request, "propertiesWithHistory") or [], False)

    def full_selection(self, request: Request) -> Selection:
        return Selection(None, [], False)

    async def paged(self, request: Request) -> Response:
        token, kind = await authorize_legacy(request, self.type_name)
        page = await _legacy(request).paged(
            token.portal_id,
            kind,
            offset=legacy_int(request, "offset"),
            limit=legacy_int(request, "limit"),
        )
        shown = await _shown(request, token, kind, page.records, self.paged_selection(request))
        items = [self.item(token.portal_id, *s) for s in shown]
        return json_response(self.page(items, page.has_more, page.offset))

    async def recent(self, request: Request) -> Response:
        which = request.path_params["which"]
        if which not in ("modified", "created"):
            raise LegacyNotFound(messages.LEGACY_NOT_FOUND)
        token, kind = await authorize_legacy(request, self.type_name)
        count = legacy_int(request, "count")
        found = await _legacy(request).recent(
            token.portal_id,
            kind,
            created=which == "created",
            since=legacy_int(request, "since"),
            offset=legacy_int(request, "offset"),
            # recent/created documents its size as `limit` (D-LEG): both are read.
            count=count if count is not None else legacy_int(request, "limit"),
        )
        shown = await _shown(request, token, kind, found.records, self.full_selection(request))
        items = [self.item(token.portal_id, *s) for s in shown]
        return json_response(RecentPage(items, found.has_more, found.offset, found.total))

    async def get(self, request: Request) -> Response:
        token, kind = await authorize_legacy(request, self.type_name)
        ref = str(request.path_params["record_id"])
        if not is_record_id(ref):
            raise LegacyNotFound(messages.LEGACY_NOT_FOUND)
        record = await _legacy(request).one(token.portal_id, kind, ref)
        (shown,) = await _shown(request, token, kind, [record], self.full_selection(request))
        return json_response(self.item(token.portal_id, *shown))


class Companies(Reader):
    def item(self, portal_id: int, record: Record, values: dict[str, Any], linked: Any) -> Company:
        return Company(
            portal_id=portal_id,
            company_id=record.record_id,
            is_deleted=record.archived,
            properties=values,
        )

    def page(self, items: list[Any], has_more: bool, offset: int) -> CompaniesPage:
        return CompaniesPage(companies=items, has_more=has_more, offset=offset)


class Deals(Reader):
    def item(self, portal_id: int, record: Record, values: dict[str, Any], linked: Any) -> Deal:
        deal = Deal(
            portal_id=portal_id,
            deal_id=record.record_id,
            is_deleted=record.archived,
            properties=values,
        )
        if linked is not None:
            deal.associations = associations(linked)
        return deal

    def page(self, items: list[Any], has_more: bool, offset: int) -> DealsPage:
        return DealsPage(deals=items, has_more=has_more, offset=offset)

    def paged_selection(self, request: Request) -> Selection:
        full = legacy_list(request, "propertiesWithHistory") or []
        with_associations = legacy_bool(request, "includeAssociations")
        # includeAllProperties (undocumented; what HubSpot support told Singer to send when
        # long property lists hit HTTP 414): every set property, its current version.
        if legacy_bool(request, "includeAllProperties"):
            return Selection(None, full, with_associations)
        return Selection(legacy_list(request, "properties") or [], full, with_associations)

    def full_selection(self, request: Request) -> Selection:
        # includePropertyVersions: every version of every property, not only the newest.
        if legacy_bool(request, "includePropertyVersions"):
            return Selection(None, [], True, all_versions=True)
        return Selection(None, [], True)


COMPANIES = Companies("companies", "companies_v2")
DEALS = Deals("deals", "deals_v1")
