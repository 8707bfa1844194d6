"""The webhooks API of an app: its settings (target URL, concurrency) and its subscriptions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from hubcrm.domain.clock import Clock
from hubcrm.domain.objects import OBJECT_TYPES
from hubcrm.domain.webhooks.events import GENERIC, LEGACY_NAMES
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ObjectNotFound, ValidationError
from hubcrm.store.base import App, Store, Subscription

_RECORD_ACTIONS = (
    "creation",
    "deletion",
    "propertyChange",
    "associationChange",
    "merge",
    "restore",
)
# HubSpot's event types (the SDK's enum of SubscriptionCreateRequest.eventType).
ACTIONS: dict[str, tuple[str, ...]] = {
    "contact": (*_RECORD_ACTIONS, "privacyDeletion"),
    "company": _RECORD_ACTIONS,
    "deal": _RECORD_ACTIONS,
    "ticket": _RECORD_ACTIONS,
    "line_item": _RECORD_ACTIONS,
    "product": ("creation", "deletion", "propertyChange", "merge", "restore"),
    GENERIC: _RECORD_ACTIONS,
    "conversation": ("creation", "deletion", "privacyDeletion", "propertyChange", "newMessage"),
}
EVENT_TYPES = tuple(f"{name}.{action}" for name, actions in ACTIONS.items() for action in actions)
_TYPE_IDS = {name: type_id for type_id, name in LEGACY_NAMES.items()} | {"conversation": "conv"}
_OBJECT_TYPE_ID = re.compile(r"[0-9]{1,4}-[0-9]{1,12}")
# HubSpot refuses subscriptions to these properties.
UNSUBSCRIBABLE = frozenset({"hs_lastmodifieddate", "num_unique_conversion_events"})
MAX_SUBSCRIPTIONS = 1000
DEFAULT_CONCURRENCY = 10


@dataclass(frozen=True)
class Settings:
    target_url: str
    max_concurrent: int
    created_at: int
    updated_at: int | None


def check_target_url(url: str) -> None:
    """Only absolute http(s) URLs: deliveries never go anywhere else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(messages.WEBHOOK_BAD_TARGET_URL.format(url=url))


def settings_of(app: App) -> Settings:
    if app.target_url is None or app.settings_created_at is None:
        raise ObjectNotFound(messages.WEBHOOK_SETTINGS_NOT_FOUND.format(app=app.app_id))
    return Settings(
        app.target_url, app.max_concurrent, app.settings_created_at, app.settings_updated_at
    )


async def put_settings(
    store: Store, clock: Clock, app: App, target_url: str, max_concurrent: int
) -> Settings:
    check_target_url(target_url)
    if max_concurrent <= 5:
        raise ValidationError(messages.WEBHOOK_BAD_CONCURRENCY.format(value=max_concurrent))
    updated = await store.set_webhook_settings(
        app.app_id, target_url, max_concurrent, clock.now_ms()
    )
    if updated is None:
        raise ObjectNotFound(messages.APP_NOT_FOUND.format(app=app.app_id))
    return settings_of(updated)


async def clear_settings(store: Store, clock: Clock, app: App) -> None:
    """Subscriptions stay, paused: nothing is recorded for them until a target URL is set."""
    await store.set_webhook_settings(app.app_id, None, DEFAULT_CONCURRENCY, clock.now_ms())


async def subscribe(
    store: Store,
    clock: Clock,
    app: App,
    event_type: str,
    property_name: str | None,
    object_type_id: str | None,
    active: bool,
) -> Subscription:
    name, _, action = event_type.partition(".")
    if action not in ACTIONS.get(name, ()):
        raise ValidationError(
            messages.WEBHOOK_UNKNOWN_EVENT_TYPE.format(
                event_type=event_type, known=", ".join(EVENT_TYPES)
            )
        )
    type_id = _object_type_id(event_type, name, object_type_id)
    prop = await _property(store, app, event_type, action, type_id, property_name)
    if len(await store.subscriptions(app.app_id)) >= MAX_SUBSCRIPTIONS:
        raise ValidationError(messages.WEBHOOK_TOO_MANY_SUBSCRIPTIONS)
    return await store.add_subscription(
        app.app_id, event_type, action, type_id, prop, active, clock.now_ms()
    )


def _object_type_id(event_type: str, name: str, given: str | None) -> str:
    if name != GENERIC:
        return _TYPE_IDS[name]
    if not given:
        raise ValidationError(messages.WEBHOOK_OBJECT_TYPE_REQUIRED.format(event_type=event_type))
    if not _OBJECT_TYPE_ID.fullmatch(given):
        raise ValidationError(
            messages.WEBHOOK_BAD_OBJECT_TYPE.format(object_type_id=given, event_type=event_type)
        )
    return given


async def _property(
    store: Store, app: App, event_type: str, action: str, type_id: str, name: str | None
) -> str:
    if action != "propertyChange":
        if name:
            raise ValidationError(messages.WEBHOOK_PROPERTY_NOT_ALLOWED)
        return ""
    if not name:
        raise ValidationError(messages.WEBHOOK_PROPERTY_REQUIRED.format(event_type=event_type))
    if name in UNSUBSCRIBABLE:
        raise ValidationError(messages.WEBHOOK_PROPERTY_NOT_SUBSCRIBABLE.format(name=name))
    if type_id in {t.type_id for t in OBJECT_TYPES}:
        # A property the app's own portal defines (a default one, or one of its own).
        known = {d.name for d in await store.property_definitions(app.developer_portal_id, type_id)}
        if name not in known:
            raise ValidationError(
                messages.WEBHOOK_UNKNOWN_PROPERTY.format(name=name, object_type_id=type_id)
            )
    return name


async def subscription(store: Store, app: App, subscription_id: str) -> Subscription:
    for s in await store.subscriptions(app.app_id):
        if str(s.subscription_id) == subscription_id:
            return s
    raise ObjectNotFound(messages.WEBHOOK_SUBSCRIPTION_NOT_FOUND.format(id=subscription_id))


async def set_active(
    store: Store, clock: Clock, app: App, active: dict[int, bool]
) -> list[Subscription]:
    return await store.set_subscriptions_active(app.app_id, active, clock.now_ms())


async def unsubscribe(store: Store, app: App, subscription_id: str) -> None:
    found = await subscription(store, app, subscription_id)
    await store.delete_subscription(app.app_id, found.subscription_id)
