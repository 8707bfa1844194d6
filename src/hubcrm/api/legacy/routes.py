"""The routes of the legacy APIs (hubspot-legacy-apis.md), each served with and without one
trailing slash."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hubcrm.api.legacy import properties, records


def routes() -> list[BaseRoute]:
    found: list[BaseRoute] = []
    for version in ("v1", "v2"):
        base = f"/properties/{version}/{{object_type}}/properties"
        found += [
            Route(base, properties.legacy_list_properties, methods=["GET"]),
            Route(base + "/named/{name}", properties.legacy_get_property, methods=["GET"]),
        ]
    found += [
        Route(path, properties.legacy_fixed_properties, methods=["GET"])
        for path in properties.FIXED_TYPES
    ]
    for base, reader in (
        ("/companies/v2/companies", records.COMPANIES),
        ("/deals/v1/deal", records.DEALS),
    ):
        found += [
            Route(base + "/paged", reader.paged, methods=["GET"], name=reader.route("paged")),
            Route(
                base + "/recent/{which:str}",
                reader.recent,
                methods=["GET"],
                name=reader.route("recent"),
            ),
            Route(base + "/{record_id}", reader.get, methods=["GET"], name=reader.route("get")),
        ]
    return found
