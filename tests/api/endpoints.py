"""One probe per route of the CRM API, for the tests that must cover every endpoint.

A probe calls its route with a given token, aimed at a given contact (record id and email). The
cross-portal test calls each probe with another portal's token, once aimed at a real contact of
the first portal and once at one that exists nowhere, and demands the same answer; the scope test
calls each with a token that has no scopes. `observe` keeps what must not differ between the two.

A new route needs an entry in ROUTE_ACCESS (src/hubcrm/api/access.py) and one here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import Api, upsert_input

VOLATILE = {"correlationId", "requestId", "createdAt", "updatedAt", "startedAt", "completedAt"}


def stable(value: Any) -> Any:
    """The parts of a JSON answer that do not change from one call to the next."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def observe_status_and_body(response: Any) -> Any:
    return response.status_code, stable(response.json())


def observe_upsert(response: Any) -> Any:
    # Upserting a key the portal does not hold creates a record there, whoever else holds it.
    body = response.json()
    return response.status_code, [(r["new"], r["id"]) for r in body.get("results", [])]


@dataclass(frozen=True)
class Probe:
    route: str
    call: Callable[[Api, str, str, str], Any]  # (api, token, record id, email) -> response
    observe: Callable[[Any], Any] = observe_status_and_body
    scope: str | None = None  # the scope the route demands, if not a contacts scope


PROBES = [
    Probe(
        "get_record",
        lambda api, token, record_id, email: api.get(
            f"/crm/v3/objects/contacts/{record_id}", token=token
        ),
    ),
    Probe(
        "get_record",
        lambda api, token, record_id, email: api.get(
            f"/crm/v3/objects/contacts/{email}", token=token, idProperty="email"
        ),
    ),
    Probe(
        "batch_upsert",
        lambda api, token, record_id, email: api.upsert(
            [upsert_input(email, firstname="Mallory")], token=token
        ),
        observe_upsert,
    ),
]


def observe_ids(response: Any) -> Any:
    """Writes answer with links naming the caller's portal: compare status and record ids."""
    body = response.json() if response.content else None
    if isinstance(body, dict) and "results" in body:
        return response.status_code, [r["id"] for r in body["results"]], body.get("errors")
    if isinstance(body, dict) and "id" in body:
        return response.status_code, body["id"]
    return response.status_code, stable(body)


def _patch(api: Api, path: str, body: Any, token: str) -> Any:
    return api.client.patch(path, json=body, headers=api.headers(token))


def _delete(api: Api, path: str, token: str) -> Any:
    return api.client.delete(path, headers=api.headers(token))


CONTACTS_PATH = "/crm/v3/objects/contacts"
PROPERTIES_PATH = "/crm/v3/properties/contacts"

PROBES += [
    Probe("list_records", lambda api, token, rid, email: api.get(CONTACTS_PATH, token=token)),
    Probe(
        "batch_read",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/batch/read", {"inputs": [{"id": rid}]}, token
        ),
    ),
    Probe(
        "batch_read",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/batch/read", {"idProperty": "email", "inputs": [{"id": email}]}, token
        ),
    ),
    Probe(
        "search",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/search",
            {
                "filterGroups": [
                    {"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}
                ]
            },
            token,
        ),
    ),
    Probe(
        "search",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/search", {"query": "Olive"}, token
        ),
    ),
    Probe(
        "create_record",
        lambda api, token, rid, email: api.post(
            CONTACTS_PATH, {"properties": {"email": email}}, token
        ),
        observe_ids,
    ),
    Probe(
        "batch_create",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/batch/create", {"inputs": [{"properties": {"email": email}}]}, token
        ),
        observe_ids,
    ),
    Probe(
        "update_record",
        lambda api, token, rid, email: _patch(
            api, f"{CONTACTS_PATH}/{rid}", {"properties": {"firstname": "Mallory"}}, token
        ),
    ),
    Probe(
        "batch_update",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/batch/update",
            {"inputs": [{"id": rid, "properties": {"firstname": "Mallory"}}]},
            token,
        ),
    ),
    Probe(
        "archive_record",
        lambda api, token, rid, email: _delete(api, f"{CONTACTS_PATH}/{rid}", token),
        observe_ids,
    ),
    Probe(
        "batch_archive",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/batch/archive", {"inputs": [{"id": rid}]}, token
        ),
        observe_ids,
    ),
    Probe("list_properties", lambda api, token, rid, email: api.get(PROPERTIES_PATH, token=token)),
    Probe(
        "get_property",
        lambda api, token, rid, email: api.get(f"{PROPERTIES_PATH}/email", token=token),
    ),
    Probe(
        "create_property",
        lambda api, token, rid, email: api.post(
            PROPERTIES_PATH,
            {
                "name": "probe_code",
                "label": "Probe",
                "type": "string",
                "fieldType": "text",
                "groupName": "contactinformation",
            },
            token,
        ),
    ),
    Probe(
        "update_property",
        lambda api, token, rid, email: _patch(
            api, f"{PROPERTIES_PATH}/probe_code", {"label": "x"}, token
        ),
    ),
    Probe(
        "archive_property",
        lambda api, token, rid, email: _delete(api, f"{PROPERTIES_PATH}/probe_code", token),
        observe_ids,
    ),
    # The schemas API: another portal's custom object type is as unknown as one never defined.
    Probe("list_schemas", lambda api, token, rid, email: api.get(SCHEMAS_PATH, token=token)),
    Probe(
        "get_schema",
        lambda api, token, rid, email: api.get(f"{SCHEMAS_PATH}/2-1", token=token),
    ),
    Probe(
        "create_schema",
        lambda api, token, rid, email: api.post(
            SCHEMAS_PATH,
            {"name": "probes", "labels": {"singular": "Probe", "plural": "Probes"}},
            token,
        ),
        observe_ids,
    ),
    Probe(
        "update_schema",
        lambda api, token, rid, email: _patch(
            api, f"{SCHEMAS_PATH}/2-1", {"labels": {"singular": "x"}}, token
        ),
        observe_ids,
    ),
    Probe(
        "archive_schema",
        lambda api, token, rid, email: _delete(api, f"{SCHEMAS_PATH}/2-1", token),
        observe_ids,
    ),
]


# Associations, merge and GDPR delete: each aimed at the probed contact, from it and to it.
V4_PATH = "/crm/v4/objects/contacts"
PAIR_PATH = "/crm/v4/associations/contacts/contacts"
V3_PAIR_PATH = "/crm/v3/associations/contacts/contacts"
_SPEC = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 449}]


def _put(api: Api, path: str, body: Any, token: str) -> Any:
    return api.client.put(path, json=body, headers=api.headers(token))


PROBES += [
    Probe(
        "put_association_labels",
        lambda api, token, rid, email: _put(
            api, f"{V4_PATH}/{rid}/associations/contacts/{rid}", _SPEC, token
        ),
    ),
    Probe(
        "put_default_association",
        lambda api, token, rid, email: _put(
            api, f"{V4_PATH}/{rid}/associations/default/contacts/{rid}", None, token
        ),
    ),
    Probe(
        "list_associations",
        lambda api, token, rid, email: api.get(f"{V4_PATH}/{rid}/associations/contacts", token),
    ),
    Probe(
        "delete_associations",
        lambda api, token, rid, email: _delete(
            api, f"{V4_PATH}/{rid}/associations/contacts/{rid}", token
        ),
        observe_ids,
    ),
    Probe(
        "batch_create_associations",
        lambda api, token, rid, email: api.post(
            f"{PAIR_PATH}/batch/create",
            {"inputs": [{"from": {"id": rid}, "to": {"id": rid}, "types": _SPEC}]},
            token,
        ),
    ),
    Probe(
        "batch_default_associations",
        lambda api, token, rid, email: api.post(
            f"{PAIR_PATH}/batch/associate/default",
            {"inputs": [{"from": {"id": rid}, "to": {"id": rid}}]},
            token,
        ),
    ),
    Probe(
        "batch_read_associations",
        lambda api, token, rid, email: api.post(
            f"{PAIR_PATH}/batch/read", {"inputs": [{"id": rid}]}, token
        ),
    ),
    Probe(
        "batch_archive_associations",
        lambda api, token, rid, email: api.post(
            f"{PAIR_PATH}/batch/archive",
            {"inputs": [{"from": {"id": rid}, "to": [{"id": rid}]}]},
            token,
        ),
        observe_ids,
    ),
    Probe(
        "batch_archive_association_labels",
        lambda api, token, rid, email: api.post(
            f"{PAIR_PATH}/batch/labels/archive",
            {"inputs": [{"from": {"id": rid}, "to": {"id": rid}, "types": _SPEC}]},
            token,
        ),
        observe_ids,
    ),
    Probe(
        "list_association_labels",
        lambda api, token, rid, email: api.get(f"{PAIR_PATH}/labels", token),
    ),
    Probe(
        "create_association_label",
        lambda api, token, rid, email: api.post(
            f"{PAIR_PATH}/labels", {"label": "Probe", "name": "probe"}, token
        ),
    ),
    Probe(
        "update_association_label",
        lambda api, token, rid, email: _put(
            api, f"{PAIR_PATH}/labels", {"associationTypeId": 1000, "label": "x"}, token
        ),
    ),
    Probe(
        "delete_association_label",
        lambda api, token, rid, email: _delete(api, f"{PAIR_PATH}/labels/1000", token),
    ),
    Probe(
        "v3_batch_create_associations",
        lambda api, token, rid, email: api.post(
            f"{V3_PAIR_PATH}/batch/create",
            {"inputs": [{"from": {"id": rid}, "to": {"id": rid}, "type": "contact_to_contact"}]},
            token,
        ),
    ),
    Probe(
        "v3_batch_read_associations",
        lambda api, token, rid, email: api.post(
            f"{V3_PAIR_PATH}/batch/read", {"inputs": [{"id": rid}]}, token
        ),
    ),
    Probe(
        "v3_batch_archive_associations",
        lambda api, token, rid, email: api.post(
            f"{V3_PAIR_PATH}/batch/archive",
            {"inputs": [{"from": {"id": rid}, "to": {"id": rid}, "type": "contact_to_contact"}]},
            token,
        ),
        observe_ids,
    ),
    Probe(
        "merge_records",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/merge", {"primaryObjectId": rid, "objectIdToMerge": "999"}, token
        ),
    ),
    Probe(
        "gdpr_delete",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/gdpr-delete", {"objectId": rid}, token
        ),
    ),
    Probe(
        "gdpr_delete",
        lambda api, token, rid, email: api.post(
            f"{CONTACTS_PATH}/gdpr-delete", {"objectId": email, "idProperty": "email"}, token
        ),
        observe_ids,
    ),
]
SCHEMAS_PATH = "/crm/v3/schemas"

# Pipelines (of deals) and owners

PIPELINES_PATH = "/crm/v3/pipelines/deals"
STAGE_PATH = PIPELINES_PATH + "/default/stages/contractsent"
DEALS_READ = "crm.objects.deals.read"
DEALS_WRITE = "crm.objects.deals.write"
NEW_STAGE = {"label": "Probe", "displayOrder": 9, "metadata": {"probability": "0.5"}}
NEW_PIPELINE = {"label": "Probe", "displayOrder": 1, "stages": [NEW_STAGE]}


PROBES += [
    Probe(
        "list_pipelines",
        lambda api, token, rid, email: api.get(PIPELINES_PATH, token=token),
        scope=DEALS_READ,
    ),
    Probe(
        "get_pipeline",
        lambda api, token, rid, email: api.get(f"{PIPELINES_PATH}/default", token=token),
        scope=DEALS_READ,
    ),
    Probe(
        "pipeline_audit",
        lambda api, token, rid, email: api.get(f"{PIPELINES_PATH}/default/audit", token=token),
        scope=DEALS_READ,
    ),
    Probe(
        "list_stages",
        lambda api, token, rid, email: api.get(f"{PIPELINES_PATH}/default/stages", token=token),
        scope=DEALS_READ,
    ),
    Probe(
        "get_stage",
        lambda api, token, rid, email: api.get(STAGE_PATH, token=token),
        scope=DEALS_READ,
    ),
    Probe(
        "stage_audit",
        lambda api, token, rid, email: api.get(f"{STAGE_PATH}/audit", token=token),
        scope=DEALS_READ,
    ),
    Probe(
        "create_pipeline",
        lambda api, token, rid, email: api.post(PIPELINES_PATH, NEW_PIPELINE, token),
        scope=DEALS_WRITE,
    ),
    Probe(
        "replace_pipeline",
        lambda api, token, rid, email: _put(api, f"{PIPELINES_PATH}/default", NEW_PIPELINE, token),
        scope=DEALS_WRITE,
    ),
    Probe(
        "update_pipeline",
        lambda api, token, rid, email: _patch(
            api, f"{PIPELINES_PATH}/default", {"label": "Probe"}, token
        ),
        scope=DEALS_WRITE,
    ),
    Probe(
        "archive_pipeline",
        lambda api, token, rid, email: _delete(api, f"{PIPELINES_PATH}/default", token),
        scope=DEALS_WRITE,
    ),
    Probe(
        "create_stage",
        lambda api, token, rid, email: api.post(
            f"{PIPELINES_PATH}/default/stages", NEW_STAGE, token
        ),
        scope=DEALS_WRITE,
    ),
    Probe(
        "replace_stage",
        lambda api, token, rid, email: _put(api, STAGE_PATH, NEW_STAGE, token),
        scope=DEALS_WRITE,
    ),
    Probe(
        "update_stage",
        lambda api, token, rid, email: _patch(api, STAGE_PATH, {"label": "Probe"}, token),
        scope=DEALS_WRITE,
    ),
    Probe(
        "archive_stage",
        lambda api, token, rid, email: _delete(api, STAGE_PATH, token),
        observe_ids,
        scope=DEALS_WRITE,
    ),
    Probe(
        "list_owners",
        lambda api, token, rid, email: api.get("/crm/v3/owners", token=token, email=email),
        scope="crm.objects.owners.read",
    ),
    Probe(
        "get_owner",
        lambda api, token, rid, email: api.get(f"/crm/v3/owners/{rid}", token=token),
        scope="crm.objects.owners.read",
    ),
]


# Legacy APIs (api/legacy/): each read aimed at the probed contact where the API serves
# contacts, else at the same id of its own type.
def _legacy(route: str, path: str, scope: str | None = None) -> Probe:
    return Probe(
        route,
        lambda api, token, rid, email: api.get(path.format(rid=rid, email=email), token=token),
        scope=scope,
    )


PROBES += [
    _legacy("legacy_list_properties", "/properties/v2/contact/properties"),
    _legacy("legacy_list_properties", "/properties/v1/contacts/properties"),
    _legacy("legacy_get_property", "/properties/v2/contacts/properties/named/email"),
    _legacy("legacy_fixed_properties", "/contacts/v2/properties"),
    _legacy("companies_v2_paged", "/companies/v2/companies/paged", "crm.objects.companies.read"),
    _legacy(
        "companies_v2_recent",
        "/companies/v2/companies/recent/modified",
        "crm.objects.companies.read",
    ),
    _legacy("companies_v2_get", "/companies/v2/companies/{rid}", "crm.objects.companies.read"),
    _legacy(
        "deals_v1_paged", "/deals/v1/deal/paged?includeAssociations=true", "crm.objects.deals.read"
    ),
    _legacy("deals_v1_recent", "/deals/v1/deal/recent/created", "crm.objects.deals.read"),
    _legacy("deals_v1_get", "/deals/v1/deal/{rid}", "crm.objects.deals.read"),
]


def _legacy_post(route: str, path: str, body: Any) -> Probe:
    return Probe(
        route,
        lambda api, token, rid, email: api.post(path.format(rid=rid, email=email), body, token),
        observe_ids,
    )


PROBES += [
    _legacy("contacts_v1_all", "/contacts/v1/lists/all/contacts/all?property=email"),
    _legacy("contacts_v1_recent", "/contacts/v1/lists/recently_updated/contacts/recent"),
    _legacy("contacts_v1_recent", "/contacts/v1/lists/all/contacts/recent"),
    _legacy("contacts_v1_by_vid", "/contacts/v1/contact/vid/{rid}/profile"),
    _legacy("contacts_v1_by_email", "/contacts/v1/contact/email/{email}/profile"),
    _legacy_post(
        "contacts_v1_create_or_update",
        "/contacts/v1/contact/createOrUpdate/email/{email}",
        {"properties": [{"property": "firstname", "value": "Mallory"}]},
    ),
    _legacy_post(
        "contacts_v1_batch",
        "/contacts/v1/contact/batch/",
        [{"email": "owner@x.com", "properties": [{"property": "firstname", "value": "Mallory"}]}],
    ),
]

PROBES += [
    _legacy("engagements_v1_paged", "/engagements/v1/engagements/paged"),
    _legacy("engagements_v1_recent", "/engagements/v1/engagements/recent/modified"),
    _legacy("engagements_v1_get", "/engagements/v1/engagements/{rid}"),
    _legacy("engagements_v1_modified_after", "/engagements/v1/engagements/modified/after"),
]

PROBES += [
    _legacy("deals_v1_pipelines", "/deals/v1/pipelines", "crm.objects.deals.read"),
    _legacy("deals_v1_pipeline", "/deals/v1/pipelines/default", "crm.objects.deals.read"),
]
