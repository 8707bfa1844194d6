"""Derive hubcrm's seed property definitions, one data file per object type.

Usage:
    # every file, from the reference listings and the hand-curated input:
    python scripts/derive_properties.py --reference /work/shared/reference --out src/hubcrm/data
    # one type from a recorded listing (a GET /crm/v3/properties/{type} results array):
    python scripts/derive_properties.py LISTING.json > src/hubcrm/data/contact_properties.json

Keeps the facts a client relies on (names, labels, types, field types, groups, options, flags) and
drops descriptions and timestamps: hubcrm's definitions carry their own creation times.

Types with no recorded listing (products, line items, engagements) come from
scripts/documented_properties.json, written by hand from HubSpot's documentation (sources in
scripts/OBJECT_TYPES_RESEARCH.md). Keys an entry leaves out take DEFAULTS, so both inputs give
definitions of one shape.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

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

# Recorded listings: the reference file stem's object name, and the data file it becomes.
LISTINGS = {
    "contact": "contact_properties.json",
    "company": "company_properties.json",
    "deal": "deal_properties.json",
    "ticket": "ticket_properties.json",
}
DOCUMENTED = Path(__file__).with_name("documented_properties.json")

# What a HubSpot-defined property carries when the documentation says nothing else: the values
# the recorded listings show for ordinary default properties.
DEFAULTS: dict[str, Any] = {
    "displayOrder": -1,
    "calculated": False,
    "externalOptions": False,
    "hasUniqueValue": False,
    "hidden": False,
    "hubspotDefined": True,
    "formField": False,
}

Definition = dict[str, Any]


def derive(listing: list[Definition]) -> list[Definition]:
    out = []
    for prop in sorted(listing, key=lambda p: str(p["name"])):
        kept = {key: prop[key] for key in KEPT if key in prop}
        options = prop.get("options") or []
        assert isinstance(options, list)
        kept["options"] = [{k: o[k] for k in OPTION_KEPT if k in o} for o in options]
        out.append(kept)
    return out


def documented(spec: dict[str, Any], object_type: str) -> list[Definition]:
    """One type's definitions from the hand-curated input, in the recorded listings' shape."""
    entry = spec["types"][object_type]
    shared = [{"name": name, **spec["shared"][name]} for name in entry["shared"]]
    return derive([_complete(item, entry["group"]) for item in shared + entry["properties"]])


def _complete(item: Definition, group: str) -> Definition:
    prop: Definition = {**DEFAULTS, "groupName": group}
    prop.update({k: v for k, v in item.items() if k not in ("readOnly", "options")})
    prop["modificationMetadata"] = {
        "archivable": True,
        "readOnlyDefinition": True,
        "readOnlyValue": bool(item.get("readOnly", False)),
    }
    prop["options"] = [
        {"label": label, "value": value, "displayOrder": order, "hidden": False}
        for order, (label, value) in enumerate(item.get("options", []))
    ]
    return prop


def dumps(definitions: list[Definition]) -> str:
    return json.dumps(definitions, indent=0, separators=(",", ":")) + "\n"


def regenerate(reference: Path, out: Path) -> list[Path]:
    written = []
    for stem, file_name in LISTINGS.items():
        listing = json.loads((reference / f"default-{stem}-properties.json").read_text())
        written.append(_write(out / file_name, derive(listing)))
    spec = json.loads(DOCUMENTED.read_text())
    for object_type, entry in spec["types"].items():
        written.append(_write(out / entry["file"], documented(spec, object_type)))
    return written


def _write(path: Path, definitions: list[Definition]) -> Path:
    path.write_text(dumps(definitions))
    return path


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("listing", nargs="?", help="one recorded listing; output to stdout")
    parser.add_argument("--reference", type=Path, help="folder of default-<type>-properties.json")
    parser.add_argument("--out", type=Path, help="folder to write every data file to")
    args = parser.parse_args(argv)
    if args.listing:
        sys.stdout.write(dumps(derive(json.loads(Path(args.listing).read_text()))))
    elif args.reference and args.out:
        for path in regenerate(args.reference, args.out):
            print(path, file=sys.stderr)
    else:
        parser.error("give a LISTING, or --reference and --out")


if __name__ == "__main__":
    main(sys.argv[1:])
