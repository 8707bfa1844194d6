"""Pipelines of deals and tickets, their stages and their audit trail."""

from __future__ import annotations

import asyncpg

from hubcrm.store.base import Pipeline, PipelineAudit
from hubcrm.store.postgres.connection import Pooled, translated
from hubcrm.store.rows import (
    PIPELINE_COLUMNS,
    STAGE_COLUMNS,
    pipeline_rows,
    pipeline_values,
    stage_values,
)


async def _write(
    conn: asyncpg.Connection, portal_id: int, object_type: str, pipeline: Pipeline
) -> None:
    await conn.execute(
        "INSERT INTO pipelines VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (portal_id, object_type, pipeline_id) DO UPDATE SET label = $4,"
        " display_order = $5, created_at = $6, updated_at = $7, archived_at = $8",
        *pipeline_values(portal_id, object_type, pipeline),
    )
    await conn.execute(
        "DELETE FROM pipeline_stages WHERE portal_id = $1 AND object_type = $2"
        " AND pipeline_id = $3",
        portal_id,
        object_type,
        pipeline.pipeline_id,
    )
    await conn.executemany(
        "INSERT INTO pipeline_stages VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        stage_values(portal_id, object_type, pipeline),
    )


class Pipelines(Pooled):
    async def pipelines(self, portal_id: int, object_type: str) -> list[Pipeline] | None:
        with translated():
            async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
                seeded = await conn.fetchval(
                    "SELECT true FROM pipeline_sets WHERE portal_id = $1 AND object_type = $2",
                    portal_id,
                    object_type,
                )
                if not seeded:
                    return None
                pipelines = await conn.fetch(
                    f"SELECT {PIPELINE_COLUMNS} FROM pipelines WHERE portal_id = $1"
                    " AND object_type = $2 ORDER BY pipeline_id",
                    portal_id,
                    object_type,
                )
                stages = await conn.fetch(
                    f"SELECT {STAGE_COLUMNS} FROM pipeline_stages WHERE portal_id = $1"
                    " AND object_type = $2 ORDER BY pipeline_id, stage_id",
                    portal_id,
                    object_type,
                )
        return pipeline_rows(list(pipelines), list(stages))

    async def seed_pipelines(
        self, portal_id: int, object_type: str, pipelines: list[Pipeline], next_id: int
    ) -> None:
        with translated():
            async with self._pool.acquire() as conn, conn.transaction():
                # A concurrent seeder waits on this row, then finds it and writes nothing.
                inserted = await conn.fetchval(
                    "INSERT INTO pipeline_sets VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
                    " RETURNING true",
                    portal_id,
                    object_type,
                    next_id,
                )
                if inserted:
                    for pipeline in pipelines:
                        await _write(conn, portal_id, object_type, pipeline)

    async def allocate_pipeline_ids(
        self, portal_id: int, object_type: str, count: int
    ) -> list[int]:
        row = await self._fetchrow(
            "UPDATE pipeline_sets SET next_id = next_id + $3 WHERE portal_id = $1"
            " AND object_type = $2 RETURNING next_id",
            portal_id,
            object_type,
            count,
        )
        end = int(row[0])
        return list(range(end - count, end))

    async def save_pipeline(
        self, portal_id: int, object_type: str, pipeline: Pipeline, audits: list[PipelineAudit]
    ) -> None:
        with translated():
            async with self._pool.acquire() as conn, conn.transaction():
                await _write(conn, portal_id, object_type, pipeline)
                await conn.executemany(
                    "INSERT INTO pipeline_audits (portal_id, object_type, pipeline_id, stage_id,"
                    " timestamp, action, raw_object) VALUES ($1, $2, $3, $4, $5, $6, $7)",
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

    async def pipeline_audits(
        self, portal_id: int, object_type: str, pipeline_id: str, stage_id: str | None = None
    ) -> list[PipelineAudit]:
        rows = await self._fetch(
            "SELECT pipeline_id, stage_id, action, timestamp, raw_object FROM pipeline_audits"
            " WHERE portal_id = $1 AND object_type = $2 AND pipeline_id = $3"
            " AND ($4::text IS NULL OR stage_id = $4) ORDER BY seq",
            portal_id,
            object_type,
            pipeline_id,
            stage_id,
        )
        return [PipelineAudit(*row) for row in rows]
