"""Pages of webhook deliveries (domain/webhooks/): each POST hubcrm made to an app's target URL,
its events with their attempt numbers and what the target answered; and the events themselves.

Pages read the portal's deliveries and events newest first, a page at a time, by their ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.domain.objects import ObjectType
from hubcrm.domain.webhooks.events import GENERIC, LEGACY_NAMES
from hubcrm.store.base import DeliveryRecord, EventRecord, Record
from hubcrm.ui import types
from hubcrm.ui.pages import render
from hubcrm.ui.services import Services, services
from hubcrm.ui.session import Session

PAGE_SIZE = 50
# How far back a record's page looks for its events: the portal's latest events, not all.
RECENT_EVENTS = 500
_TYPE_OF_NAME = {name: type_id for type_id, name in LEGACY_NAMES.items()}


@dataclass(frozen=True)
class DeliveryRow:
    delivery: DeliveryRecord

    @property
    def failed(self) -> bool:
        d = self.delivery
        return d.finished_at is not None and (
            d.error is not None or not 200 <= (d.status or 0) < 300
        )

    @property
    def pending(self) -> bool:
        return self.delivery.finished_at is None


@dataclass(frozen=True)
class EventRow:
    event: EventRecord
    kind: ObjectType | None

    @property
    def object_id(self) -> object:
        return self.event.fields.get("objectId")

    @property
    def failed(self) -> bool:
        return self.event.state == "dropped" or (
            self.event.state == "pending" and self.event.attempts > 0
        )


def type_id_of(event: EventRecord) -> str | None:
    prefix = event.event_type.split(".", 1)[0]
    if prefix == GENERIC:
        found = event.fields.get("objectTypeId")
        return found if isinstance(found, str) else None
    return _TYPE_OF_NAME.get(prefix)


async def _event_rows(app: Services, session: Session, events: list[EventRecord]) -> list[EventRow]:
    known = await types.by_path(app, session)
    return [EventRow(e, known.get(type_id_of(e) or "")) for e in events]


def _before(request: Request) -> int | None:
    raw = request.query_params.get("before", "")
    return int(raw) if raw.isdigit() else None


async def webhooks_page(request: Request, session: Session) -> Response:
    app = services(request)
    showing = "events" if request.query_params.get("show") == "events" else "deliveries"
    before = _before(request)
    context: dict[str, object] = {"showing": showing}
    if showing == "events":
        events = await app.store.webhook_events_page(
            session.portal_id, before=before, limit=PAGE_SIZE + 1
        )
        rows = await _event_rows(app, session, events[:PAGE_SIZE])
        older = events[PAGE_SIZE - 1].event_id if len(events) > PAGE_SIZE else None
        context |= {"events": rows, "older": older}
    else:
        deliveries = await app.store.webhook_deliveries_page(
            session.portal_id, before=before, limit=PAGE_SIZE + 1
        )
        rows_d = [DeliveryRow(d) for d in deliveries[:PAGE_SIZE]]
        older = deliveries[PAGE_SIZE - 1].delivery_id if len(deliveries) > PAGE_SIZE else None
        context |= {"deliveries": rows_d, "older": older}
    return render(request, "webhooks.html", context, session=session)


async def events_of(
    app: Services, session: Session, kind: ObjectType, record: Record
) -> list[EventRow]:
    """The record's webhook events among the portal's latest ones."""
    recent = await app.store.webhook_events_page(
        session.portal_id, before=None, limit=RECENT_EVENTS
    )
    mine = [
        e
        for e in recent
        if e.fields.get("objectId") == record.record_id and type_id_of(e) == kind.type_id
    ]
    return await _event_rows(app, session, mine)
