"""Batch upsert throughput and latency of a real `hubcrm serve`, against the storage baseline.

    python -m benchmarks.upsert [--database sqlite] [--existing 0,100000,1000000]
                                [--connections 1,8,32] [--batches 300]

For each size of existing data: a fresh database seeded in process (not through HTTP), a
`hubcrm serve` started as a user would, the same batches at each concurrency, then the baseline
(benchmarks/baseline.py) writing those batches straight into the engine. Speeds are reported
as ratios to the baseline measured in the same run: on a noisy machine only those hold.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.server import LiveServer

from benchmarks import baseline, load
from benchmarks.workload import BATCH, batches, upsert_body
from hubcrm import auth, portals
from hubcrm.clock import SystemClock
from hubcrm.objects import CONTACTS
from hubcrm.records import Actor, Records
from hubcrm.store import open_store
from hubcrm.wire import UpsertInput

UPSERT = "/crm/v3/objects/contacts/batch/upsert"


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
    baseline_contacts_per_s: float
    peak_rss_mb: float

    @property
    def ratio(self) -> float:
        return self.contacts_per_s / self.baseline_contacts_per_s


async def seed(url: str, existing: int) -> str:
    """Create a portal, a token and `existing` contacts through the domain, not HTTP."""
    store = await open_store(url)
    clock = SystemClock()
    try:
        portal_id = await portals.create_portal(store, clock)
        secret, token = await auth.issue_token(store, clock, portal_id)
        records = Records(store, clock)
        actor = Actor(portal_id, str(token.token_id))
        for rows in batches(10**9, existing // BATCH, seed=1):
            inputs = [UpsertInput(id=k, id_property="email", properties=dict(p)) for k, p in rows]
            await records.batch_upsert(actor, CONTACTS, inputs)
    finally:
        await store.close()
    return secret


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(existing: int, connections: list[int], count: int, folder: Path) -> list[Row]:
    url = f"sqlite:///{folder / f'hubcrm-{existing}.db'}"
    started = time.perf_counter()
    token = asyncio.run(seed(url, existing))
    print(
        f"  seeded {existing:,} contacts in {time.perf_counter() - started:.1f}s", file=sys.stderr
    )
    work = list(batches(0, count * len(connections)))
    server = LiveServer(url).start()
    rows = []
    try:
        assert server.process is not None
        for n, conns in enumerate(connections):
            mine = work[n * count : (n + 1) * count]
            bodies = [
                load.encode_request(server.base_url, UPSERT, token, upsert_body(b)) for b in mine
            ]
            result = asyncio.run(load.run(server.base_url, bodies, conns))
            contacts = sum(len(b) for b in mine)
            rows.append(
                Row(
                    existing=existing,
                    connections=conns,
                    contacts_per_s=contacts / result.elapsed,
                    batches_per_s=len(mine) / result.elapsed,
                    p50_ms=result.percentile(50) * 1000,
                    p95_ms=result.percentile(95) * 1000,
                    p99_ms=result.percentile(99) * 1000,
                    errors=sum(v for k, v in result.statuses.items() if k >= 300),
                    generator_cpu=result.cpu / result.elapsed,
                    baseline_contacts_per_s=0.0,
                    peak_rss_mb=peak_rss_mb(server.process.pid),
                )
            )
    finally:
        server.stop()
    base = baseline_speed(existing, work[:count], folder)
    for row in rows:
        row.baseline_contacts_per_s = base
    return rows


def baseline_speed(existing: int, work: list[baseline.Rows], folder: Path) -> float:
    conn = baseline.sqlite_connect(str(folder / f"baseline-{existing}.db"))
    try:
        baseline.sqlite_seed(conn, batches(10**9, existing // BATCH, seed=1))
        latencies = baseline.sqlite_run(conn, work)
    finally:
        conn.close()
    return sum(len(b) for b in work) / sum(latencies)


def report(rows: list[Row]) -> str:
    lines = [
        "| existing | conns | contacts/s | batches/s | p50 ms | p95 ms | p99 ms | errors "
        "| baseline contacts/s | ratio | generator CPU | server peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.existing:,} | {r.connections} | {r.contacts_per_s:,.0f} | {r.batches_per_s:.1f}"
            f" | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors}"
            f" | {r.baseline_contacts_per_s:,.0f} | {r.ratio:.2f} | {r.generator_cpu:.0%}"
            f" | {r.peak_rss_mb:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite", choices=["sqlite"])
    parser.add_argument("--existing", default="0,100000,1000000")
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--batches", type=int, default=300, help="batches per concurrency level")
    args = parser.parse_args()
    connections = [int(c) for c in args.connections.split(",")]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="hubcrm-bench-") as tmp:
        for existing in (int(e) for e in args.existing.split(",")):
            print(f"existing contacts: {existing:,}", file=sys.stderr)
            rows += measure(existing, connections, args.batches, Path(tmp))
    print(report(rows))
    ratios = [r.ratio for r in rows if r.connections == 8]
    if ratios:
        print(f"\nmedian ratio to baseline at 8 connections: {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
