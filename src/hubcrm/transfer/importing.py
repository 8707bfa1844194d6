"""`hubcrm import`: rows of a file into a portal, in batches of up to 100, through the public API.

With an id property each batch is an upsert (`batch/upsert`, every input carrying its row number as
`objectWriteTraceId`, so that HubSpot can answer 207 and name the rows it refused); without one a
batch create. Rows that share an id are never in one batch (HubSpot refuses the whole batch for
that), and a batch waits while an earlier one holding any of its ids is in flight, so the file's
later row is always written last. When HubSpot refuses a whole batch (400) for rows it does not
name, the batch is halved until the refused rows stand alone; every other row is imported.
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from hubcrm.transfer import rows as rowio
from hubcrm.transfer.client import Answer, Client, OutcomeUnknown, TransferError
from hubcrm.transfer.progress import Progress
from hubcrm.transfer.state import ImportState

BATCH_SIZE = 100
ERROR_COLUMNS = ("row", "id", "category", "message")
LOCAL_CATEGORY = "INVALID_ROW"
UNKNOWN_CATEGORY = "OUTCOME_UNKNOWN"
UNKNOWN_MESSAGE = (
    "the batch create holding this row failed without an answer; it may or may not have been"
    " created, so it was not sent again"
)
# Whole-batch answers that mean "nothing of this batch was written, because of some of its rows".
REFUSED = (400, 409, 413, 422)


@dataclass
class Options:
    path: str
    object_type: str
    id_property: str | None
    renames: dict[str, str]
    concurrency: int
    errors_path: str
    state_path: str
    resume: bool
    file_format: str | None = None
    batch_size: int = BATCH_SIZE


@dataclass
class Summary:
    imported: int
    rejected: int
    seconds: float
    rate_limited: int = 0
    retried: int = 0

    def line(self) -> str:
        return (
            f"imported {self.imported}, rejected {self.rejected}, seconds {self.seconds:.1f}"
            f" (rate limited {self.rate_limited} times, retried {self.retried} times)"
        )


@dataclass
class _Input:
    row: int
    key: str | None  # the id value, as HubSpot compares it (None for creates)
    id: str | None
    properties: dict[str, str]


@dataclass
class _Rejection:
    row: int
    id: str | None
    category: str
    message: str


@dataclass
class _Batch:
    number: int
    inputs: list[_Input]
    rejected: list[_Rejection] = field(default_factory=list)


class Importer:
    def __init__(self, client: Client, options: Options, progress_stream: IO[str] | None) -> None:
        self.client = client
        self.options = options
        self.progress_stream = progress_stream
        self._errors_lock = threading.Lock()
        self._in_flight: dict[str, int] = {}
        self._in_flight_changed = threading.Condition()

    def run(self) -> Summary:
        started = time.monotonic()
        options = self.options
        state, known_errors = self._state()
        self._check_id_property()
        kind = rowio.file_format(options.path, options.file_format)
        progress = Progress("importing", self._count(kind), self.progress_stream)
        progress.advance(state.imported + state.rejected, state.rejected)
        mode = "a" if state.resumed else "w"
        with (
            open(options.errors_path, mode, newline="") as errors_file,
            open(options.path, newline="", encoding="utf-8-sig") as source,
        ):
            errors = csv.writer(errors_file, lineterminator="\n")
            if mode == "w" or errors_file.tell() == 0:
                errors.writerow(ERROR_COLUMNS)
            self._errors = (errors, errors_file, known_errors)
            self._state_ = state
            self._progress = progress
            try:
                self._run(rowio.read(source, kind, options.renames))
            finally:
                progress.close()
        stats = self.client.stats
        return Summary(
            state.imported,
            state.rejected,
            time.monotonic() - started,
            stats.rate_limited,
            stats.retried,
        )

    def _check_id_property(self) -> None:
        """Refuse at once an id property that cannot key an upsert: otherwise every batch would
        be refused whole, and halved down to single rows. A token that may not read property
        definitions skips the check."""
        name = self.options.id_property
        if name is None:
            return
        path = f"/crm/v3/properties/{self.options.object_type}/{name}"
        answer = self.client.request("GET", path)
        if answer.status == 404:
            category, message = answer.error()
            raise TransferError(f"--id-property {name}: {message or category}")
        body = answer.body if isinstance(answer.body, dict) else {}
        if answer.status == 200 and not body.get("hasUniqueValue") and name != "email":
            raise TransferError(
                f"--id-property {name} is not a unique property: upserts need email or a"
                " property with unique values"
            )

    def _state(self) -> tuple[ImportState, set[int]]:
        options = self.options
        identity = {
            "input": str(Path(options.path).resolve()),
            "objectType": options.object_type,
            "idProperty": options.id_property,
        }
        path = Path(options.state_path)
        if not options.resume or not path.exists():
            return ImportState(path, identity), set()
        state = ImportState.load(path, identity)
        known: set[int] = set()
        if Path(options.errors_path).exists():
            with open(options.errors_path, newline="") as existing:
                for line in csv.reader(existing):
                    if line and line[0].isdigit():
                        known.add(int(line[0]))
        return state, known

    def _count(self, kind: str) -> int:
        with open(self.options.path, newline="", encoding="utf-8-sig") as source:
            return sum(1 for _ in rowio.read(source, kind, {}))

    def _run(self, rows: Iterator[rowio.Row]) -> None:
        state = self._state_
        orphans = state.orphans() if self.options.id_property is None else set()
        pool = ThreadPoolExecutor(self.options.concurrency, "hubcrm-import")
        pending: set[Future[None]] = set()
        try:
            for batch in self._batches(rows, orphans):
                while len(pending) >= 2 * self.options.concurrency:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        future.result()
                self._claim(batch)
                pending.add(pool.submit(self._send, batch))
                for future in [f for f in pending if f.done()]:
                    pending.discard(future)
                    future.result()
            for future in pending:
                future.result()
        finally:
            # On a failure, batches not yet started stay unsent: --resume sends them.
            pool.shutdown(wait=True, cancel_futures=True)

    def _batches(self, rows: Iterator[rowio.Row], orphans: set[int]) -> Iterator[_Batch]:
        """Batches of inputs, none holding two rows with the same id; rows that cannot be sent
        go out as rejections with the next batch."""
        id_property = self.options.id_property
        number = 0
        current: list[_Input] = []
        keys: set[str] = set()
        held: list[_Input] = []  # rows whose id the current batch already holds
        rejected: list[_Rejection] = []
        for row in rows:
            if self._state_.is_done(row.number):
                continue
            if row.number in orphans:
                rejected.append(_Rejection(row.number, None, UNKNOWN_CATEGORY, UNKNOWN_MESSAGE))
                continue
            item = self._input(row, id_property)
            if isinstance(item, _Rejection):
                rejected.append(item)
                continue
            if item.key is not None and item.key in keys:
                held.append(item)
                continue
            current.append(item)
            if item.key is not None:
                keys.add(item.key)
            if len(current) >= self.options.batch_size:
                number += 1
                yield _Batch(number, current, rejected)
                current, keys, rejected = [], set(), []
                again, held = held, []
                for item in again:
                    if item.key in keys:
                        held.append(item)
                    else:
                        current.append(item)
                        keys.add(item.key or "")
        while current or held or rejected:
            number += 1
            yield _Batch(number, current, rejected)
            current, keys, rejected = [], set(), []
            again, held = held, []
            for item in again:
                if item.key in keys:
                    held.append(item)
                else:
                    current.append(item)
                    keys.add(item.key or "")

    def _input(self, row: rowio.Row, id_property: str | None) -> _Input | _Rejection:
        if row.problem is not None:
            return _Rejection(row.number, None, LOCAL_CATEGORY, row.problem)
        if id_property is None:
            return _Input(row.number, None, None, row.properties)
        value = row.properties.pop(id_property, "").strip()
        if not value:
            return _Rejection(
                row.number, None, LOCAL_CATEGORY, f"the row has no value for {id_property}"
            )
        # HubSpot compares ids case-insensitively for email; splitting more batches than needed
        # for another property costs little.
        return _Input(row.number, value.lower(), value, row.properties)

    def _claim(self, batch: _Batch) -> None:
        """Wait until no batch in flight holds one of this batch's ids, then hold them."""
        keys = [i.key for i in batch.inputs if i.key is not None]
        with self._in_flight_changed:
            self._in_flight_changed.wait_for(lambda: not any(k in self._in_flight for k in keys))
            for key in keys:
                self._in_flight[key] = batch.number

    def _release(self, batch: _Batch) -> None:
        with self._in_flight_changed:
            for item in batch.inputs:
                if item.key is not None:
                    self._in_flight.pop(item.key, None)
            self._in_flight_changed.notify_all()

    def _send(self, batch: _Batch) -> None:
        creating = self.options.id_property is None
        try:
            if creating and batch.inputs:
                self._state_.sending(batch.number, [i.row for i in batch.inputs])
            imported, rejected = self._write(batch.inputs) if batch.inputs else (0, [])
        finally:
            self._release(batch)
        rejected += batch.rejected
        self._report(rejected)
        rows = [i.row for i in batch.inputs] + [r.row for r in batch.rejected]
        self._state_.finished(batch.number if creating else None, rows, imported, len(rejected))
        self._progress.advance(len(rows), len(rejected))

    def _write(self, inputs: list[_Input]) -> tuple[int, list[_Rejection]]:
        """Write inputs; the number imported and the rows refused."""
        try:
            answer = self._post(inputs)
        except OutcomeUnknown:
            return 0, [_Rejection(i.row, i.id, UNKNOWN_CATEGORY, UNKNOWN_MESSAGE) for i in inputs]
        if answer.status in (200, 201, 207):
            refused = self._refused_in(answer, inputs)
            return len(inputs) - len(refused), refused
        if answer.status in (401, 403, 404):
            category, message = answer.error()
            raise TransferError(f"HubSpot answered {answer.status} {category}: {message}")
        if answer.status not in REFUSED:
            category, message = answer.error()
            raise TransferError(f"unexpected answer {answer.status} {category}: {message}")
        named = self._named_rows(answer, inputs)
        if named:
            rejections = [self._rejection(i, answer) for i in inputs if i.row in named]
            imported, more = self._write([i for i in inputs if i.row not in named])
            return imported, rejections + more
        if len(inputs) == 1:
            return 0, [self._rejection(inputs[0], answer)]
        half = len(inputs) // 2
        first, first_refused = self._write(inputs[:half])
        second, second_refused = self._write(inputs[half:])
        return first + second, first_refused + second_refused

    def _post(self, inputs: list[_Input]) -> Answer:
        base = f"/crm/v3/objects/{self.options.object_type}/batch/"
        if self.options.id_property is None:
            body = [{"properties": i.properties, "objectWriteTraceId": str(i.row)} for i in inputs]
            return self.client.request("POST", base + "create", {"inputs": body}, idempotent=False)
        upserts = [
            {
                "idProperty": self.options.id_property,
                "id": i.id,
                "properties": i.properties,
                "objectWriteTraceId": str(i.row),
            }
            for i in inputs
        ]
        return self.client.request("POST", base + "upsert", {"inputs": upserts})

    def _refused_in(self, answer: Answer, inputs: list[_Input]) -> list[_Rejection]:
        body = answer.body if isinstance(answer.body, dict) else {}
        by_row = {str(i.row): i for i in inputs}
        refused: dict[int, _Rejection] = {}
        for error in body.get("errors") or []:
            for trace in _context(error, "objectWriteTraceId"):
                item = by_row.get(trace)
                if item is not None and item.row not in refused:
                    refused[item.row] = _Rejection(
                        item.row,
                        item.id,
                        str(error.get("category") or "UNKNOWN"),
                        str(error.get("message") or ""),
                    )
        errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
        if answer.status == 207 and errors and isinstance(body.get("results"), list):
            # Errors that name no trace id: the rows missing from the results are the refused.
            results = [r for r in body["results"] if isinstance(r, dict)]
            written = {str(r.get("objectWriteTraceId")) for r in results}
            category, message = errors[0].get("category"), errors[0].get("message")
            for item in inputs:
                if str(item.row) not in written and item.row not in refused:
                    refused[item.row] = _Rejection(
                        item.row, item.id, str(category or "UNKNOWN"), str(message or "")
                    )
        return sorted(refused.values(), key=lambda r: r.row)

    def _named_rows(self, answer: Answer, inputs: list[_Input]) -> set[int]:
        """The rows a whole-batch refusal names, by trace id (or id, when every input has one)."""
        body = answer.body if isinstance(answer.body, dict) else {}
        traces = set(_context(body, "objectWriteTraceId"))
        for error in body.get("errors") or []:
            traces.update(_context(error, "objectWriteTraceId"))
        named = {i.row for i in inputs if str(i.row) in traces}
        return named if len(named) < len(inputs) else set()

    def _rejection(self, item: _Input, answer: Answer) -> _Rejection:
        category, message = answer.error()
        return _Rejection(item.row, item.id, category, message)

    def _report(self, rejected: list[_Rejection]) -> None:
        if not rejected:
            return
        writer, stream, known = self._errors
        with self._errors_lock:
            for item in sorted(rejected, key=lambda r: r.row):
                if item.row not in known:
                    writer.writerow([item.row, item.id or "", item.category, item.message])
            stream.flush()


def _context(error: Any, name: str) -> list[str]:
    context = error.get("context") if isinstance(error, dict) else None
    values = context.get(name) if isinstance(context, dict) else None
    return [str(v) for v in values] if isinstance(values, list) else []
