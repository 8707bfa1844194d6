"""Readiness and the figures of the SQLite store that metrics report."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from hubcrm.store import migrations
from hubcrm.store.sqlite.connection import DIALECT, Connection
from hubcrm.store.sqlite.writer import Writer


class Health:
    _reader: Connection
    _writer: Writer

    async def schema_current(self) -> bool:
        def applied(conn: sqlite3.Connection) -> set[int]:
            return {row[0] for row in conn.execute(f"SELECT version FROM {migrations.TABLE}")}

        return await self._reader.run(applied) == set(_known())

    def gauges(self) -> dict[str, float]:
        return {"sqlite_writer_queue": self._writer.queued()}

    def observe_commit_groups(self, observer: Callable[[int], None]) -> None:
        self._writer.on_commit_group = observer


def _known() -> list[int]:
    return [m.version for m in migrations.available(DIALECT)]
