"""Versioned schema migrations, one numbered sequence of SQL scripts per dialect.

`migrations/<dialect>/NNNN_name.sql` are applied in order, each in its own transaction together
with its row in `schema_migrations`. The dialects number independently: a change may need a script
in one dialect only. A database that records a version this hubcrm does not ship was migrated by a
newer hubcrm, and is refused (SchemaTooNew) rather than written with an older idea of its schema.

The stores run the plan: store/sqlite/ under its write lock (BEGIN IMMEDIATE), store/postgres/
under an advisory lock, so processes starting together migrate once.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from hubcrm.store.errors import SchemaTooNew

TABLE = "schema_migrations"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available(dialect: str) -> list[Migration]:
    """Every migration hubcrm ships for a dialect, in version order."""
    folder = resources.files(__name__).joinpath(dialect)
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"{dialect} migrations must have distinct numbers: {versions}")
    return found


def latest(dialect: str) -> int:
    """The highest version hubcrm ships. Numbers may skip: work developed side by side reserves
    its numbers ahead, and a database records each version it applied."""
    return max((m.version for m in available(dialect)), default=0)


def plan(dialect: str, applied: set[int], target: int | None = None) -> list[Migration]:
    """The migrations to apply, in order, to bring a database at `applied` up to `target`."""
    known = latest(dialect)
    if applied and max(applied) > known:
        raise SchemaTooNew(
            f"the database schema is at version {max(applied)}, newer than this hubcrm knows"
            f" ({dialect} version {known}): upgrade hubcrm"
        )
    upto = known if target is None else target
    return [m for m in available(dialect) if m.version not in applied and m.version <= upto]
