"""Reading an import file as a stream of rows, and writing an export file.

A row's number is its place among the file's records, from 1 (a CSV's header row is not counted,
nor are a JSON Lines file's blank lines).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any


@dataclass
class Row:
    number: int
    properties: dict[str, str]
    problem: str | None = None  # why the row cannot be sent at all


def file_format(path: str, declared: str | None) -> str:
    if declared:
        return declared
    return "jsonl" if path.lower().endswith((".jsonl", ".ndjson", ".json")) else "csv"


def read(stream: IO[str], kind: str, renames: Mapping[str, str]) -> Iterator[Row]:
    """The file's rows, one at a time; columns renamed by `renames`; empty values left out."""
    source = _csv_rows(stream) if kind == "csv" else _jsonl_rows(stream)
    for number, values, problem in source:
        if problem is not None:
            yield Row(number, {}, problem)
            continue
        properties = {
            renames.get(name, name): value for name, value in values.items() if value not in ("",)
        }
        yield Row(number, properties)


def _csv_rows(stream: IO[str]) -> Iterator[tuple[int, dict[str, str], str | None]]:
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    for number, cells in enumerate(reader, start=1):
        if len(cells) > len(header):
            yield number, {}, f"the row has {len(cells)} cells but the header {len(header)}"
            continue
        yield number, {name: cell for name, cell in zip(header, cells, strict=False) if name}, None


def _jsonl_rows(stream: IO[str]) -> Iterator[tuple[int, dict[str, str], str | None]]:
    number = 0
    for line in stream:
        if not line.strip():
            continue
        number += 1
        try:
            value = json.loads(line)
        except ValueError as error:
            yield number, {}, f"the line is not JSON: {error}"
            continue
        if isinstance(value, dict) and isinstance(value.get("properties"), dict):
            value = value["properties"]  # a record as the API returns it
        if not isinstance(value, dict):
            yield number, {}, "the line is not a JSON object of properties"
            continue
        yield number, {k: _text(v) for k, v in value.items() if v is not None}, None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, list | dict) else str(value)


class Writer:
    """Records out as CSV (a header of the properties) or JSON Lines (an object per record)."""

    def __init__(self, stream: IO[str], kind: str, columns: list[str]) -> None:
        self._stream = stream
        self._kind = kind
        self._columns = columns
        self._csv = csv.writer(stream, lineterminator="\n") if kind == "csv" else None
        if self._csv is not None:
            self._csv.writerow(columns)

    def write(self, properties: Mapping[str, str | None]) -> None:
        if self._csv is not None:
            self._csv.writerow([properties.get(c) or "" for c in self._columns])
        else:
            row = {c: properties.get(c) for c in self._columns}
            self._stream.write(json.dumps(row, ensure_ascii=False) + "\n")
