"""Property history as both stores keep it: one row per record write, holding what it changed.

A batch writes about ten properties of each of its records. One row per property would cost
each record ten rows and ten index entries; one row per write costs one of each. Reading a
property's history reads the record's writes, newest first, and picks that property's entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from hubcrm.store.base import HistoryEntry, RecordWrite

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(list[tuple[str, str]]).decode

# record id, timestamp, source type, source id, and the changes: [[property, value], ...] as
# JSON, in the order they were written.
Row = tuple[int, int, str, str | None, str]


def rows(writes: Iterable[RecordWrite]) -> list[Row]:
    """The rows for the writes' history entries: one per record, timestamp and source."""
    out: list[Row] = []
    for w in writes:
        if not w.history:
            continue
        names, values, stamps, source_types, source_ids = zip(*w.history, strict=True)
        count = len(stamps)
        if (
            stamps.count(stamps[0]) == count
            and source_types.count(source_types[0]) == count
            and source_ids.count(source_ids[0]) == count
        ):
            # One moment and source, as for nearly every write (a record written twice in a
            # batch is too): one row, built without a Python step per entry.
            changed = _encode(list(zip(names, values, strict=True))).decode()
            out.append((w.record.record_id, stamps[0], source_types[0], source_ids[0], changed))
            continue
        changes: dict[tuple[int, str, str | None], list[tuple[str, str]]] = {}
        for h in w.history:
            key = (h.timestamp, h.source_type, h.source_id)
            changes.setdefault(key, []).append((h.property, h.value))
        out += [
            (w.record.record_id, timestamp, source_type, source_id, _encode(pairs).decode())
            for (timestamp, source_type, source_id), pairs in changes.items()
        ]
    return out


def entries(
    newest_first: Iterable[Sequence[Any]], names: Iterable[str]
) -> dict[str, list[HistoryEntry]]:
    """Each named property's entries, newest first, from a record's rows (timestamp, source
    type, source id, changes) newest first."""
    out: dict[str, list[HistoryEntry]] = {name: [] for name in names}
    for timestamp, source_type, source_id, changes in newest_first:
        for name, value in reversed(_decode(changes)):
            found = out.get(name)
            if found is not None:
                found.append(HistoryEntry(name, value, timestamp, source_type, source_id))
    return out
