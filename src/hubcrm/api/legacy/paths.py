"""Where HubSpot's legacy APIs live: their errors answer in the legacy envelope."""

from __future__ import annotations

LEGACY_PREFIXES = (
    "/properties/v1/",
    "/properties/v2/",
    "/companies/v2/",
    "/deals/v1/",
    "/contacts/v1/",
    "/contacts/v2/",
    "/engagements/v1/",
    "/owners/v2/",
)
