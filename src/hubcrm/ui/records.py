"""Pages about records: the object types, the records of one type, one record, its properties.

Each page reads one page of data through the store's indexes: a bounded count per type, one
search page, one record and its history, one type's property definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import Actor
from hubcrm.domain.records.writes import UI_SOURCE_TYPE
from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.protocol.errors import HubSpotError, ObjectNotFound
from hubcrm.store.base import HistoryEntry, Record
from hubcrm.ui import listing as listings
from hubcrm.ui import types, webhooks
from hubcrm.ui.associated import associated
from hubcrm.ui.journal import latest
from hubcrm.ui.pages import render
from hubcrm.ui.services import services
from hubcrm.ui.session import PATH, Access, Session, check_csrf, scopes

# Counts stop here: past it a type shows "100,000+" rather than walking a large portal.
COUNT_LIMIT = 100_000
# Writes shown in a record's timeline of changes.
MAX_CHANGES = 100


@dataclass(frozen=True)
class TypeRow:
    kind: ObjectType
    readable: bool
    count: int | None
    schema_readable: bool

    @property
    def count_text(self) -> str:
        if self.count is None:
            return ""
        return f"{COUNT_LIMIT:,}+" if self.count > COUNT_LIMIT else f"{self.count:,}"


@dataclass
class PropertyRow:
    definition: PropertyDefinition
    value: str | None
    history: list[HistoryEntry]

    @property
    def last(self) -> HistoryEntry | None:
        return self.history[0] if self.history else None


@dataclass
class Change:
    """One write to the record: when, by whom, and the values it set."""

    at: int
    source_type: str
    source_id: str | None
    values: list[tuple[str, str]] = field(default_factory=list)


def title(kind: ObjectType) -> str:
    return kind.plural_label or kind.name.replace("_", " ").capitalize()


async def _kind(request: Request, session: Session, access: Access = "read") -> ObjectType:
    kind = await types.resolve(services(request), session, request.path_params["object_type"])
    session.require(kind, access)
    return kind


def _actor(session: Session) -> Actor:
    # HubSpot's v3 history names the person as `userId:NNN`; hubcrm has no users, and the
    # token that signed in stands for one (docs/fidelity.md).
    return Actor(session.portal_id, f"userId:{session.token.token_id}", source_type=UI_SOURCE_TYPE)


async def object_types(request: Request, session: Session) -> Response:
    store = services(request).store
    rows = []
    for kind in await types.listed(services(request), session):
        readable = session.may(kind, "read")
        count = (
            await store.count_records(session.portal_id, kind.type_id, at_most=COUNT_LIMIT + 1)
            if readable
            else None
        )
        rows.append(TypeRow(kind, readable, count, session.may(kind, "schema_read")))
    context = {"types": rows, "title": title, "scopes": scopes}
    context |= await latest(request, session, 10)
    return render(request, "objects.html", context, session=session)


async def records_page(request: Request, session: Session) -> Response:
    kind = await _kind(request, session)
    records = services(request).records
    state = listings.Listing.read(request.query_params, kind)
    schema = await records.schema(session.portal_id, kind)
    error: HubSpotError | None = None
    try:
        found = await records.search(session.portal_id, kind, state.search_request())
        results, total = found.records, found.total
    except HubSpotError as refused:  # a filter the search refuses: say why beside the form
        error, results, total = refused, [], 0
    context = {
        "kind": kind,
        "title": title(kind),
        "state": state,
        "results": results,
        "total": total,
        "definitions": schema.definitions,
        "names": sorted(schema.definitions),
        "operators": listings.OPERATORS,
        "no_value": listings.NO_VALUE,
        "page_sizes": listings.PAGE_SIZES,
        "error": error,
        "archived": request.query_params.get("archived"),
    }
    return render(request, "records.html", context, session=session, status=_status(error))


async def archived_page(request: Request, session: Session) -> Response:
    """The type's archived records, in id order: search knows only live ones."""
    kind = await _kind(request, session)
    records = services(request).records
    state = listings.Listing.read(request.query_params, kind)
    schema = await records.schema(session.portal_id, kind)
    found = await records.page(
        session.portal_id,
        kind,
        after=request.query_params.get("after"),
        limit=state.limit,
        archived=True,
    )
    context = {
        "kind": kind,
        "title": title(kind),
        "state": state,
        "results": found.records,
        "next_after": found.next_after,
        "definitions": schema.definitions,
    }
    return render(request, "archived.html", context, session=session)


async def record_page(request: Request, session: Session) -> Response:
    kind = await _kind(request, session)
    return await _record_view(request, session, kind, saved=request.query_params.get("saved"))


async def _record_view(
    request: Request,
    session: Session,
    kind: ObjectType,
    *,
    error: HubSpotError | None = None,
    saved: str | None = None,
) -> Response:
    records = services(request).records
    reference = request.path_params["record_id"]
    try:
        record = await records.get(session.portal_id, kind, reference)
    except ObjectNotFound:  # an archived record is still worth seeing, marked as such
        record = await records.get(session.portal_id, kind, reference, archived=True)
    schema = await records.schema(session.portal_id, kind)
    history = await records.history(session.portal_id, kind, record, schema.definitions)
    show_all = request.query_params.get("show") == "all"
    rows = [
        PropertyRow(definition, record.properties.get(name), history.get(name, []))
        for name, definition in sorted(
            schema.definitions.items(), key=lambda item: item[1].label.lower()
        )
        if show_all or name in record.properties or history.get(name)
    ]
    writable = [
        d
        for d in sorted(schema.definitions.values(), key=lambda d: d.label.lower())
        if not d.read_only
    ]
    context = {
        "kind": kind,
        "title": title(kind),
        "record": record,
        "name": display_name(kind, record),
        "rows": rows,
        "show_all": show_all,
        "changes": _changes(history),
        "writable": writable if session.may(kind, "write") and not record.archived else [],
        "error": error,
        "saved": saved,
        "events": await webhooks.events_of(services(request), session, kind, record),
        "associations": await associated(services(request), session, kind, record),
        "title_of": title,
        "name_of": display_name,
    }
    return render(request, "record.html", context, session=session, status=_status(error))


async def edit_property(request: Request, session: Session) -> Response:
    kind = await _kind(request, session, "write")
    form = await request.form()
    check_csrf(request, form, session.csrf)
    name, value = str(form.get("property", "")), str(form.get("value", ""))
    try:
        await services(request).records.update(
            _actor(session), kind, request.path_params["record_id"], {name: value}
        )
    except HubSpotError as refused:
        return await _record_view(request, session, kind, error=refused)
    target = f"{PATH}/objects/{types.key(kind)}/{request.path_params['record_id']}?saved={name}"
    return RedirectResponse(target, status_code=303)


async def archive_record(request: Request, session: Session) -> Response:
    kind = await _kind(request, session, "write")
    form = await request.form()
    check_csrf(request, form, session.csrf)
    reference = request.path_params["record_id"]
    await services(request).records.archive(_actor(session), kind, [reference])
    return RedirectResponse(
        f"{PATH}/objects/{types.key(kind)}?archived={reference}", status_code=303
    )


async def properties_page(request: Request, session: Session) -> Response:
    kind = await _kind(request, session, "schema_read")
    app = services(request)
    definitions = await app.properties.list(session.portal_id, kind)
    custom_only = request.query_params.get("custom") == "1"
    needle = request.query_params.get("q", "").strip().lower()
    shown = [
        d
        # Custom properties first: they are the ones an integration defined.
        for d in sorted(
            definitions, key=lambda d: (bool(d.hubspot_defined), d.group_name, d.label.lower())
        )
        if (not custom_only or not d.hubspot_defined)
        and (not needle or needle in d.name.lower() or needle in d.label.lower())
    ]
    context = {
        "kind": kind,
        "title": title(kind),
        "definitions": shown,
        "total": len(definitions),
        "custom": sum(1 for d in definitions if not d.hubspot_defined),
        "custom_only": custom_only,
        "needle": needle,
        "types": [
            t
            for t in await types.listed(services(request), session)
            if session.may(t, "schema_read")
        ],
    }
    return render(request, "properties.html", context, session=session)


def display_name(kind: ObjectType, record: Record) -> str:
    """What HubSpot heads a record with: its type's primary display property, else a name, an
    email or a domain, else the type and id."""
    values = record.properties
    full = " ".join(v for v in (values.get("firstname"), values.get("lastname")) if v)
    primary = values.get(kind.primary_display_property or "")
    for candidate in (full, primary, values.get("name"), values.get("email"), values.get("domain")):
        if candidate:
            return candidate
    return f"{kind.label} {record.record_id}"


def _changes(history: dict[str, list[HistoryEntry]]) -> list[Change]:
    """The record's writes, newest first: the entries of one write share time and source."""
    writes: dict[tuple[int, str, str | None], Change] = {}
    for entries in history.values():
        for entry in entries:
            key = (entry.timestamp, entry.source_type, entry.source_id)
            change = writes.get(key)
            if change is None:
                change = writes[key] = Change(*key)
            change.values.append((entry.property, entry.value))
    ordered = sorted(writes.values(), key=lambda c: c.at, reverse=True)[:MAX_CHANGES]
    for change in ordered:
        change.values.sort()
    return ordered


def _status(error: HubSpotError | None) -> int:
    return 200 if error is None else error.status
