"""What an import has done, kept in a small file so that `--resume` goes on where it stopped.

The file holds the rows finished (imported or rejected) as merged ranges of row numbers, the rows
of batches sent but not yet answered, and the running counts. It is replaced atomically after
every batch, so a kill at any moment leaves the state of some moment before: a resumed import
sends again at most the batches that were in flight, and an upsert sent twice writes the same
values. A batch *create* in flight when the import died may or may not have been applied; a
resumed import reports those rows instead of creating them twice.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VERSION = 1


def default_path(input_path: str) -> str:
    return input_path + ".import-state"


@dataclass
class ImportState:
    path: Path
    identity: dict[str, Any]  # what must match for a resume: the input, the object type, the key
    done: list[list[int]] = field(default_factory=list)  # sorted, merged [first, last] ranges
    in_flight: dict[int, list[int]] = field(default_factory=dict)  # batch key -> row numbers
    imported: int = 0
    rejected: int = 0
    resumed: bool = False  # loaded from an earlier run's file
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, path: Path, identity: dict[str, Any]) -> ImportState:
        data = json.loads(path.read_text())
        if data.get("version") != VERSION or data.get("identity") != identity:
            raise ValueError(
                f"{path} belongs to another import ({data.get('identity')}); remove it or start"
                " without --resume"
            )
        return cls(
            path,
            identity,
            done=data["done"],
            in_flight={int(k): v for k, v in data.get("inFlight", {}).items()},
            imported=data["imported"],
            rejected=data["rejected"],
            resumed=True,
        )

    def is_done(self, row: int) -> bool:
        lo, hi = 0, len(self.done)
        while lo < hi:
            mid = (lo + hi) // 2
            first, last = self.done[mid]
            if row < first:
                hi = mid
            elif row > last:
                lo = mid + 1
            else:
                return True
        return False

    def orphans(self) -> set[int]:
        """Rows of batches that were in flight when an earlier run stopped, and not since done."""
        return {r for rows in self.in_flight.values() for r in rows if not self.is_done(r)}

    def sending(self, key: int, rows: list[int]) -> None:
        with self._lock:
            self.in_flight[key] = rows
            self._save()

    def finished(self, key: int | None, rows: Iterable[int], imported: int, rejected: int) -> None:
        with self._lock:
            if key is not None:
                self.in_flight.pop(key, None)
            for row in rows:
                self._add(row)
            self.imported += imported
            self.rejected += rejected
            self._save()

    def _add(self, row: int) -> None:
        ranges = self.done
        lo, hi = 0, len(ranges)
        while lo < hi:  # the first range ending at or after row - 1
            mid = (lo + hi) // 2
            if ranges[mid][1] < row - 1:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(ranges) and ranges[lo][0] <= row <= ranges[lo][1]:
            return
        if lo < len(ranges) and ranges[lo][1] == row - 1:
            ranges[lo][1] = row
            if lo + 1 < len(ranges) and ranges[lo + 1][0] == row + 1:
                ranges[lo][1] = ranges.pop(lo + 1)[1]
        elif lo < len(ranges) and ranges[lo][0] == row + 1:
            ranges[lo][0] = row
        else:
            ranges.insert(lo, [row, row])

    def _save(self) -> None:
        data = {
            "version": VERSION,
            "identity": self.identity,
            "done": self.done,
            "inFlight": {str(k): v for k, v in self.in_flight.items()},
            "imported": self.imported,
            "rejected": self.rejected,
        }
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w") as out:
            json.dump(data, out, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
