"""The control API's view of apps and webhook deliveries (/_hubcrm/...): create an app in one
call, see every delivery with its attempts and answers, deliver what is pending now."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from hubcrm.domain.apps import NewApp
from hubcrm.protocol.apps import Credentials
from hubcrm.protocol.wire import Struct
from hubcrm.store.base import DeliveryRecord, EventRecord


class CreateAppRequest(Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=256)] | None = None
    scopes: list[str] | None = None
    redirect_uris: list[str] | None = None


class DeliveredEvent(Struct):
    event_id: int
    attempt_number: int


class Delivery(Struct):
    delivery_id: int
    app_id: int
    url: str
    events: list[DeliveredEvent]
    started_at: int
    finished_at: int | None = None
    status: int | None = None
    error: str | None = None
    response: str | None = None


class DeliveryList(Struct):
    results: list[Delivery]


class Event(Struct):
    event_id: int
    app_id: int
    subscription_id: int
    subscription_type: str
    occurred_at: int
    state: str
    attempts: int
    due_at: int
    fields: dict[str, Any]


class EventList(Struct):
    results: list[Event]


class Delivered(Struct):
    deliveries: int


create_app_request = msgspec.json.Decoder(CreateAppRequest)


def credentials(made: NewApp) -> Credentials:
    app = made.app
    return Credentials(
        app_id=app.app_id,
        client_id=app.client_id,
        client_secret=app.client_secret,
        developer_api_key=made.developer_api_key,
        portal_id=app.developer_portal_id,
        name=app.name,
        scopes=sorted(app.scopes),
        redirect_uris=list(app.redirect_uris),
    )


def delivery(record: DeliveryRecord) -> Delivery:
    return Delivery(
        delivery_id=record.delivery_id,
        app_id=record.app_id,
        url=record.url,
        events=[DeliveredEvent(event_id=e, attempt_number=a) for e, a in record.events],
        started_at=record.started_at,
        finished_at=record.finished_at,
        status=record.status,
        error=record.error,
        response=record.response,
    )


def event(record: EventRecord) -> Event:
    return Event(
        event_id=record.event_id,
        app_id=record.app_id,
        subscription_id=record.subscription_id,
        subscription_type=record.event_type,
        occurred_at=record.occurred_at,
        state=record.state,
        attempts=record.attempts,
        due_at=record.due_at,
        fields=record.fields,
    )
