"""Helpers for in-process tests that need more than the HTTP API offers."""

from __future__ import annotations

from hubcrm.properties import PropertyDefinition
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
