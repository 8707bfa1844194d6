"""Batch upsert throughput and latency of a real `hubcrm serve`, against the storage baseline.

    python -m benchmarks.upsert [--database sqlite|postgresql://user@host:port/db]
                                [--existing 0,100000,1000000] [--connections 1,8,32]
                                [--batches 100] [--rounds 3] [--workers N] [--no-reads]
                                [--object contacts|deals]

For each size of existing data: fresh databases seeded in process (not through HTTP), a
`hubcrm serve` started as a user would, then at each concurrency `--rounds` rounds of
`--batches` batches, each round followed by the baseline (benchmarks/baseline.py) writing the
same batches straight into the engine. Alternating the two keeps each ratio a comparison made
side by side: on a noisy machine only those hold. hubcrm catches search up behind its writes
(src/hubcrm/domain/records/indexer.py), for the properties searches have named: after each round
one search by email, which answers only once search has caught up with every write before it, is
timed before the baseline starts, and a second ratio counts that time too. At the largest size
it then measures read, list and search latency (benchmarks/reads.py). A PostgreSQL URL names a
server and a database to connect to for administration; the benchmark creates its own databases
there and drops them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from tests.server import LiveServer

from benchmarks import baseline, load, reads
from benchmarks.baseline import Baseline, PostgresBaseline, Rows, SQLiteBaseline
from benchmarks.workload import BATCH, KINDS, Kind, batches, upsert_body
from hubcrm.domain import auth, portals
from hubcrm.domain.clock import SystemClock
from hubcrm.domain.objects import object_type
from hubcrm.domain.properties import PropertyDefinitions
from hubcrm.domain.records import Actor, Records
from hubcrm.protocol.wire import PropertyCreate, UpsertInput
from hubcrm.store import open_store


def catch_up_search(kind: Kind) -> bytes:
    """A search by the records' key, as integrations search (contacts by email): answered once
    search knows every record written before it. Search keeps rows only for properties
    searched, here the key's."""
    return (
        b'{"filterGroups": [{"filters": [{"propertyName": "%s", "operator": "EQ",'
        b' "value": "nobody"}]}], "limit": 1}' % kind.id_property.encode()
    )


SEED_FIRST = 10**9  # seeded contacts are numbered apart from the measured ones


class Engine(Protocol):
    """Where the benchmark's databases live."""

    async def database(self, name: str) -> str:
        """The URL of a new, empty database."""

    async def baseline(self, name: str) -> Baseline: ...

    async def seeded(self, url: str) -> None:
        """Called once a database is seeded."""


class SQLiteEngine:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def database(self, name: str) -> str:
        return f"sqlite:///{self.folder / f'{name}.db'}"

    async def baseline(self, name: str) -> Baseline:
        return SQLiteBaseline(str(self.folder / f"{name}.db"))

    async def seeded(self, url: str) -> None:
        return None  # SQLite plans without gathered statistics


class PostgresEngine:
    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def _url(self, database: str) -> str:
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{database}"))

    async def _create(self, name: str) -> str:
        import asyncpg

        database = f"hubcrm_bench_{os.getpid()}_{name.replace('-', '_')}"
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()
        self.created.append(database)
        return self._url(database)

    async def database(self, name: str) -> str:
        return await self._create(name)

    async def baseline(self, name: str) -> Baseline:
        return await PostgresBaseline.open(await self._create(name))

    async def seeded(self, url: str) -> None:
        """After a bulk load, statistics for the planner, as a user would gather them."""
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()

    async def drop_all(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            for database in self.created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await conn.close()


@asynccontextmanager
async def engine_for(database: str) -> AsyncIterator[Engine]:
    if database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="hubcrm-bench-") as tmp:
            yield SQLiteEngine(Path(tmp))
    else:
        engine = PostgresEngine(database)
        try:
            yield engine
        finally:
            await engine.drop_all()


@dataclass
class Row:
    existing: int
    connections: int
    contacts_per_s: float
    batches_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    generator_cpu: float  # share of one core the load generator used
    server_cpu_ms: float  # server CPU time per batch, all threads and processes
    baseline_contacts_per_s: float
    ratio: float  # median over rounds of hubcrm's speed over the baseline's, side by side
    catch_up_ms: float  # mean time for search to catch up after a round
    ratio_searchable: float  # the ratio, counting each round until search had caught up
    peak_rss_mb: float


async def seed_hubcrm(url: str, existing: int, kind: Kind) -> str:
    """Create a portal, a token and `existing` records through the domain, not HTTP."""
    store = await open_store(url)
    clock = SystemClock()
    try:
        portal_id = await portals.create_portal(store, clock)
        secret, token = await auth.issue_token(store, clock, portal_id)
        records = Records(store, clock)
        actor = Actor(portal_id, str(token.token_id))
        written = object_type(kind.name)
        if kind.custom_key:
            key = PropertyCreate(
                name=kind.id_property,
                label="Benchmark key",
                type="string",
                field_type="text",
                group_name=f"{written.label.lower()}information",
                has_unique_value=True,
            )
            await PropertyDefinitions(store, clock).create(portal_id, written, key)
        # Many batches in flight, as from many clients: their writes share commits.
        in_flight = asyncio.Semaphore(16)

        async def upsert(rows: Rows) -> None:
            inputs = [
                UpsertInput(id=k, id_property=kind.id_property, properties=dict(p)) for k, p in rows
            ]
            async with in_flight:
                await records.batch_upsert(actor, written, inputs)

        pending: set[asyncio.Task[None]] = set()
        for rows in seed_batches(existing, kind):
            if len(pending) >= 64:
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            pending.add(asyncio.create_task(upsert(rows)))
        for task in pending:
            await task
        await records.indexer.catch_up(portal_id, written)
        await records.indexer.prepare(portal_id, written, {kind.id_property})
    finally:
        await store.close()
    return secret


def seed_batches(existing: int, kind: Kind) -> Iterator[Rows]:
    """`existing` new contacts, numbered from SEED_FIRST: record ids 1 to `existing`."""
    return batches(SEED_FIRST, existing // BATCH, seed=1, updates_per_batch=0, kind=kind)


def _process_tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            pids += _process_tree(int(child))
    return pids


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory of the server, summed over its worker processes."""
    total = 0
    for process in _process_tree(pid):
        for line in Path(f"/proc/{process}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    ticks = 0
    for process in _process_tree(pid):
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def run_baseline(base: Baseline, work: list[Rows]) -> float:
    started = time.perf_counter()
    for batch in work:
        await base.write(batch)
    return time.perf_counter() - started


@dataclass
class Setup:
    connections: list[int]
    count: int  # batches per round
    rounds: int
    serve_args: list[str]
    kind: Kind


@dataclass
class Ratios:
    """Per round: baseline time over hubcrm's, until its writes were acknowledged and until
    search had caught up with them; and how long that catching up took (seconds)."""

    acknowledged: list[float]
    searchable: list[float]
    catch_ups: list[float]


@dataclass
class Measured:
    rows: list[Row]
    startup: float  # seconds from starting `hubcrm serve` to its first answer
    reads: list[reads.ReadRow]


async def measure(engine: Engine, existing: int, setup: Setup, with_reads: bool) -> Measured:
    """Every concurrency at this size, and then (if asked) read and search latency."""
    url = await engine.database(f"hubcrm-{existing}")
    base = await engine.baseline(f"baseline-{existing}")
    started = time.perf_counter()
    kind = setup.kind
    token = await seed_hubcrm(url, existing, kind)
    await baseline.seed(base, seed_batches(existing, kind))
    await engine.seeded(url)
    print(
        f"  seeded {existing:,} contacts twice in {time.perf_counter() - started:.0f}s",
        file=sys.stderr,
    )
    stream = iter(batches(0, setup.count * setup.rounds * len(setup.connections), kind=kind))
    upsert = f"/crm/v3/objects/{kind.name}/batch/upsert"
    search = f"/crm/v3/objects/{kind.name}/search"
    started = time.perf_counter()
    server = LiveServer(url, *setup.serve_args).start()
    startup = time.perf_counter() - started
    rows = []
    try:
        assert server.process is not None
        pid = server.process.pid
        for conns in setup.connections:
            results: list[load.LoadResult] = []
            ratios, searchable, catch_ups, base_elapsed, cpu = [], [], [], 0.0, 0.0
            catch_up = load.encode_request(server.base_url, search, token, catch_up_search(kind))
            for _ in range(setup.rounds):
                work = [next(stream) for _ in range(setup.count)]
                bodies = [
                    load.encode_request(
                        server.base_url, upsert, token, upsert_body(b, kind.id_property)
                    )
                    for b in work
                ]
                cpu_before = cpu_seconds(pid)
                result = await load.run(server.base_url, bodies, conns)
                searched = await load.run(server.base_url, [catch_up], 1)
                if searched.statuses != {200: 1}:
                    raise RuntimeError(f"the catch-up search failed: {searched.statuses}")
                caught_up = searched.elapsed
                cpu += cpu_seconds(pid) - cpu_before
                elapsed = await run_baseline(base, work)
                results.append(result)
                base_elapsed += elapsed
                catch_ups.append(caught_up)
                ratios.append(elapsed / result.elapsed)
                searchable.append(elapsed / (result.elapsed + caught_up))
            rows.append(
                summarise(
                    existing,
                    conns,
                    results,
                    setup,
                    base_elapsed,
                    Ratios(ratios, searchable, catch_ups),
                    cpu,
                    pid,
                )
            )
        read_rows = (
            await reads.measure(server.base_url, token, SEED_FIRST, existing) if with_reads else []
        )
    finally:
        server.stop()
        await base.close()
    return Measured(rows, startup, read_rows)


def summarise(
    existing: int,
    conns: int,
    results: list[load.LoadResult],
    setup: Setup,
    base_elapsed: float,
    ratios: Ratios,
    cpu: float,
    pid: int,
) -> Row:
    merged = load.LoadResult()
    for result in results:
        merged.latencies += result.latencies
        merged.elapsed += result.elapsed
        merged.cpu += result.cpu
        for status, n in result.statuses.items():
            merged.statuses[status] = merged.statuses.get(status, 0) + n
    count = setup.count * setup.rounds
    return Row(
        existing=existing,
        connections=conns,
        contacts_per_s=count * BATCH / merged.elapsed,
        batches_per_s=count / merged.elapsed,
        p50_ms=merged.percentile(50) * 1000,
        p95_ms=merged.percentile(95) * 1000,
        p99_ms=merged.percentile(99) * 1000,
        errors=sum(n for status, n in merged.statuses.items() if status >= 300),
        generator_cpu=merged.cpu / merged.elapsed,
        server_cpu_ms=cpu / count * 1000,
        baseline_contacts_per_s=count * BATCH / base_elapsed,
        ratio=statistics.median(ratios.acknowledged),
        catch_up_ms=statistics.mean(ratios.catch_ups) * 1000,
        ratio_searchable=statistics.median(ratios.searchable),
        peak_rss_mb=peak_rss_mb(pid),
    )


def report(rows: list[Row], startups: list[float]) -> str:
    lines = [
        "| existing | conns | contacts/s | batches/s | p50 ms | p95 ms | p99 ms | errors"
        " | server CPU ms/batch | baseline contacts/s | ratio | search catch-up ms"
        " | ratio until searchable | generator CPU | server peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.existing:,} | {r.connections} | {r.contacts_per_s:,.0f} | {r.batches_per_s:.1f}"
            f" | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors}"
            f" | {r.server_cpu_ms:.1f} | {r.baseline_contacts_per_s:,.0f} | {r.ratio:.2f}"
            f" | {r.catch_up_ms:.0f} | {r.ratio_searchable:.2f}"
            f" | {r.generator_cpu:.0%} | {r.peak_rss_mb:.0f} |"
        )
    lines.append("")
    lines.append(
        f"`hubcrm serve` ready to answer after: {', '.join(f'{s:.2f}s' for s in startups)}"
    )
    by_size: dict[int, dict[int, Row]] = {}
    for r in rows:
        by_size.setdefault(r.existing, {})[r.connections] = r
    smallest, largest = min(by_size), max(by_size)
    for conns, row in by_size[largest].items():
        if largest != smallest and conns in by_size[smallest]:
            empty = by_size[smallest][conns]
            lines.append(
                f"at {conns} connections, {largest:,} existing contacts run at"
                f" {row.contacts_per_s / empty.contacts_per_s:.2f}x the speed at {smallest:,}"
            )
    return "\n".join(lines)


async def run(args: Any) -> str:
    setup = Setup(
        connections=[int(c) for c in args.connections.split(",")],
        count=args.batches,
        rounds=args.rounds,
        serve_args=["--workers", str(args.workers)] if args.workers > 1 else [],
        kind=KINDS[args.object],
    )
    sizes = [int(e) for e in args.existing.split(",")]
    rows: list[Row] = []
    startups: list[float] = []
    read_report = ""
    async with engine_for(args.database) as engine:
        for existing in sizes:
            print(f"existing {args.object}: {existing:,}", file=sys.stderr)
            # Read and search latency are measured on contacts (benchmarks/reads.py).
            with_reads = args.reads and existing == sizes[-1] and args.object == "contacts"
            measured = await measure(engine, existing, setup, with_reads)
            rows += measured.rows
            startups.append(measured.startup)
            if measured.reads:
                read_report = "\n\n" + reads.report(measured.reads, existing)
    return report(rows, startups) + read_report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a postgresql:// URL")
    parser.add_argument("--existing", default="0,100000,1000000")
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--batches", type=int, default=100, help="batches per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per concurrency")
    parser.add_argument("--workers", type=int, default=1, help="hubcrm serve --workers")
    parser.add_argument("--object", choices=sorted(KINDS), default="contacts", help="what to write")
    parser.add_argument(
        "--no-reads",
        dest="reads",
        action="store_false",
        help="skip read and search latency at the largest size",
    )
    args = parser.parse_args()
    if args.database != "sqlite" and not args.database.startswith(("postgresql:", "postgres:")):
        parser.error("--database is sqlite or a postgresql:// URL")
    print(asyncio.run(run(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
