"""One write transaction of a portal's records of one object type."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from hubcrm.store.base.apps import (
    OutboxEvent,
    Subscription,
)
from hubcrm.store.base.associations import Association
from hubcrm.store.base.records import Record, RecordWrite
from hubcrm.store.base.search import (
    SearchChange,
    SearchLag,
)

T = TypeVar("T")


class WriteTransaction(Protocol):
    """Reads and writes of one portal's records of one object type, committed together."""

    async def holders(
        self, namespace: str, values: Iterable[str], *, reading: bool = False
    ) -> dict[str, int]:
        """Which live record holds each of these unique values (absent ones are left out).

        `reading`: the caller reads the holders' records next (`records`), and a store may read
        them now, with the holders."""

    async def records(self, record_ids: Iterable[int]) -> dict[int, Record]: ...

    async def allocate_ids(self, count: int) -> list[int]: ...

    async def save(self, writes: list[RecordWrite]) -> None:
        """Save the records; each one's search rows now lag behind it."""

    async def search_lag(self, limit: int) -> list[SearchLag]:
        """Up to `limit` records whose search rows lag behind, lowest id first. Until this
        transaction ends, no other transaction catches up this type's search rows."""

    async def save_search(
        self, changes: list[tuple[int, SearchChange]], *, caught_up: bool = True
    ) -> None:
        """Apply each record's search change. With `caught_up`, those records' search rows are
        caught up (a build of new properties' rows passes False: the records may still lag)."""

    async def searched_properties(self) -> dict[str, int | None]:
        """The properties search keeps rows for: each with None once every record's rows are
        built, else the highest record id built so far. Until this transaction ends, no other
        transaction catches up or builds this type's search rows."""

    async def search_properties(self, names: Iterable[str]) -> None:
        """Keep search rows for these properties from now on; their rows are built from 0."""

    async def built(self, names: Iterable[str], up_to: int | None) -> None:
        """These properties' rows are built for every record up to `up_to` (None: for all)."""

    async def search_known(self, after: int, limit: int) -> list[tuple[int, dict[str, str]]]:
        """Up to `limit` records with ids above `after`, in id order, each with the properties
        search knows it by: as of its last caught-up write if it lags, else as it is (none for
        an archived record). Held unchanged until this transaction ends."""

    # Webhooks: events are recorded with the write that caused them (domain/webhooks/events.py)
    async def webhook_subscriptions(self) -> list[Subscription]:
        """Active subscriptions of the apps installed in this portal that have a target URL."""

    async def record_webhook_events(self, events: list[OutboxEvent], due_at: int) -> None:
        """Put events in the outbox, due for delivery at `due_at` (wall clock, epoch ms)."""

    # Associations, merges and permanent deletion

    def of(self, object_type: str) -> WriteTransaction:
        """This same transaction, reading and writing records of another object type."""

    async def associations(
        self, from_ids: Iterable[int], to_type: str | None = None
    ) -> list[Association]:
        """Every association from these records of this type (to one type, or to any), whatever
        the state of the record at the other end."""

    async def pairs(self, pairs: Iterable[tuple[int, int]], to_type: str) -> list[Association]:
        """The associations between these (record of this type, record of `to_type`) pairs."""

    async def associate(self, rows: Iterable[Association]) -> None:
        """Add these rows; rows that exist already are kept as they are."""

    async def dissociate(self, rows: Iterable[Association]) -> None:
        """Remove these rows (exactly these; absent ones are ignored)."""

    async def purge(self, record_ids: Iterable[int]) -> None:
        """Forget these records of this type for good: the records, their unique values (live
        and archived), history, search rows, associations in both directions, and the ids
        merged into them (which then resolve to nothing)."""

    async def link_merged(self, record_id: int, merged_into: int) -> None:
        """From now on `record_id`, and every id merged into it before, resolves to
        `merged_into`."""
