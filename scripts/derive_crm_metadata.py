"""Derive hubcrm's pipelines, association types and object types from the reference files.

Usage:
    python scripts/derive_crm_metadata.py --reference /work/shared/reference --out src/hubcrm/data

Writes pipelines.json, association_types.json and object_types.json. What the reference files do
not record (ticket stage order and states, per-type search and scope rules) is written out below
as data; scripts/OBJECT_TYPES_RESEARCH.md gives each value's source and confidence.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

Json = dict[str, Any]

# The types hubcrm serves, in HubSpot's id order: plural path name -> objectTypeId.
TYPES = {
    "contacts": "0-1",
    "companies": "0-2",
    "deals": "0-3",
    "tickets": "0-5",
    "products": "0-7",
    "line_items": "0-8",
    "tasks": "0-27",
    "notes": "0-46",
    "meetings": "0-47",
    "calls": "0-48",
    "emails": "0-49",
}

# Pipelines -------------------------------------------------------------------------------------

PIPELINE_KEPT = ("id", "label", "displayOrder", "archived")
STAGE_KEPT = ("id", "label", "displayOrder", "metadata", "archived")
# Not recorded for tickets (default-pipelines.SOURCE.md): stage order follows the ids, and only
# the stage labelled "Closed" is closed. hubcrm's choice.
TICKET_STAGE_STATE = {"1": "OPEN", "2": "OPEN", "3": "OPEN", "4": "CLOSED"}


def pipelines(recorded: Json) -> Json:
    """Deal and ticket default pipelines; recorded timestamps and permissions are dropped."""
    out: Json = {}
    for object_type in ("deals", "tickets"):
        out[object_type] = [_pipeline(p, object_type) for p in recorded[object_type]["results"]]
    return out


def _pipeline(recorded: Json, object_type: str) -> Json:
    pipeline = {k: recorded[k] for k in PIPELINE_KEPT if k in recorded}
    pipeline.setdefault("displayOrder", 0)
    pipeline.setdefault("archived", False)
    stages = []
    for order, stage in enumerate(recorded["stages"]):
        kept = {k: stage[k] for k in STAGE_KEPT if k in stage}
        kept.setdefault("displayOrder", order)
        kept.setdefault("archived", False)
        if object_type == "tickets" and "metadata" not in kept:
            state = TICKET_STAGE_STATE[kept["id"]]
            kept["metadata"] = {"ticketState": state, "isClosed": str(state == "CLOSED").lower()}
        stages.append(kept)
    pipeline["stages"] = stages
    return pipeline


# Association types -----------------------------------------------------------------------------

# hubcrm's labels for labelled types whose label no recording shows.
ROLE_LABELS = {"primary": "Primary", "billing": "Billing contact", "parent": "Parent Company",
               "child": "Child Company"}  # fmt: skip
INVERSE_ROLE = {"parent": "child", "child": "parent"}


def association_types(rows: list[Json]) -> list[Json]:
    """HUBSPOT_DEFINED types between the served types, each with its inverse's id."""
    served = [
        r
        for r in rows
        if r["category"] == "HUBSPOT_DEFINED"
        and r["fromObjectType"] in TYPES
        and r["toObjectType"] in TYPES
    ]
    by_key = {(r["fromObjectType"], r["toObjectType"], _role(r)): r for r in served}
    out = []
    for row in served:
        role = _role(row)
        inverse_role = INVERSE_ROLE.get(role, role)
        inverse = by_key[(row["toObjectType"], row["fromObjectType"], inverse_role)]
        if "label" in row:
            label, basis = row["label"], row["labelBasis"]
        elif role == "default":
            label, basis = None, "hubcrm"
        else:
            label, basis = ROLE_LABELS[role], "hubcrm"
        entry: Json = {
            "fromObjectType": row["fromObjectType"],
            "fromObjectTypeId": row["fromObjectTypeId"],
            "toObjectType": row["toObjectType"],
            "toObjectTypeId": row["toObjectTypeId"],
            "category": row["category"],
            "typeId": row["associationTypeId"],
            "label": label,
            "labelBasis": basis,
            "inverseTypeId": inverse["associationTypeId"],
            "default": role == "default",
            "primary": role == "primary",
        }
        if "cardinality" in row:
            entry["cardinality"] = row["cardinality"]
            entry["inverseCardinality"] = row["inverseCardinality"]
        out.append(entry)
    return sorted(out, key=lambda e: (_order(e["fromObjectType"]), _order(e["toObjectType"]),
                                      not e["default"], e["typeId"]))  # fmt: skip


def _role(row: Json) -> str:
    text = (row.get("docsDescription") or "").lower()
    head = text.split(" to ")[0]
    if "primary" in text:
        return "primary"
    if "billing" in text:
        return "billing"
    if head.startswith(("parent", "child")):
        return head.split()[0]
    return "default"


def _order(name: str) -> int:
    return list(TYPES).index(name)


# Object types ----------------------------------------------------------------------------------

# Scopes are any-of lists: one granted scope of the list suffices.
ENGAGEMENT_SCOPES = {"read": ["crm.objects.contacts.read"], "write": ["crm.objects.contacts.write"]}

# Per type: what the reference's object-types.json does not record. Sources in the report.
CURATED: dict[str, Json] = {
    "contacts": {
        "singular": "Contact", "plural": "Contacts", "fullyQualifiedName": "CONTACT",
        "primaryDisplayProperty": "firstname",
        "secondaryDisplayProperties": ["lastname", "email", "phone"],
        "searchableProperties": ["firstname", "lastname", "email", "phone", "hs_additional_emails",
                                 "fax", "mobilephone", "company", "hs_marketable_until_renewal"],
        "defaultProperties": ["firstname", "lastname", "email", "lastmodifieddate",
                              "hs_object_id", "createdate"],
        "upsertIdProperties": ["email"],
        # hubcrm's own: email values are validated, stored lower-case and unique across both;
        # hs_additional_emails holds several `;`-separated values.
        "emailProperties": ["email", "hs_additional_emails"],
        "multiValueProperties": ["hs_additional_emails"],
        "scopes": {"read": ["crm.objects.contacts.read"], "write": ["crm.objects.contacts.write"]},
    },
    "companies": {
        "singular": "Company", "plural": "Companies", "fullyQualifiedName": "COMPANY",
        "primaryDisplayProperty": "name",
        "secondaryDisplayProperties": ["domain"],
        "searchableProperties": ["website", "phone", "name", "domain"],
        "defaultProperties": ["name", "domain", "createdate", "hs_lastmodifieddate",
                              "hs_object_id"],
        "scopes": {"read": ["crm.objects.companies.read"],
                   "write": ["crm.objects.companies.write"]},
    },
    "deals": {
        "singular": "Deal", "plural": "Deals", "fullyQualifiedName": "DEAL",
        "searchableProperties": ["dealname", "pipeline", "dealstage", "description", "dealtype"],
        "defaultProperties": ["dealname", "amount", "closedate", "pipeline", "dealstage",
                              "createdate", "hs_lastmodifieddate", "hs_object_id"],
        "scopes": {"read": ["crm.objects.deals.read"], "write": ["crm.objects.deals.write"]},
    },
    "tickets": {
        "singular": "Ticket", "plural": "Tickets", "fullyQualifiedName": "TICKET",
        "searchableProperties": ["subject", "content", "hs_pipeline_stage",
                                 "hs_ticket_category", "hs_ticket_id"],
        "defaultProperties": ["content", "hs_pipeline", "hs_pipeline_stage",
                              "hs_ticket_category", "hs_ticket_priority", "subject",
                              "createdate", "hs_lastmodifieddate", "hs_object_id"],
        "scopes": {"read": ["tickets", "crm.objects.tickets.read"],
                   "write": ["tickets", "crm.objects.tickets.write"]},
    },
    "products": {
        "singular": "Product", "plural": "Products", "fullyQualifiedName": "PRODUCT",
        "primaryDisplayProperty": "name", "secondaryDisplayProperties": ["price", "hs_sku"],
        "searchableProperties": ["name", "description", "price", "hs_sku"],
        "defaultProperties": ["name", "description", "price", "createdate",
                              "hs_lastmodifieddate", "hs_object_id"],
        "createdDateProperty": "createdate", "lastModifiedDateProperty": "hs_lastmodifieddate",
        "scopes": {"read": ["crm.objects.products.read", "e-commerce"],
                   "write": ["crm.objects.products.write", "e-commerce"]},
    },
    "line_items": {
        "singular": "Line item", "plural": "Line items", "fullyQualifiedName": "LINE_ITEM",
        "primaryDisplayProperty": "name", "secondaryDisplayProperties": ["quantity", "price"],
        "searchableProperties": [],
        "defaultProperties": ["quantity", "amount", "price", "createdate",
                              "hs_lastmodifieddate", "hs_object_id"],
        "createdDateProperty": "createdate", "lastModifiedDateProperty": "hs_lastmodifieddate",
        "scopes": {"read": ["crm.objects.line_items.read", "e-commerce"],
                   "write": ["crm.objects.line_items.write", "e-commerce"]},
    },
    "tasks": {
        "singular": "Task", "plural": "Tasks", "fullyQualifiedName": "TASK",
        "primaryDisplayProperty": "hs_task_subject",
        "searchableProperties": ["hs_task_body", "hs_task_subject"],
        "requiredProperties": ["hs_timestamp"],
        "scopes": ENGAGEMENT_SCOPES,
    },
    "notes": {
        "singular": "Note", "plural": "Notes", "fullyQualifiedName": "NOTE",
        "primaryDisplayProperty": "hs_note_body",
        "searchableProperties": ["hs_note_body"],
        "requiredProperties": ["hs_timestamp"],
        "scopes": ENGAGEMENT_SCOPES,
    },
    "meetings": {
        "singular": "Meeting", "plural": "Meetings", "fullyQualifiedName": "MEETING_EVENT",
        "primaryDisplayProperty": "hs_meeting_title",
        "searchableProperties": ["hs_meeting_title", "hs_meeting_body"],
        "requiredProperties": ["hs_timestamp"],
        "scopes": ENGAGEMENT_SCOPES,
    },
    "calls": {
        "singular": "Call", "plural": "Calls", "fullyQualifiedName": "CALL",
        "primaryDisplayProperty": "hs_call_title",
        "searchableProperties": ["hs_call_title", "hs_body_preview"],
        "requiredProperties": ["hs_timestamp"],
        "scopes": ENGAGEMENT_SCOPES,
    },
    "emails": {
        "singular": "Email", "plural": "Emails", "fullyQualifiedName": "EMAIL",
        "primaryDisplayProperty": "hs_email_subject",
        "searchableProperties": ["hs_email_subject"],
        "requiredProperties": ["hs_timestamp"],
        "scopes": ENGAGEMENT_SCOPES,
        "contentReadScope": "sales-email-read",
    },
}  # fmt: skip
ENGAGEMENT_DEFAULTS = ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"]
RECORD_URL = "https://app.hubspot.com/contacts/{portalId}/record/{objectTypeId}/{recordId}"


def object_types(recorded: list[Json]) -> list[Json]:
    by_name = {r["name"]: r for r in recorded}
    out = []
    for name, type_id in TYPES.items():
        rec, cur = by_name[name], CURATED[name]
        assert rec["objectTypeId"] == type_id, name
        schema = rec.get("schema", {})
        engagement = cur["scopes"] is ENGAGEMENT_SCOPES
        entry: Json = {
            "name": name,
            "objectTypeId": type_id,
            "fullyQualifiedName": schema.get("fullyQualifiedName", cur["fullyQualifiedName"]),
            "labels": schema.get("labels", {"singular": cur["singular"], "plural": cur["plural"]}),
            "primaryDisplayProperty": schema.get(
                "primaryDisplayProperty", cur.get("primaryDisplayProperty")
            ),
            "secondaryDisplayProperties": schema.get(
                "secondaryDisplayProperties", cur.get("secondaryDisplayProperties", [])
            ),
            "requiredProperties": schema.get(
                "requiredProperties", cur.get("requiredProperties", [])
            ),
            "searchableProperties": cur["searchableProperties"],
            "defaultProperties": cur.get("defaultProperties", ENGAGEMENT_DEFAULTS),
            "createdDateProperty": rec.get("createdDateProperty")
            or cur.get("createdDateProperty", "hs_createdate"),
            "lastModifiedDateProperty": rec.get("lastModifiedDateProperty")
            or cur.get("lastModifiedDateProperty", "hs_lastmodifieddate"),
            "upsertIdProperties": cur.get("upsertIdProperties", []),
            "upsertAllowsCustomUniqueProperties": True,
            "scopes": {
                **cur["scopes"],
                "contentRead": cur.get("contentReadScope"),
                "schemaRead": None if engagement else f"crm.schemas.{name}.read",
                "schemaWrite": None if engagement else f"crm.schemas.{name}.write",
            },
            "recordUrl": RECORD_URL,
            "propertiesFile": cur["singular"].lower().replace(" ", "_") + "_properties.json",
            "emailProperties": cur.get("emailProperties", []),
            "multiValueProperties": cur.get("multiValueProperties", []),
        }
        if "pipelineProperties" in rec:
            entry["pipelineProperties"] = rec["pipelineProperties"]
        out.append(entry)
    return out


def regenerate(reference: Path, out: Path) -> list[Path]:
    def load(name: str) -> Any:
        return json.loads((reference / name).read_text())

    outputs = {
        "pipelines.json": pipelines(load("default-pipelines.json")),
        "association_types.json": association_types(load("association-types.json")),
        "object_types.json": object_types(load("object-types.json")),
    }
    written = []
    for file_name, data in outputs.items():
        path = out / file_name
        path.write_text(json.dumps(data, indent=1) + "\n")
        written.append(path)
    return written


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    for path in regenerate(args.reference, args.out):
        print(path, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
