"""Helpers for in-process tests that need more than the HTTP API offers."""

from __future__ import annotations

from typing import Any

from hubcrm.protocol.definitions import PropertyDefinition
from tests.conftest import Api


def add_unique_property(api: Api, name: str) -> None:
    """Define a custom string property with hasUniqueValue, as the properties API would."""
    definition = PropertyDefinition(
        name=name,
        label=name,
        type="string",
        field_type="text",
        group_name="contactinformation",
        has_unique_value=True,
    )
    api.client.portal.call(  # type: ignore[union-attr]
        api.state.store.add_property, api.portal_id, "0-1", definition
    )


def assert_error(response: Any, status: int, category: str, message: str) -> dict[str, Any]:
    """The response is HubSpot's error envelope with exactly this status, category and message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    body: dict[str, Any] = response.json()
    assert body["status"] == "error"
    assert body["category"] == category
    assert body["message"] == message
    assert body["correlationId"] == response.headers["x-hubspot-correlation-id"]
    return body
