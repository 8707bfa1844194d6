"""Schema versions: a database made by the first schema upgrades with its data intact, concurrent
migrators apply each migration once, and a newer schema is refused by every command."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from hubcrm.domain.clock import FrozenClock
from hubcrm.domain.objects import CONTACTS
from hubcrm.domain.records import Actor, Records
from hubcrm.protocol.wire import Filter, FilterGroup, SearchRequest, UpsertInput
from hubcrm.store import migrate, migrations, open_store
from hubcrm.store.errors import SchemaTooNew
from tests.backends import fresh_database
from tests.cli.commands import hubcrm
from tests.store.raw import dialect, numbered, sql

START_MS = 1_767_225_600_000
PORTAL = 4242
TYPE = CONTACTS.type_id


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all."""
    with fresh_database(backend, tmp_path, migrated=False) as url:
        yield url


def version_one_rows(url: str) -> list[tuple[str, tuple[Any, ...]]]:
    """A portal with one contact, written as hubcrm wrote them with schema version 1."""
    false = 0 if url.startswith("sqlite:") else False
    definitions = [
        (PORTAL, TYPE, d.name, msgspec.json.encode(d).decode(), false)
        for d in CONTACTS.seed_properties()
    ]
    properties = msgspec.json.encode({"email": "ann@x.com", "firstname": "Ann"}).decode()
    statements = [
        ("INSERT INTO portals VALUES (?, ?)", (PORTAL, START_MS)),
        ("INSERT INTO object_schemas VALUES (?, ?, ?, ?)", (PORTAL, TYPE, 2, 1)),
        *(("INSERT INTO property_definitions VALUES (?, ?, ?, ?, ?)", d) for d in definitions),
        (
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (PORTAL, TYPE, 1, properties, START_MS, START_MS, false, None),
        ),
        (
            "INSERT INTO unique_values VALUES (?, ?, ?, ?, ?)",
            (PORTAL, TYPE, "email", "ann@x.com", 1),
        ),
        (
            "INSERT INTO property_history (portal_id, object_type, record_id, property, timestamp,"
            " value, source_type, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (PORTAL, TYPE, 1, "firstname", START_MS, "Ann", "API", "1"),
        ),
    ]
    return [(numbered(s), args) for s, args in statements]


def test_a_database_made_by_the_first_schema_upgrades_with_its_data(empty_url: str) -> None:
    assert asyncio.run(migrate(empty_url, target=1)) == [1]
    sql(empty_url, version_one_rows(empty_url))
    shipped = shipped_versions(empty_url)
    assert asyncio.run(migrate(empty_url)) == shipped[1:]
    assert sql(empty_url, [("SELECT version FROM schema_migrations ORDER BY 1", ())]) == [
        (v,) for v in shipped
    ]

    async def use() -> None:
        store = await open_store(empty_url)
        try:
            ann = await store.record_by_unique(PORTAL, TYPE, "email", "ann@x.com")
            assert ann is not None
            assert ann.properties == {"email": "ann@x.com", "firstname": "Ann"}
            records = Records(store, FrozenClock(START_MS + 1000))
            # Ann was written before search existed: she lags, and search catches her up.
            by_name = SearchRequest(
                filter_groups=[FilterGroup([Filter("firstname", "EQ", value="ann")])]
            )
            assert await store.search_lagging() == [(PORTAL, TYPE)]
            found = await records.search(PORTAL, CONTACTS, by_name)
            assert [r.record_id for r in found.records] == [1]
            assert await store.search_lagging() == []
            outcome = await records.batch_upsert(
                Actor(PORTAL, "1"),
                CONTACTS,
                [
                    UpsertInput(id="ann@x.com", id_property="email", properties={"lastname": "L"}),
                    UpsertInput(id="bob@x.com", id_property="email", properties={}),
                ],
            )
            assert [(r.record.record_id, r.new) for r in outcome.results] == [(1, False), (2, True)]
            history = await store.history(PORTAL, TYPE, 1, ["firstname", "lastname"])
            assert [e.value for e in history["firstname"]] == ["Ann"]
            assert [e.value for e in history["lastname"]] == ["L"]
        finally:
            await store.close()

    asyncio.run(use())


def test_concurrent_migrators_apply_each_migration_once(empty_url: str) -> None:
    async def race() -> list[list[int]]:
        return await asyncio.gather(*(migrate(empty_url) for _ in range(4)))

    applied = asyncio.run(race())
    assert sorted(v for versions in applied for v in versions) == shipped_versions(empty_url)
    assert asyncio.run(migrate(empty_url)) == []


def shipped_versions(url: str) -> list[int]:
    return [m.version for m in migrations.available(dialect(url))]


def test_migrate_command_applies_then_reports_up_to_date(empty_url: str) -> None:
    first = hubcrm("migrate", "--database", empty_url)
    assert first.returncode == 0, first.stderr
    assert (
        first.stdout
        == "applied schema migrations " + ", ".join(map(str, shipped_versions(empty_url))) + "\n"
    )
    again = hubcrm("migrate", "--database", empty_url)
    assert (again.returncode, again.stdout) == (0, "the database schema is up to date\n")


def test_every_command_refuses_a_newer_schema(database_url: str) -> None:
    latest = migrations.latest(dialect(database_url))
    asyncio.run(migrate(database_url))
    sql(
        database_url,
        [(numbered("INSERT INTO schema_migrations (version) VALUES (?)"), (latest + 1,))],
    )
    message = (
        f"hubcrm: the database schema is at version {latest + 1}, newer than this hubcrm knows"
        f" ({dialect(database_url)} version {latest}): upgrade hubcrm\n"
    )
    for command in (
        ["serve", "--port", "0"],
        ["migrate"],
        ["token", "create"],
    ):
        refused = hubcrm(*command, "--database", database_url)
        assert (refused.returncode, refused.stderr) == (2, message), command
        assert "listening" not in refused.stdout

    with pytest.raises(SchemaTooNew):
        asyncio.run(open_store(database_url))


def test_an_unreachable_database_is_a_clean_error(tmp_path: Path) -> None:
    refused = hubcrm("migrate", "--database", f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    assert refused.returncode == 2
    assert refused.stderr == (
        f"hubcrm: cannot open the SQLite database {tmp_path / 'missing' / 'x.db'}: its folder"
        f" {tmp_path / 'missing'} does not exist: create it, or give another path\n"
    )


def test_an_unreachable_postgresql_is_a_clean_error() -> None:
    refused = hubcrm("migrate", "--database", "postgresql://postgres@127.0.0.1:1/none")
    assert refused.returncode == 2
    assert refused.stderr.startswith("hubcrm: cannot reach PostgreSQL at 127.0.0.1:1/none (")
    assert refused.stderr.endswith(
        "): start the server, or correct the host and port in --database / HUBCRM_DATABASE_URL\n"
    )
    assert "Traceback" not in refused.stderr


def test_every_table_is_keyed_first_by_portal(database_url: str) -> None:
    """The layout a distributed PostgreSQL shards by: each table's key (or, for a table without
    one, each index) leads with portal_id. schema_migrations is the database's own, and
    seed_definitions (HubSpot's default properties, shared by every portal) a reference table
    every shard would hold whole."""
    asyncio.run(migrate(database_url))
    if database_url.startswith("sqlite:"):
        tables = [row[0] for row in sql(database_url, [(SQLITE_TABLES, ())])]
        keys = {}
        for table in tables:
            info = sql(database_url, [(f"PRAGMA table_info('{table}')", ())])
            key = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5] > 0]
            if not key:  # a rowid table: its indexes
                for index in sql(database_url, [(f"PRAGMA index_list('{table}')", ())]):
                    columns = sql(database_url, [(f"PRAGMA index_info('{index[1]}')", ())])
                    key.append(columns[0][2])
            keys[table] = key[0] if key else None
    else:
        keys = dict(sql(database_url, [(POSTGRES_LEADING_KEYS, ())]))
    keys.pop("schema_migrations")
    assert keys.pop("seed_definitions") == "seed_key"
    for table in DEVELOPER_ACCOUNT_TABLES:
        keys.pop(table)
    assert keys
    assert set(keys.values()) == {"portal_id"}, keys


# Apps and what hangs off them belong to the developer account, which names the portals it is
# installed in (docs/architecture.md, "What is not per portal").
DEVELOPER_ACCOUNT_TABLES = (
    "apps",
    "app_installs",
    "oauth_codes",
    "oauth_refresh_tokens",
    "webhook_subscriptions",
)
SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
POSTGRES_LEADING_KEYS = """
SELECT c.relname, (
    SELECT a.attname FROM pg_index i
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
    WHERE i.indrelid = c.oid ORDER BY NOT i.indisprimary LIMIT 1)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind = 'r'
"""


def version(url: str, name: str) -> int:
    """The number of the dialect's migration called `name`."""
    (found,) = [m.version for m in migrations.available(dialect(url)) if m.name == name]
    return found


def test_whole_value_tokens_give_way_to_the_values_they_repeat(empty_url: str) -> None:
    asyncio.run(migrate(empty_url, target=version(empty_url, "whole_value_tokens") - 1))
    value = (
        "INSERT INTO search_values (portal_id, object_type, property, record_id, text_value)"
        " VALUES ($1, $2, $3, $4, $5)"
    )
    token = "INSERT INTO search_tokens VALUES ($1, $2, $3, $4, $5)"
    sql(
        empty_url,
        [
            (value, (PORTAL, TYPE, "company", 1, "acme corp")),
            *[(token, (PORTAL, TYPE, "company", t, 1)) for t in ("acme corp", "acme", "corp")],
            (token, (PORTAL, TYPE, "city", "acme corp", 1)),  # another property's: kept
        ],
    )
    asyncio.run(migrate(empty_url))
    rows = sql(empty_url, [("SELECT property, token FROM search_tokens ORDER BY 1, 2", ())])
    assert rows == [("city", "acme corp"), ("company", "acme"), ("company", "corp")]


def test_search_rows_of_record_columns_give_way_to_the_columns(empty_url: str) -> None:
    """Search rows written for a record's id, creation and last change before they were searched
    in the record's own columns are deleted; the columns find the record instead."""
    asyncio.run(migrate(empty_url, target=version(empty_url, "record_columns_searched") - 1))
    # Ann as version 1 wrote her; unique values have gained a column since (and are not needed).
    sql(empty_url, [s for s in version_one_rows(empty_url) if "unique_values" not in s[0]])
    value = (
        "INSERT INTO search_values (portal_id, object_type, property, record_id, text_value,"
        " number_value) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    stamp = "2026-01-01t00:00:00.000z"
    sql(
        empty_url,
        [
            (value, (PORTAL, TYPE, "firstname", 1, "ann", None)),
            (value, (PORTAL, TYPE, "hs_object_id", 1, "1", 1.0)),
            (value, (PORTAL, TYPE, "createdate", 1, stamp, float(START_MS))),
            (value, (PORTAL, TYPE, "lastmodifieddate", 1, stamp, float(START_MS))),
        ],
    )
    asyncio.run(migrate(empty_url))
    assert sql(empty_url, [("SELECT property FROM search_values", ())]) == [("firstname",)]

    async def search() -> list[int]:
        store = await open_store(empty_url)
        try:
            since = Filter("createdate", "GTE", value=str(START_MS))
            request = SearchRequest(filter_groups=[FilterGroup([since])], sorts=["-createdate"])
            found = await Records(store, FrozenClock(START_MS)).search(PORTAL, CONTACTS, request)
            return [r.record_id for r in found.records]
        finally:
            await store.close()

    assert asyncio.run(search()) == [1]


def test_history_becomes_one_row_per_write_and_reads_the_same(empty_url: str) -> None:
    """Entries a write made together become one row; reading history gives every entry as
    before, newest first, same-millisecond writes in the order they were made."""
    asyncio.run(migrate(empty_url, target=version(empty_url, "history_by_write") - 1))
    entry = numbered(
        "INSERT INTO property_history (portal_id, object_type, record_id, property, timestamp,"
        " value, source_type, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    later = START_MS + 1000
    written = [
        (1, "firstname", START_MS, "A", "1"),
        (1, "lastname", START_MS, "B", "1"),
        (2, "firstname", START_MS, "Z", "1"),
        (1, "firstname", later, "C", "1"),
        (1, "firstname", later, "D", None),  # another source, the same millisecond, after C
        (1, "firstname", later, "E", "1"),  # the first source again: a write of its own
    ]
    sql(empty_url, [(entry, (PORTAL, TYPE, r, p, t, v, "API", s)) for r, p, t, v, s in written])
    asyncio.run(migrate(empty_url))
    assert sql(empty_url, [("SELECT COUNT(*) FROM property_changes", ())]) == [(5,)]

    async def read() -> dict[int, dict[str, list[tuple[str, int, str | None]]]]:
        store = await open_store(empty_url)
        try:
            out = {}
            for record_id in (1, 2):
                found = await store.history(PORTAL, TYPE, record_id, ["firstname", "lastname"])
                out[record_id] = {
                    name: [(e.value, e.timestamp, e.source_id) for e in entries]
                    for name, entries in found.items()
                }
            return out
        finally:
            await store.close()

    assert asyncio.run(read()) == {
        1: {
            "firstname": [
                ("E", later, "1"),
                ("D", later, None),
                ("C", later, "1"),
                ("A", START_MS, "1"),
            ],
            "lastname": [("B", START_MS, "1")],
        },
        2: {"firstname": [("Z", START_MS, "1")], "lastname": []},
    }


SEARCHED_PROPERTIES = {"sqlite": 14, "postgresql": 18}


def test_properties_with_search_rows_stay_searched_after_search_keeps_only_named_ones(
    empty_url: str,
) -> None:
    version = SEARCHED_PROPERTIES[dialect(empty_url)]
    before = max(v for v in shipped_versions(empty_url) if v < version)
    asyncio.run(migrate(empty_url, target=before))
    sql(
        empty_url,
        [
            (numbered("INSERT INTO portals (portal_id, created_at) VALUES (?, ?)"), (PORTAL, 1)),
            (
                numbered("INSERT INTO search_values VALUES (?, ?, ?, ?, ?, ?)"),
                (PORTAL, TYPE, "firstname", 1, "ann", None),
            ),
            (
                numbered("INSERT INTO search_tokens VALUES (?, ?, ?, ?, ?)"),
                (PORTAL, TYPE, "company", "acme", 1),
            ),
        ],
    )
    assert version in asyncio.run(migrate(empty_url))
    rows = sql(empty_url, [("SELECT property, built_to FROM searched_properties ORDER BY 1", ())])
    assert rows == [("company", None), ("firstname", None)]
