"""Apps, OAuth grants, webhook subscriptions and the outbox of events (domain/apps.py, oauth.py,
webhooks/)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class App:
    app_id: int
    developer_portal_id: int
    name: str
    client_id: str
    client_secret: str  # kept recoverable: webhook signatures are keyed with it
    developer_key_hash: str  # the SHA-256 of the developer API key
    scopes: frozenset[str]
    redirect_uris: tuple[str, ...]
    created_at: int
    target_url: str | None = None
    max_concurrent: int = 10
    settings_created_at: int | None = None
    settings_updated_at: int | None = None


@dataclass(frozen=True)
class AuthCode:
    app_id: int
    hub_id: int
    redirect_uri: str
    scopes: frozenset[str]
    expires_at: int
    used_at: int | None


@dataclass(frozen=True)
class RefreshToken:
    app_id: int
    hub_id: int
    scopes: frozenset[str]
    created_at: int
    revoked_at: int | None


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    app_id: int
    event_type: str  # as subscribed: contact.creation, object.propertyChange, ...
    action: str  # creation, propertyChange, ...
    object_type_id: str  # 0-1, ...
    property_name: str  # "" unless a propertyChange
    active: bool
    created_at: int
    updated_at: int


@dataclass(frozen=True)
class OutboxEvent:
    """One event for one subscription, as a write records it."""

    app_id: int
    subscription_id: int
    event_type: str
    occurred_at: int
    fields: dict[str, object]  # the payload's other fields (objectId, propertyName, ...), in order


@dataclass(frozen=True)
class ClaimedEvent:
    event_id: int
    subscription_id: int
    event_type: str
    occurred_at: int
    fields: dict[str, object]
    attempt: int  # this delivery's attemptNumber: 0 first, then one more per retry


@dataclass(frozen=True)
class ClaimedBatch:
    """Events of one app and portal claimed for one POST, held until `claimed_until`."""

    delivery_id: int
    portal_id: int
    app_id: int
    url: str
    client_secret: str
    events: list[ClaimedEvent]


@dataclass(frozen=True)
class DeliveryOutcome:
    delivery_id: int
    finished_at: int
    status: int | None  # the HTTP status answered, None if there was no answer
    error: str | None
    response: str | None
    delivered: bool
    retry_at: dict[int, int | None]  # undelivered event id -> when to try again (None: drop)


@dataclass(frozen=True)
class DeliveryRecord:
    delivery_id: int
    portal_id: int
    app_id: int
    url: str
    events: list[tuple[int, int]]  # (event id, attemptNumber)
    started_at: int
    finished_at: int | None
    status: int | None
    error: str | None
    response: str | None


@dataclass(frozen=True)
class EventRecord:
    event_id: int
    portal_id: int
    app_id: int
    subscription_id: int
    event_type: str
    occurred_at: int
    fields: dict[str, object]
    state: str  # pending, delivered, dropped
    attempts: int
    due_at: int
