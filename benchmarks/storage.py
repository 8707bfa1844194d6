"""What one batch upsert costs the database at a portal size, without HTTP in the way.

    python -m benchmarks.storage [--database postgresql://postgres@127.0.0.1:5432/postgres]
                                 [--existing 300000] [--batches 220] [--in-flight 8]
                                 [--rounds 2] [--before SQL]...

A portal of `--existing` contacts is seeded once through the domain. Each round then measures
every variant on a fresh copy of it (PostgreSQL: `CREATE DATABASE ... TEMPLATE`; SQLite: a copy
of the file): `Records.batch_upsert` called in process with `--in-flight` batches at a time, the
benchmark's workload (half new contacts, half updates of contacts written earlier in the run),
no server and no search catching up. The first 20 batches warm the caches and are not counted.

Reported per batch: hubcrm's CPU (this process), PostgreSQL's CPU (every `postgres` process on
the machine, read from /proc, so the server must be local and otherwise idle), and the WAL it
wrote (`pg_stat_wal`), with the relations whose pages it logged most, read back with
`pg_walinspect` (PostgreSQL 15's contrib). A checkpoint runs before each measurement, so every
page a batch first touches is logged whole, as it is after any checkpoint.

Each `--before` is a variant: SQL run on the copy before measuring (drop an index, change a
table's storage, `ALTER DATABASE {database} SET` a setting, `{database}` naming the copy). The
copy with nothing run is always measured too, and the variants alternate with it, round after
round.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from benchmarks.upsert import seed_hubcrm
from benchmarks.workload import CONTACTS, batches
from hubcrm.domain.clock import SystemClock
from hubcrm.domain.objects import object_type
from hubcrm.domain.records import Actor, Records
from hubcrm.protocol.wire import UpsertInput
from hubcrm.store import open_store

WARM = 20
_RELATION = re.compile(r"rel \d+/\d+/(\d+)")


@dataclass
class Cost:
    variant: str
    batches_per_s: float
    hubcrm_cpu_ms: float
    postgres_cpu_ms: float | None
    wal_kib: float | None
    fpi: float | None
    relations: list[tuple[str, float, float]]  # name, full-page KiB, all KiB per batch


def postgres_cpu() -> float:
    """CPU seconds of every postgres process on this machine."""
    pids = subprocess.run(
        ["pgrep", "-x", "postgres"], capture_output=True, text=True
    ).stdout.split()
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    times = os.times()
    return times.user + times.system


async def upsert_all(
    url: str, portal_id: int, count: int, in_flight: int, server_cpu: Callable[[], float]
) -> tuple[float, float, float]:
    """Write `count` batches after the warm-up ones: seconds, hubcrm's and the server's CPU
    seconds (read while the store's connections are open)."""
    store = await open_store(url)
    try:
        records = Records(store, SystemClock())
        actor = Actor(portal_id, "storage-benchmark")
        contacts = object_type("contacts")
        slots = asyncio.Semaphore(in_flight)

        async def upsert(rows: list[tuple[str, dict[str, str]]]) -> None:
            inputs = [UpsertInput(id=k, id_property="email", properties=dict(p)) for k, p in rows]
            async with slots:
                await records.batch_upsert(actor, contacts, inputs)

        work = list(batches(0, WARM + count))
        for rows in work[:WARM]:
            await upsert(rows)
        started, cpu, server = time.perf_counter(), own_cpu(), server_cpu()
        await asyncio.gather(*(upsert(rows) for rows in work[WARM:]))
        seconds = time.perf_counter() - started
        return seconds, own_cpu() - cpu, server_cpu() - server
    finally:
        await store.close()


def _database_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def postgres_cost(admin_url: str, seed: str, variant: str, count: int, n: int) -> Cost:
    copy = f"{seed}_copy"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"CREATE DATABASE {copy} TEMPLATE {seed}")
        url = _database_url(admin_url, copy)
        conn = await asyncpg.connect(url)
        try:
            if variant:
                await conn.execute(variant.replace("{database}", copy))
            await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            portal_id = await conn.fetchval("SELECT min(portal_id) FROM portals")
            await conn.execute("CHECKPOINT")
            start = await conn.fetchval("SELECT pg_current_wal_lsn()")
            wal = await conn.fetchrow("SELECT wal_fpi, wal_bytes FROM pg_stat_wal")
            seconds, cpu, pg_cpu = await upsert_all(url, portal_id, count, n, postgres_cpu)
            after = await conn.fetchrow("SELECT wal_fpi, wal_bytes FROM pg_stat_wal")
            end = await conn.fetchval("SELECT pg_current_wal_lsn()")
            names = {
                str(row[0]): row[1]
                for row in await conn.fetch(
                    "SELECT pg_relation_filenode(oid), relname FROM pg_class"
                    " WHERE relnamespace = 'public'::regnamespace"
                )
            }
            by_relation: dict[str, list[float]] = {}
            for row in await conn.fetch(
                "SELECT block_ref, fpi_length, record_length FROM pg_get_wal_records_info($1, $2)",
                start,
                end,
            ):
                found = _RELATION.search(row[0] or "")
                name = names.get(found.group(1), "other") if found else "other"
                totals = by_relation.setdefault(name, [0.0, 0.0])
                totals[0] += row[1]
                totals[1] += row[2]
        finally:
            await conn.close()
        await admin.execute(f"DROP DATABASE {copy}")
    finally:
        await admin.close()
    top = sorted(by_relation.items(), key=lambda item: -item[1][1])[:6]
    return Cost(
        variant or "as is",
        count / seconds,
        cpu / count * 1000,
        pg_cpu / count * 1000,
        (after[1] - wal[1]) / count / 1024,
        (after[0] - wal[0]) / count,
        [(name, fpi / count / 1024, size / count / 1024) for name, (fpi, size) in top],
    )


async def sqlite_cost(seed: Path, variant: str, count: int, n: int) -> Cost:
    copy = seed.with_name("copy.db")
    shutil.copy(seed, copy)
    try:
        if variant:
            with sqlite3.connect(copy) as conn:
                conn.executescript(variant)
        portal_id = await _sqlite_portal(copy)
        seconds, cpu, _ = await upsert_all(f"sqlite:///{copy}", portal_id, count, n, lambda: 0.0)
    finally:
        for suffix in ("", "-wal", "-shm", "-writer.lock"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return Cost(variant or "as is", count / seconds, cpu / count * 1000, None, None, None, [])


async def _sqlite_portal(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        portal_id: int = conn.execute("SELECT min(portal_id) FROM portals").fetchone()[0]
    return portal_id


def report(cost: Cost) -> None:
    figures = [
        f"{cost.batches_per_s:6.1f} batches/s",
        f"hubcrm CPU {cost.hubcrm_cpu_ms:5.1f} ms/batch",
    ]
    if cost.postgres_cpu_ms is not None:
        figures += [
            f"PostgreSQL CPU {cost.postgres_cpu_ms:5.1f} ms/batch",
            f"WAL {cost.wal_kib:5.0f} KiB/batch",
            f"full pages {cost.fpi:4.1f}/batch",
        ]
    print(f"{cost.variant}\n  " + ", ".join(figures))
    for name, fpi, size in cost.relations:
        print(f"    {name:32} {size:7.1f} KiB/batch, {fpi:7.1f} KiB of it full pages")


async def main(args: argparse.Namespace) -> None:
    variants = ["", *args.before]
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="hubcrm-storage-") as tmp:
            folder = Path(tmp)
            await seed_hubcrm(f"sqlite:///{folder / 'seed.db'}", args.existing, CONTACTS)
            for _ in range(args.rounds):
                for variant in variants:
                    cost = await sqlite_cost(
                        folder / "seed.db", variant, args.batches, args.in_flight
                    )
                    report(cost)
        return
    seed = f"hubcrm_storage_{os.getpid()}"
    admin = await asyncpg.connect(args.database)
    try:
        await admin.execute(f"CREATE DATABASE {seed}")
        try:
            url = _database_url(args.database, seed)
            await seed_hubcrm(url, args.existing, CONTACTS)
            conn = await asyncpg.connect(url)
            try:
                await conn.execute("ANALYZE")
            finally:
                await conn.close()
            for _ in range(args.rounds):
                for variant in variants:
                    cost = await postgres_cost(
                        args.database, seed, variant, args.batches, args.in_flight
                    )
                    report(cost)
        finally:
            await admin.execute(f"DROP DATABASE IF EXISTS {seed}_copy")
            await admin.execute(f"DROP DATABASE IF EXISTS {seed}")
    finally:
        await admin.close()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", help="'sqlite' or a PostgreSQL URL")
    parser.add_argument("--existing", type=int, default=300_000, help="contacts seeded")
    parser.add_argument("--batches", type=int, default=220, help="batches measured per copy")
    parser.add_argument("--in-flight", type=int, default=8, help="batches written at a time")
    parser.add_argument("--rounds", type=int, default=2, help="measurements of each variant")
    parser.add_argument(
        "--before", action="append", default=[], help="SQL run on the copy first (a variant)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
