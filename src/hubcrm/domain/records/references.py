"""Checks of record values that name something kept outside the records: a pipeline and its
stage, an owner.

Each check is loaded once per write request, by a loader the records service is given
(domain/pipelines/, domain/owners.py), and runs on the stored form of every input's values as
planning checks them: its issues fail the input as a bad value does. A check may add a value the
input implies (the pipeline of a stage named alone).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from hubcrm.protocol.errors import PropertyIssue

if TYPE_CHECKING:
    from hubcrm.domain.records.schema import Schema

Check = Callable[[dict[str, str]], list[PropertyIssue]]
# (portal id, the type's schema, the names of the properties the batch writes) -> a check, or
# None when nothing the batch writes needs one.
Loader = Callable[[int, "Schema", set[str]], Awaitable[Check | None]]


async def load(
    loaders: Sequence[Loader], portal_id: int, schema: Schema, inputs: Iterable[object]
) -> list[Check]:
    names = {name for item in inputs for name in getattr(item, "properties", {})}
    checks = [await loader(portal_id, schema, names) for loader in loaders]
    return [check for check in checks if check is not None]
