"""HubSpot's default property definitions, stored once per database rather than per portal.

A seed is one type's default definitions, named by a digest of them: `seed_rows` gives the name
and the rows to store, computed once per list of definitions (the domain hands the store the same
cached lists every time).
"""

from __future__ import annotations

import hashlib

import msgspec

from hubcrm.protocol.definitions import PropertyDefinition

_encode = msgspec.json.Encoder().encode
_CACHE_SIZE = 256
_cache: dict[int, tuple[list[PropertyDefinition], str, list[tuple[str, str]]]] = {}

# A portal type's definitions: its own rows (custom properties, and defaults it changed or
# archived) over the seed its object_schemas row names. Parameters, in either dialect's style:
# portal, type, archived (own rows); portal, type, archived (seed rows, live only).
DEFINITIONS_SQL = (
    "SELECT name, definition FROM property_definitions"
    " WHERE portal_id = {0} AND object_type = {1} AND archived = {2}"
    " UNION ALL"
    " SELECT s.name, s.definition FROM object_schemas o"
    " JOIN seed_definitions s ON s.seed_key = o.seed_key AND s.object_type = o.object_type"
    " WHERE o.portal_id = {0} AND o.object_type = {1} AND NOT {2}"
    " AND NOT EXISTS (SELECT 1 FROM property_definitions p WHERE p.portal_id = o.portal_id"
    " AND p.object_type = o.object_type AND p.name = s.name)"
    " ORDER BY 1"
)
# Whether a name is one of a portal type's seeded defaults: portal, type, name.
SEEDED_SQL = (
    "SELECT 1 FROM object_schemas o"
    " JOIN seed_definitions s ON s.seed_key = o.seed_key AND s.object_type = o.object_type"
    " WHERE o.portal_id = {0} AND o.object_type = {1} AND s.name = {2}"
)


def seed_rows(definitions: list[PropertyDefinition]) -> tuple[str, list[tuple[str, str]]]:
    """The seed's key, and its (name, definition JSON) rows."""
    cached = _cache.get(id(definitions))
    if cached is not None and cached[0] is definitions:
        return cached[1], cached[2]
    rows = [(d.name, _encode(d).decode()) for d in definitions]
    digest = hashlib.sha256()
    for name, text in rows:
        digest.update(f"{name}\t{text}\n".encode())
    key = digest.hexdigest()[:32]
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()
    _cache[id(definitions)] = (definitions, key, rows)
    return key, rows
