"""Rows of apps and webhook subscriptions as the store's dataclasses, for both databases."""

from __future__ import annotations

from typing import Any

from hubcrm.store.base import App, Subscription

APP_COLUMNS = (
    "app_id, developer_portal_id, name, client_id, client_secret, developer_key_hash, scopes,"
    " redirect_uris, created_at, target_url, max_concurrent, settings_created_at,"
    " settings_updated_at"
)
SUBSCRIPTION_COLUMNS = (
    "subscription_id, app_id, event_type, action, object_type_id, property_name, active,"
    " created_at, updated_at"
)
# Tables of an app's own, forgotten with it.
APP_TABLES = ("app_installs", "oauth_codes", "oauth_refresh_tokens", "webhook_subscriptions")


def scopes_text(scopes: frozenset[str]) -> str:
    return " ".join(sorted(scopes))


def scopes_of(text: str) -> frozenset[str]:
    return frozenset(filter(None, text.split(" ")))


def app_from_row(row: Any) -> App:
    return App(
        app_id=row[0],
        developer_portal_id=row[1],
        name=row[2],
        client_id=row[3],
        client_secret=row[4],
        developer_key_hash=row[5],
        scopes=scopes_of(row[6]),
        redirect_uris=tuple(filter(None, row[7].split(" "))),
        created_at=row[8],
        target_url=row[9],
        max_concurrent=row[10],
        settings_created_at=row[11],
        settings_updated_at=row[12],
    )


def subscription_from_row(row: Any) -> Subscription:
    return Subscription(
        subscription_id=row[0],
        app_id=row[1],
        event_type=row[2],
        action=row[3],
        object_type_id=row[4],
        property_name=row[5],
        active=bool(row[6]),
        created_at=row[7],
        updated_at=row[8],
    )
