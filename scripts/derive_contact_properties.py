"""Derive hubcrm's seed contact property definitions from a portal's property listing.

Usage:
    python scripts/derive_contact_properties.py LISTING.json \
        > src/hubcrm/data/contact_properties.json

Keeps the facts a client relies on (names, labels, types, field types, groups, options, flags) and
drops descriptions and timestamps: hubcrm's definitions carry their own creation times.
"""

import json
import sys

KEPT = (
    "name",
    "label",
    "type",
    "fieldType",
    "groupName",
    "displayOrder",
    "calculated",
    "externalOptions",
    "hasUniqueValue",
    "hidden",
    "hubspotDefined",
    "formField",
    "dataSensitivity",
    "referencedObjectType",
    "modificationMetadata",
)
OPTION_KEPT = ("label", "value", "displayOrder", "hidden")


def derive(listing: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for prop in sorted(listing, key=lambda p: str(p["name"])):
        kept = {key: prop[key] for key in KEPT if key in prop}
        options = prop.get("options") or []
        assert isinstance(options, list)
        kept["options"] = [{k: o[k] for k in OPTION_KEPT if k in o} for o in options]
        out.append(kept)
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        derived = derive(json.load(f))
    json.dump(derived, sys.stdout, indent=0, separators=(",", ":"))
    sys.stdout.write("\n")
