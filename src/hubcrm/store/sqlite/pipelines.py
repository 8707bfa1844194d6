"""Pipelines of deals and tickets, their stages and their audit trail."""

from __future__ import annotations

import sqlite3

from hubcrm.store.base import Pipeline, PipelineAudit
from hubcrm.store.rows import (
    PIPELINE_COLUMNS,
    STAGE_COLUMNS,
    pipeline_rows,
    pipeline_values,
    stage_values,
)
from hubcrm.store.sqlite.writer import Connections


def _write(conn: sqlite3.Connection, portal_id: int, object_type: str, pipeline: Pipeline) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO pipelines VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        pipeline_values(portal_id, object_type, pipeline),
    )
    conn.execute(
        "DELETE FROM pipeline_stages WHERE portal_id = ? AND object_type = ? AND pipeline_id = ?",
        (portal_id, object_type, pipeline.pipeline_id),
    )
    conn.executemany(
        "INSERT INTO pipeline_stages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        stage_values(portal_id, object_type, pipeline),
    )


class Pipelines(Connections):
    async def pipelines(self, portal_id: int, object_type: str) -> list[Pipeline] | None:
        def read(conn: sqlite3.Connection) -> list[Pipeline] | None:
            key = (portal_id, object_type)
            if not conn.execute(
                "SELECT 1 FROM pipeline_sets WHERE portal_id = ? AND object_type = ?", key
            ).fetchone():
                return None
            pipelines = conn.execute(
                f"SELECT {PIPELINE_COLUMNS} FROM pipelines WHERE portal_id = ?"
                " AND object_type = ? ORDER BY pipeline_id",
                key,
            ).fetchall()
            stages = conn.execute(
                f"SELECT {STAGE_COLUMNS} FROM pipeline_stages WHERE portal_id = ?"
                " AND object_type = ? ORDER BY pipeline_id, stage_id",
                key,
            ).fetchall()
            return pipeline_rows(pipelines, stages)

        return await self._reader.run(read)

    async def seed_pipelines(
        self, portal_id: int, object_type: str, pipelines: list[Pipeline], next_id: int
    ) -> None:
        def seed(conn: sqlite3.Connection) -> None:
            if conn.execute(
                "INSERT OR IGNORE INTO pipeline_sets VALUES (?, ?, ?)",
                (portal_id, object_type, next_id),
            ).rowcount:
                for pipeline in pipelines:
                    _write(conn, portal_id, object_type, pipeline)

        await self._writer.run(seed)

    async def allocate_pipeline_ids(
        self, portal_id: int, object_type: str, count: int
    ) -> list[int]:
        def allocate(conn: sqlite3.Connection) -> list[int]:
            (end,) = conn.execute(
                "UPDATE pipeline_sets SET next_id = next_id + ? WHERE portal_id = ?"
                " AND object_type = ? RETURNING next_id",
                (count, portal_id, object_type),
            ).fetchone()
            return list(range(end - count, end))

        return await self._writer.run(allocate)

    async def save_pipeline(
        self, portal_id: int, object_type: str, pipeline: Pipeline, audits: list[PipelineAudit]
    ) -> None:
        def save(conn: sqlite3.Connection) -> None:
            _write(conn, portal_id, object_type, pipeline)
            conn.executemany(
                "INSERT INTO pipeline_audits VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        portal_id,
                        object_type,
                        a.pipeline_id,
                        a.stage_id,
                        a.timestamp,
                        a.action,
                        a.raw_object,
                    )
                    for a in audits
                ],
            )

        await self._writer.run(save)

    async def pipeline_audits(
        self, portal_id: int, object_type: str, pipeline_id: str, stage_id: str | None = None
    ) -> list[PipelineAudit]:
        def read(conn: sqlite3.Connection) -> list[PipelineAudit]:
            rows = conn.execute(
                "SELECT pipeline_id, stage_id, action, timestamp, raw_object FROM pipeline_audits"
                " WHERE portal_id = ? AND object_type = ? AND pipeline_id = ?"
                " AND (? IS NULL OR stage_id = ?) ORDER BY rowid",
                (portal_id, object_type, pipeline_id, stage_id, stage_id),
            )
            return [PipelineAudit(*row) for row in rows]

        return await self._reader.run(read)
