"""The routes of the legacy APIs (hubspot-legacy-apis.md), each served with and without one
trailing slash."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hubcrm.api.legacy import contacts, engagements, pipelines, properties, records


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
    lists = "/contacts/v1/lists"
    found += [
        Route(lists + "/all/contacts/all", contacts.contacts_v1_all, methods=["GET"]),
        Route(
            lists + "/recently_updated/contacts/recent",
            contacts.contacts_v1_recent,
            methods=["GET"],
        ),
        Route(lists + "/all/contacts/recent", contacts.contacts_v1_recent, methods=["GET"]),
        Route(
            "/contacts/v1/contact/vid/{vid}/profile", contacts.contacts_v1_by_vid, methods=["GET"]
        ),
        Route(
            "/contacts/v1/contact/email/{email}/profile",
            contacts.contacts_v1_by_email,
            methods=["GET"],
        ),
        Route(
            "/contacts/v1/contact/createOrUpdate/email/{email}",
            contacts.contacts_v1_create_or_update,
            methods=["POST"],
        ),
        Route("/contacts/v1/contact/batch", contacts.contacts_v1_batch, methods=["POST"]),
    ]
    found += [
        Route("/deals/v1/pipelines", pipelines.deals_v1_pipelines, methods=["GET"]),
        Route("/deals/v1/pipelines/{pipeline_id}", pipelines.deals_v1_pipeline, methods=["GET"]),
    ]
    base = "/engagements/v1/engagements"
    found += [
        Route(base + "/paged", engagements.engagements_v1_paged, methods=["GET"]),
        Route(base + "/recent/modified", engagements.engagements_v1_recent, methods=["GET"]),
        Route(
            base + "/modified/after",
            engagements.engagements_v1_modified_after,
            methods=["GET"],
        ),
        Route(base + "/{engagement_id}", engagements.engagements_v1_get, methods=["GET"]),
    ]
    return found
