"""The storage contract (store/base/), run against every store: each test once on SQLite and
once on PostgreSQL, in a fresh database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from hubcrm.domain import portals
from hubcrm.domain.clock import FrozenClock
from hubcrm.domain.objects import CONTACTS
from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.store import open_store
from hubcrm.store.base import (
    Condition,
    HistoryEntry,
    Record,
    RecordWrite,
    SearchChange,
    SearchEntries,
    SearchLag,
    SearchQuery,
    SearchToken,
    SearchValue,
    SortKey,
    Store,
    WriteTransaction,
)
from hubcrm.store.errors import UniqueViolation

T = TypeVar("T")
START_MS = 1_767_225_600_000
PORTAL = 12345678
OTHER_PORTAL = 87654321
TYPE = CONTACTS.type_id
NO_ENTRIES = SearchEntries([], [])


def run(url: str, scenario: Callable[[Store], Awaitable[T]]) -> T:
    """Run a scenario against a store opened on `url`, with two portals created."""

    async def main() -> T:
        store = await open_store(url)
        try:
            for portal_id in (PORTAL, OTHER_PORTAL):
                await portals.create_portal(store, FrozenClock(START_MS), portal_id)
            return await scenario(store)
        finally:
            await store.close()

    return asyncio.run(main())


def new_record(record_id: int, email: str, at: int = START_MS, **extra: str) -> RecordWrite:
    record = Record(record_id, {"email": email, **extra}, at, at)
    history = [
        HistoryEntry(name, value, at, "API", "1") for name, value in record.properties.items()
    ]
    return RecordWrite(record, is_new=True, unique_values={"email": {email}}, history=history)


async def create(store: Store, portal_id: int, *emails: str) -> list[int]:
    async def work(tx: WriteTransaction) -> list[int]:
        ids = await tx.allocate_ids(len(emails))
        await tx.save([new_record(i, e) for i, e in zip(ids, emails, strict=True)])
        return ids

    return await store.transact(portal_id, TYPE, work)


def test_portals_are_created_once_with_their_property_definitions(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        assert await store.portal_ids() == [PORTAL, OTHER_PORTAL]
        assert not await store.create_portal(PORTAL, START_MS, {TYPE: []})
        definitions = await store.property_definitions(PORTAL, TYPE)
        assert [d.name for d in definitions] == sorted(d.name for d in CONTACTS.seed_properties())
        assert await store.properties_version(PORTAL, TYPE) == 1
        assert await store.properties_version(PORTAL, "no-such-type") == 0

    run(database_url, scenario)


def test_a_property_is_defined_once_and_bumps_the_version(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        favourite = PropertyDefinition(
            name="favourite",
            label="Favourite",
            type="string",
            field_type="text",
            group_name="contactinformation",
        )
        await store.add_property(PORTAL, TYPE, favourite)
        assert await store.properties_version(PORTAL, TYPE) == 2
        assert await store.properties_version(OTHER_PORTAL, TYPE) == 1
        assert favourite in await store.property_definitions(PORTAL, TYPE)
        assert favourite not in await store.property_definitions(OTHER_PORTAL, TYPE)
        with pytest.raises(UniqueViolation):
            await store.add_property(PORTAL, TYPE, favourite)
        assert await store.properties_version(PORTAL, TYPE) == 2

    run(database_url, scenario)


def test_tokens_are_numbered_per_portal_found_by_hash_and_revoked_once(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        scopes = frozenset({"crm.objects.contacts.read"})
        first = await store.add_token(PORTAL, "hash-a", scopes, "ci", START_MS, None)
        second = await store.add_token(PORTAL, "hash-b", scopes, None, START_MS, START_MS + 5)
        other = await store.add_token(OTHER_PORTAL, "hash-c", scopes, None, START_MS, None)
        assert (first.token_id, second.token_id, other.token_id) == (1, 2, 1)
        assert await store.token_by_hash("hash-b") == second
        assert await store.token_by_hash("hash-z") is None
        assert await store.tokens(PORTAL) == [first, second]
        assert await store.tokens() == [first, second, other]
        assert await store.revoke_token(PORTAL, 2, START_MS + 1)
        assert not await store.revoke_token(PORTAL, 2, START_MS + 2)
        assert not await store.revoke_token(OTHER_PORTAL, 2, START_MS + 2)
        revoked = await store.token_by_hash("hash-b")
        assert revoked is not None
        assert revoked.revoked_at == START_MS + 1
        with pytest.raises(UniqueViolation):
            await store.add_token(OTHER_PORTAL, "hash-a", scopes, None, START_MS, None)

    run(database_url, scenario)


def test_ids_count_up_per_portal(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        assert await create(store, PORTAL, "a@x.com", "b@x.com") == [1, 2]
        assert await create(store, PORTAL, "c@x.com") == [3]
        assert await create(store, OTHER_PORTAL, "a@x.com") == [1]

    run(database_url, scenario)


def test_saved_records_read_back_by_id_and_by_unique_value(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        await create(store, PORTAL, "ann@x.com")
        record = await store.record(PORTAL, TYPE, 1)
        assert record == Record(1, {"email": "ann@x.com"}, START_MS, START_MS)
        assert await store.record_by_unique(PORTAL, TYPE, "email", "ann@x.com") == record
        assert await store.record_by_unique(PORTAL, TYPE, "email", "bob@x.com") is None
        # Another portal sees none of it.
        assert await store.record(OTHER_PORTAL, TYPE, 1) is None
        assert await store.record_by_unique(OTHER_PORTAL, TYPE, "email", "ann@x.com") is None

    run(database_url, scenario)


@pytest.mark.parametrize("reading", [False, True], ids=["holders", "holders-reading-records"])
def test_an_update_moves_unique_values_and_appends_history(
    database_url: str, reading: bool
) -> None:
    async def scenario(store: Store) -> None:
        await create(store, PORTAL, "ann@x.com")
        later = START_MS + 10

        async def update(tx: WriteTransaction) -> dict[str, int]:
            held = await tx.holders("email", ["ann@x.com", "new@x.com"], reading=reading)
            assert held == {"ann@x.com": 1}
            found = await tx.records([1, 99])
            assert found == {1: Record(1, {"email": "ann@x.com"}, START_MS, START_MS)}
            old = found[1]
            record = Record(1, {**old.properties, "email": "new@x.com"}, old.created_at, later)
            history = [HistoryEntry("email", "new@x.com", later, "API", "2")]
            await tx.save([RecordWrite(record, False, {"email": {"new@x.com"}}, history)])
            # Read again after the save, the record is as the save left it.
            assert await tx.records([1]) == {1: record}
            return await tx.holders("email", ["ann@x.com", "new@x.com"], reading=reading)

        assert await store.transact(PORTAL, TYPE, update) == {"new@x.com": 1}
        assert await store.record_by_unique(PORTAL, TYPE, "email", "ann@x.com") is None
        moved = await store.record_by_unique(PORTAL, TYPE, "email", "new@x.com")
        assert moved == Record(1, {"email": "new@x.com"}, START_MS, later)
        assert await store.history(PORTAL, TYPE, 1, ["email", "phone"]) == {
            "email": [
                HistoryEntry("email", "new@x.com", later, "API", "2"),
                HistoryEntry("email", "ann@x.com", START_MS, "API", "1"),
            ],
            "phone": [],
        }

    run(database_url, scenario)


def test_history_written_in_one_millisecond_keeps_its_order(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        await create(store, PORTAL, "ann@x.com")

        async def rename(tx: WriteTransaction) -> None:
            record = (await tx.records([1]))[1]
            history = [HistoryEntry("firstname", n, START_MS, "API", "1") for n in ("A", "B")]
            record.properties["firstname"] = "B"
            await tx.save([RecordWrite(record, False, {}, history)])

        await store.transact(PORTAL, TYPE, rename)
        entries = (await store.history(PORTAL, TYPE, 1, ["firstname"]))["firstname"]
        assert [e.value for e in entries] == ["B", "A"]

    run(database_url, scenario)


def test_a_unique_value_held_twice_fails_the_whole_transaction(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        await create(store, PORTAL, "ann@x.com")

        async def clash(tx: WriteTransaction) -> None:
            ids = await tx.allocate_ids(2)
            await tx.save([new_record(ids[0], "bob@x.com"), new_record(ids[1], "ann@x.com")])

        with pytest.raises(UniqueViolation):
            await store.transact(PORTAL, TYPE, clash)
        assert await store.record_by_unique(PORTAL, TYPE, "email", "bob@x.com") is None
        # The same value in another portal is no clash.
        assert await create(store, OTHER_PORTAL, "ann@x.com") == [1]

    run(database_url, scenario)


def test_work_that_raises_writes_nothing(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        async def fail(tx: WriteTransaction) -> None:
            await tx.save([new_record((await tx.allocate_ids(1))[0], "ann@x.com")])
            raise LookupError("changed my mind")

        with pytest.raises(LookupError):
            await store.transact(PORTAL, TYPE, fail)
        assert await store.record_by_unique(PORTAL, TYPE, "email", "ann@x.com") is None

    run(database_url, scenario)


def test_two_stores_racing_to_create_one_email_make_one_record(database_url: str) -> None:
    """Two stores on one database stand for two processes: whoever creates the email first wins,
    and every other writer finds that record instead of making a second one."""

    async def scenario(store: Store) -> None:
        other = await open_store(database_url)
        try:

            async def claim(tx: WriteTransaction) -> tuple[int, bool]:
                held = await tx.holders("email", ["race@x.com"])
                if "race@x.com" in held:
                    return held["race@x.com"], False
                [record_id] = await tx.allocate_ids(1)
                await tx.save([new_record(record_id, "race@x.com")])
                return record_id, True

            outcomes = await asyncio.gather(
                *(s.transact(PORTAL, TYPE, claim) for _ in range(8) for s in (store, other))
            )
        finally:
            await other.close()
        created = [record_id for record_id, new in outcomes if new]
        assert len(created) == 1
        assert {record_id for record_id, _ in outcomes} == set(created)
        winner = await store.record_by_unique(PORTAL, TYPE, "email", "race@x.com")
        assert winner is not None
        assert winner.record_id == created[0]

    run(database_url, scenario)


def test_two_stores_allocate_distinct_ids(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        other = await open_store(database_url)
        try:

            async def allocate(tx: WriteTransaction) -> list[int]:
                return await tx.allocate_ids(3)

            batches = await asyncio.gather(
                *(s.transact(PORTAL, TYPE, allocate) for _ in range(10) for s in (store, other))
            )
        finally:
            await other.close()
        ids = [i for batch in batches for i in batch]
        assert sorted(ids) == list(range(1, 61))

    run(database_url, scenario)


def test_unique_values_of_any_length_are_held_once(database_url: str) -> None:
    long_value = "".join(f"{n:05d}" for n in range(13_000))  # 65,000 characters
    other = long_value[:-1] + "x"

    async def scenario(store: Store) -> None:
        async def claim(value: str) -> None:
            async def work(tx: WriteTransaction) -> None:
                [record_id] = await tx.allocate_ids(1)
                write = new_record(record_id, f"{record_id}@x.com")
                write.record.properties["code"] = value
                write.unique_values["code"] = {value}
                await tx.save([write])

            await store.transact(PORTAL, TYPE, work)

        await claim(long_value)
        await claim(other)
        with pytest.raises(UniqueViolation):
            await claim(long_value)

        async def holders(tx: WriteTransaction) -> dict[str, int]:
            return await tx.holders("code", [long_value, other, "absent"])

        assert await store.transact(PORTAL, TYPE, holders) == {long_value: 1, other: 2}
        found = await store.record_by_unique(PORTAL, TYPE, "code", long_value)
        assert found is not None
        assert found.properties["code"] == long_value

    run(database_url, scenario)


def test_definitions_are_replaced_and_archived(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        code = PropertyDefinition(
            name="code", label="Code", type="string", field_type="text", group_name="g"
        )
        await store.add_property(PORTAL, TYPE, code)
        version = await store.properties_version(PORTAL, TYPE)
        relabelled = PropertyDefinition(
            name="code", label="Key", type="string", field_type="text", group_name="g"
        )
        await store.update_property(PORTAL, TYPE, relabelled)
        assert relabelled in await store.property_definitions(PORTAL, TYPE)
        await store.update_property(PORTAL, TYPE, relabelled, archived=True)
        assert await store.properties_version(PORTAL, TYPE) == version + 2
        assert relabelled not in await store.property_definitions(PORTAL, TYPE)
        assert await store.property_definitions(PORTAL, TYPE, archived=True) == [relabelled]

    run(database_url, scenario)


def test_records_read_in_bulk_and_page_by_id(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        ids = await create(store, PORTAL, "a@x.com", "b@x.com", "c@x.com")
        await create(store, OTHER_PORTAL, "a@x.com")
        found = await store.records(PORTAL, TYPE, [ids[2], ids[0], 999])
        assert sorted(found) == [ids[0], ids[2]]
        by_email = await store.records_by_unique(PORTAL, TYPE, "email", ["b@x.com", "z@x.com"])
        assert {k: r.record_id for k, r in by_email.items()} == {"b@x.com": ids[1]}
        page = await store.records_page(PORTAL, TYPE, after=ids[1], limit=5, archived=False)
        assert [r.record_id for r in page] == ids[1:]
        assert await store.records_page(PORTAL, TYPE, after=0, limit=5, archived=True) == []


def test_reset_portal_forgets_its_data_and_keeps_its_tokens(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        extra = PropertyDefinition(
            name="extra", label="Extra", type="string", field_type="text", group_name="g"
        )
        await store.add_property(PORTAL, TYPE, extra)
        token = await store.add_token(PORTAL, "hash-1", frozenset({"s"}), None, START_MS, None)
        await create(store, PORTAL, "a@x.com", "b@x.com")
        await create(store, OTHER_PORTAL, "a@x.com")
        version = await store.properties_version(PORTAL, TYPE)
        assert await store.reset_portal(PORTAL, {TYPE: CONTACTS.seed_properties()})
        assert await store.record(PORTAL, TYPE, 1) is None
        assert await store.record_by_unique(PORTAL, TYPE, "email", "a@x.com") is None
        assert await store.history(PORTAL, TYPE, 1, ["email"]) == {"email": []}
        names = [d.name for d in await store.property_definitions(PORTAL, TYPE)]
        assert "extra" not in names
        assert await store.properties_version(PORTAL, TYPE) == version + 1
        assert await store.token_by_hash("hash-1") == token
        assert await create(store, PORTAL, "c@x.com") == [1]  # ids start again
        kept = await store.record_by_unique(OTHER_PORTAL, TYPE, "email", "a@x.com")
        assert kept is not None
        assert not await store.reset_portal(999, {TYPE: []})

    run(database_url, scenario)


def test_archiving_frees_unique_values_and_keeps_them_for_archived_reads(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        [first] = await create(store, PORTAL, "a@x.com")

        async def archive(tx: WriteTransaction) -> None:
            [record] = (await tx.records([first])).values()
            gone = Record(first, record.properties, START_MS, START_MS, True, START_MS + 5)
            await tx.save([RecordWrite(gone, is_new=False)])

        await store.transact(PORTAL, TYPE, archive)
        assert await store.records_by_unique(PORTAL, TYPE, "email", ["a@x.com"]) == {}
        [second] = await create(store, PORTAL, "a@x.com")  # the email is free again
        live = await store.records_by_unique(PORTAL, TYPE, "email", ["a@x.com"])
        assert live["a@x.com"].record_id == second
        archived = await store.records_by_unique(PORTAL, TYPE, "email", ["a@x.com"], archived=True)
        assert archived["a@x.com"].record_id == first
        assert archived["a@x.com"].archived_at == START_MS + 5
        page = await store.records_page(PORTAL, TYPE, after=0, limit=5, archived=True)
        assert [r.record_id for r in page] == [first]

    run(database_url, scenario)


def test_search_runs_on_the_entries_saved_with_each_record(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        async def save(tx: WriteTransaction) -> None:
            changes = []
            for record_id, name, score in [(1, "ann lee", 9.0), (2, "bob", 10.0), (3, "cy", None)]:
                values = [SearchValue("firstname", name)]
                if score is not None:
                    values.append(SearchValue("score", str(score), score))
                tokens = [SearchToken("firstname", t) for t in {name, *name.split()}]
                added = SearchEntries(values, tokens)
                changes.append((record_id, SearchChange(SearchEntries([], []), added)))
            await tx.save([new_record(record_id, f"{record_id}@x.com") for record_id in (1, 2, 3)])
            await tx.save_search(changes)

        await store.transact(PORTAL, TYPE, save)

        async def ids(*groups: tuple[Condition, ...], **options: object) -> tuple[list[int], int]:
            query = SearchQuery(
                groups=groups,
                sort=options.get("sort", SortKey(None)),  # type: ignore[arg-type]
                offset=0,
                limit=10,
            )
            result = await store.search(PORTAL, TYPE, query)
            return result.record_ids, result.total

        gt = Condition("score", "GT", (9.5,), numeric=True)
        assert await ids((gt,)) == ([2], 1)
        assert await ids((Condition("score", "NOT_HAS_PROPERTY"),)) == ([3], 1)
        assert await ids((Condition("firstname", "TOKEN", ("le*",)),)) == ([1], 1)
        either = (
            (Condition("firstname", "EQ", ("bob",)),),
            (Condition("firstname", "EQ", ("cy",)),),
        )
        assert await ids(*either) == ([2, 3], 2)
        by_score = SortKey("score", descending=True, numeric=True)
        assert await ids(sort=by_score) == ([2, 1, 3], 3)
        other = await store.search(
            OTHER_PORTAL, TYPE, SearchQuery(groups=(), sort=SortKey(None), offset=0, limit=10)
        )
        assert other.total == 0

    run(database_url, scenario)


def test_new_portals_need_no_search_indexing(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        assert await store.search_lagging() == []
        assert not await store.search_lags(PORTAL, TYPE)

    run(database_url, scenario)


def test_saved_records_lag_in_search_until_caught_up(database_url: str) -> None:
    """A saved record lags, noted with what search knew of it before: nothing for a new
    record, its old properties for a live one; the first note stands until caught up."""

    async def lag(store: Store, portal_id: int) -> list[SearchLag]:
        return await store.transact(portal_id, TYPE, lambda tx: tx.search_lag(10))

    async def caught_up(tx: WriteTransaction) -> None:
        await tx.save_search(
            [
                (lag.record_id, SearchChange(NO_ENTRIES, NO_ENTRIES))
                for lag in await tx.search_lag(10)
            ]
        )

    async def scenario(store: Store) -> None:
        [ann, bob] = await create(store, PORTAL, "ann@x.com", "bob@x.com")
        [other] = await create(store, OTHER_PORTAL, "cy@x.com")
        assert sorted(await store.search_lagging()) == [(PORTAL, TYPE), (OTHER_PORTAL, TYPE)]
        assert await store.search_lags(PORTAL, TYPE)
        [first, second] = await lag(store, PORTAL)
        assert (first.record_id, first.indexed) == (ann, None)
        assert first.current is not None
        assert first.current.properties == {"email": "ann@x.com"}
        assert (second.record_id, second.indexed) == (bob, None)
        assert [x.record_id for x in await lag(store, OTHER_PORTAL)] == [other]

        await store.transact(PORTAL, TYPE, caught_up)
        assert not await store.search_lags(PORTAL, TYPE)
        assert await store.search_lagging() == [(OTHER_PORTAL, TYPE)]

        async def update(tx: WriteTransaction, name: str, archived: bool = False) -> None:
            [record] = (await tx.records([ann])).values()
            properties = {**record.properties, "firstname": name}
            changed = Record(ann, properties, START_MS, START_MS + 1, archived)
            await tx.save([RecordWrite(changed, is_new=False)])

        await store.transact(PORTAL, TYPE, lambda tx: update(tx, "Ann"))
        await store.transact(PORTAL, TYPE, lambda tx: update(tx, "Anna"))
        [noted] = await lag(store, PORTAL)
        assert noted.indexed == {"email": "ann@x.com"}  # as search knew her, before both
        assert noted.current is not None
        assert noted.current.properties == {"email": "ann@x.com", "firstname": "Anna"}

        await store.transact(PORTAL, TYPE, caught_up)
        await store.transact(PORTAL, TYPE, lambda tx: update(tx, "Anne", archived=True))
        [archived] = await lag(store, PORTAL)
        assert archived.indexed == {"email": "ann@x.com", "firstname": "Anna"}
        assert archived.current is not None
        assert archived.current.archived
        await store.transact(PORTAL, TYPE, caught_up)
        await store.transact(PORTAL, TYPE, lambda tx: update(tx, "Anne", archived=True))
        [again] = await lag(store, PORTAL)
        assert again.indexed is None  # search knows no archived record

    run(database_url, scenario)


def test_the_next_record_id_can_be_set_above_the_ids_in_use(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        await create(store, PORTAL, "a@x.com", "b@x.com")
        assert await store.set_next_record_id(PORTAL, TYPE, 2) == 2  # not above: left alone
        assert await create(store, PORTAL, "c@x.com") == [3]
        assert await store.set_next_record_id(PORTAL, TYPE, 1000) == 3
        assert await create(store, PORTAL, "d@x.com") == [1000]
        assert await store.set_next_record_id(OTHER_PORTAL, TYPE, 50) == 0
        assert await create(store, OTHER_PORTAL, "a@x.com") == [50]
        assert await store.set_next_record_id(999, TYPE, 5) is None
        assert await store.set_next_record_id(PORTAL, "no-such-type", 5) is None

    run(database_url, scenario)


def test_records_recent_orders_by_a_column_and_id_either_way(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        # Ids 1..5 changed at moments 0, 2, 1, 2, 3 (two share one moment); 6 is archived.
        stamps = [0, 2, 1, 2, 3]

        async def save(tx: WriteTransaction) -> None:
            writes = [new_record(i + 1, f"{i}@x.com", START_MS + at) for i, at in enumerate(stamps)]
            gone = Record(6, {"email": "6@x.com"}, START_MS + 9, START_MS + 9, True, START_MS + 9)
            await tx.save([*writes, RecordWrite(gone, is_new=True)])

        await store.transact(PORTAL, TYPE, save)

        async def ids(
            column: str = "updated_at",
            since: int | None = None,
            before: tuple[int, int] | None = None,
            offset: int = 0,
            limit: int = 10,
            ascending: bool = False,
        ) -> tuple[list[int], int]:
            rows, total = await store.records_recent(
                PORTAL,
                TYPE,
                column=column,
                since=since,
                before=before,
                offset=offset,
                limit=limit,
                ascending=ascending,
            )
            return [r.record_id for r in rows], total

        assert await ids() == ([5, 4, 2, 3, 1], 5)
        assert await ids(offset=1, limit=2) == ([4, 2], 5)
        assert await ids(since=START_MS + 2) == ([5, 4, 2], 3)
        assert await ids(before=(START_MS + 2, 4)) == ([2, 3, 1], 3)
        assert await ids(ascending=True) == ([1, 3, 2, 4, 5], 5)
        assert await ids(ascending=True, before=(START_MS + 2, 2)) == ([4, 5], 2)
        assert await ids(column="created_at", limit=1) == ([5], 5)
        assert await store.records_recent(
            OTHER_PORTAL, TYPE, column="created_at", since=None, before=None, offset=0, limit=5
        ) == ([], 0)


def test_live_records_are_counted_up_to_a_bound(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        assert await store.count_records(PORTAL, TYPE, at_most=10) == 0
        ids = await create(store, PORTAL, "a@x.com", "b@x.com", "c@x.com")
        await create(store, OTHER_PORTAL, "a@x.com")

        async def archive(tx: WriteTransaction) -> None:
            found = await tx.records([ids[0]])
            gone = Record(ids[0], found[ids[0]].properties, START_MS, START_MS + 1, True, START_MS)
            await tx.save([RecordWrite(gone, is_new=False)])

        await store.transact(PORTAL, TYPE, archive)
        assert await store.count_records(PORTAL, TYPE, at_most=10) == 2
        assert await store.count_records(PORTAL, TYPE, at_most=1) == 1
        assert await store.count_records(OTHER_PORTAL, TYPE, at_most=10) == 1

    run(database_url, scenario)
