"""The SQLite writer when a commit fails: every job of the group is answered with the error, none
of their writes is kept, and the writer goes on serving the next jobs. And backpressure: a job
beyond the queue's bound, or one that waited past its deadline, is refused unstarted."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from hubcrm.store.base import Backpressure
from hubcrm.store.errors import Overloaded, StoreError
from hubcrm.store.sqlite.writer import Writer


def _rows(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in conn.execute("SELECT id FROM parent"))
    finally:
        conn.close()


def test_a_failed_commit_fails_the_whole_group_and_the_writer_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "w.db"

    async def main() -> list[object]:
        writer = Writer(str(path), None)
        await writer.start()
        try:

            def schema(conn: sqlite3.Connection) -> None:
                conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
                conn.execute(
                    "CREATE TABLE child (p INTEGER REFERENCES parent (id)"
                    " DEFERRABLE INITIALLY DEFERRED)"
                )

            await writer.run(schema)

            async def first(conn: sqlite3.Connection) -> int:
                conn.execute("INSERT INTO parent VALUES (1)")
                await asyncio.sleep(0.2)  # the next jobs queue behind this one: one group
                return 1

            async def good(conn: sqlite3.Connection) -> int:
                conn.execute("INSERT INTO parent VALUES (2)")
                return 2

            async def dangling(conn: sqlite3.Connection) -> int:
                # Checked only at COMMIT: the commit of the whole group fails.
                conn.execute("INSERT INTO child VALUES (999)")
                return 3

            group = asyncio.gather(
                writer.transact(first),
                writer.transact(good),
                writer.transact(dangling),
                return_exceptions=True,
            )
            await asyncio.sleep(0.05)
            answers: list[object] = list(await group)

            async def after(conn: sqlite3.Connection) -> int:
                conn.execute("INSERT INTO parent VALUES (4)")
                return 4

            answers.append(await writer.transact(after))
            return answers
        finally:
            await writer.close()

    answers = asyncio.run(main())
    assert all(isinstance(a, StoreError) for a in answers[:3]), answers
    assert answers[3] == 4
    assert _rows(path) == [4]


def test_backpressure_refuses_beyond_the_bound_and_past_the_deadline(tmp_path: Path) -> None:
    async def main() -> list[object]:
        writer = Writer(
            str(tmp_path / "b.db"), None, Backpressure(queue_limit=3, queue_timeout=0.1)
        )
        await writer.start()
        try:

            async def slow(conn: sqlite3.Connection) -> str:
                await asyncio.sleep(0.3)
                return "done"

            # Three wait at most: the fourth is refused at once.
            crowd = [asyncio.ensure_future(writer.transact(slow)) for _ in range(4)]
            bounded: list[object] = list(await asyncio.gather(*crowd, return_exceptions=True))
            # The first runs; those behind it waited past 0.1 s and are refused unstarted.
            return bounded
        finally:
            await writer.close()

    bounded = asyncio.run(main())
    assert bounded[0] == "done"
    assert all(isinstance(a, Overloaded) for a in bounded[1:]), bounded


@pytest.mark.parametrize("limit", [0])
def test_no_bound_when_the_settings_say_0(tmp_path: Path, limit: int) -> None:
    async def main() -> list[object]:
        writer = Writer(str(tmp_path / "n.db"), None, Backpressure(limit, 0))
        await writer.start()
        try:

            async def quick(conn: sqlite3.Connection) -> str:
                return "done"

            return list(await asyncio.gather(*(writer.transact(quick) for _ in range(300))))
        finally:
            await writer.close()

    assert asyncio.run(main()) == ["done"] * 300
