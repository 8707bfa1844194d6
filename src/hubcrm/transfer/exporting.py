"""`hubcrm export`: every record of an object type, page by page through the list API, into a CSV or
JSON Lines file.

Without --properties it exports every property whose value can be written (the definitions'
`modificationMetadata.readOnlyValue` is false), so that importing the file into another portal
reproduces the records' current values. When the properties would make the list URL too long
for servers to accept, it pages through ids alone and reads the values with `batch/read`, whose
properties travel in the body.
"""

from __future__ import annotations

import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from hubcrm.transfer import rows as rowio
from hubcrm.transfer.client import Answer, Client, TransferError
from hubcrm.transfer.progress import Progress

PAGE_SIZE = 100
MAX_QUERY_CHARS = 6000


@dataclass
class Options:
    object_type: str
    properties: list[str] | None
    file_format: str
    archived: bool
    output: str | None


@dataclass
class Summary:
    exported: int
    seconds: float

    def line(self) -> str:
        return f"exported {self.exported}, seconds {self.seconds:.1f}"


class Exporter:
    def __init__(self, client: Client, options: Options, progress_stream: IO[str] | None) -> None:
        self.client = client
        self.options = options
        self.progress_stream = progress_stream

    def run(self) -> Summary:
        started = time.monotonic()
        columns = self.options.properties or self._writable_properties()
        progress = Progress("exporting", self._total(), self.progress_stream)
        try:
            if self.options.output is None:
                exported = self._write(sys.stdout, columns, progress)
            else:
                with open(self.options.output, "w", newline="", encoding="utf-8") as out:
                    exported = self._write(out, columns, progress)
        finally:
            progress.close()
        return Summary(exported, time.monotonic() - started)

    def _write(self, out: IO[str], columns: list[str], progress: Progress) -> int:
        writer = rowio.Writer(out, self.options.file_format, columns)
        exported = 0
        for page in self._pages(columns):
            for record in page:
                writer.write(record.get("properties") or {})
            exported += len(page)
            progress.advance(len(page))
        out.flush()
        return exported

    def _writable_properties(self) -> list[str]:
        answer = self._get(f"/crm/v3/properties/{self._type}")
        names = [
            str(p["name"])
            for p in answer.body.get("results", [])
            if not (p.get("modificationMetadata") or {}).get("readOnlyValue")
        ]
        return sorted(names)

    def _total(self) -> int | None:
        """How many records there are, by a search (progress only: None when unknown)."""
        if self.options.archived:
            return None
        try:
            answer = self.client.request(
                "POST", f"/crm/v3/objects/{self._type}/search", {"limit": 1}
            )
        except TransferError:
            return None
        total = answer.body.get("total") if isinstance(answer.body, dict) else None
        return total if answer.status == 200 and isinstance(total, int) else None

    def _pages(self, columns: list[str]) -> Iterator[list[dict[str, Any]]]:
        wanted = "".join(f"&properties={urllib.parse.quote(c)}" for c in columns)
        by_batch_read = len(wanted) > MAX_QUERY_CHARS
        query = f"limit={PAGE_SIZE}" + ("&properties=hs_object_id" if by_batch_read else wanted)
        if self.options.archived:
            query += "&archived=true"
        after: str | None = None
        while True:
            cursor = f"&after={urllib.parse.quote(after)}" if after else ""
            body = self._get(f"/crm/v3/objects/{self._type}?{query}{cursor}").body
            results = list(body.get("results") or [])
            if by_batch_read and results:
                results = self._read([str(r["id"]) for r in results], columns)
            yield results
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def _read(self, ids: list[str], columns: list[str]) -> list[dict[str, Any]]:
        path = f"/crm/v3/objects/{self._type}/batch/read"
        if self.options.archived:
            path += "?archived=true"
        body = {"inputs": [{"id": i} for i in ids], "properties": columns}
        answer = self.client.request("POST", path, body)
        self._check(answer)
        found = {str(r["id"]): r for r in answer.body.get("results") or []}
        return [found[i] for i in ids if i in found]

    def _get(self, path: str) -> Answer:
        answer = self.client.request("GET", path)
        self._check(answer)
        return answer

    def _check(self, answer: Answer) -> None:
        if answer.status not in (200, 207) or not isinstance(answer.body, dict):
            category, message = answer.error()
            raise TransferError(f"HubSpot answered {answer.status} {category}: {message}")

    @property
    def _type(self) -> str:
        return urllib.parse.quote(self.options.object_type, safe="")
