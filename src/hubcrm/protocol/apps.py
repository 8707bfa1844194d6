"""HubSpot's JSON messages of the OAuth and webhooks APIs (the SDK's `oauth` and `webhooks`
models are the schema), and the credentials hubcrm prints for a new app."""

from __future__ import annotations

from typing import Annotated

import msgspec

from hubcrm.protocol.wire import Name, Struct

# Numbers stored as 64-bit integers (and a concurrency as a 32-bit one): larger ones are a 400.
Id = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
Concurrency = Annotated[int, msgspec.Meta(le=2**31 - 1)]


class Credentials(Struct):
    """What `hubcrm app create --json`, the control API and the pytest plugin give for an app."""

    app_id: int
    client_id: str
    client_secret: str
    developer_api_key: str
    portal_id: int
    name: str
    scopes: list[str]
    redirect_uris: list[str]


class AppSummary(Struct):
    app_id: int
    portal_id: int
    name: str
    client_id: str
    scopes: list[str]
    redirect_uris: list[str]
    target_url: str | None = None


# OAuth (snake_case on HubSpot's wire)


class TokenResponse(msgspec.Struct, omit_defaults=True, kw_only=True):
    token_type: str
    refresh_token: str
    access_token: str
    expires_in: int
    hub_id: int
    scopes: list[str]
    token_use: str = "access_token"


class AccessTokenInfo(msgspec.Struct, kw_only=True):
    token: str
    user: str
    hub_domain: str
    scopes: list[str]
    hub_id: int
    app_id: int
    expires_in: int
    user_id: int
    token_type: str = "access"


class RefreshTokenInfo(msgspec.Struct, kw_only=True):
    token: str
    user: str
    hub_domain: str
    scopes: list[str]
    hub_id: int
    client_id: str
    user_id: int
    token_type: str = "refresh"


class OAuthErrorBody(msgspec.Struct, kw_only=True):
    status: str
    message: str
    correlation_id: str = msgspec.field(name="correlationId")
    error: str
    error_description: str


# Webhooks


class Throttling(Struct):
    max_concurrent_requests: Concurrency
    period: str | None = None  # removed from HubSpot's spec in 2024; echoed if sent


class SettingsRequest(Struct):
    target_url: Name
    throttling: Throttling


class SettingsResponse(Struct):
    target_url: str
    throttling: Throttling
    created_at: str
    updated_at: str | None = None


class SubscriptionCreate(Struct):
    event_type: Name
    property_name: Name | None = None
    object_type_id: Name | None = None
    active: bool = False


class SubscriptionPatch(Struct):
    active: bool


class SubscriptionBatchInput(Struct):
    id: Id
    active: bool


class SubscriptionBatchRequest(Struct):
    inputs: list[SubscriptionBatchInput]


class SubscriptionResponse(Struct):
    id: str
    event_type: str
    active: bool
    created_at: str
    property_name: str | None = None
    object_type_id: str | None = None
    updated_at: str | None = None


class SubscriptionList(Struct):
    results: list[SubscriptionResponse]


class SubscriptionBatchResponse(Struct):
    status: str
    results: list[SubscriptionResponse]
    started_at: str
    completed_at: str


settings_request = msgspec.json.Decoder(SettingsRequest)
subscription_create = msgspec.json.Decoder(SubscriptionCreate)
subscription_patch = msgspec.json.Decoder(SubscriptionPatch)
subscription_batch_request = msgspec.json.Decoder(SubscriptionBatchRequest)
