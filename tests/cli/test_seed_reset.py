"""`hubcrm seed FILE` and `hubcrm reset`, on a database or through a running server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from hubcrm.store import open_store
from hubcrm.testing import LiveServer
from tests.cli.commands import hubcrm

CONTACTS_CSV = "email,firstname\nann@example.com,Ann\nbob@example.com,Bob\n"


def stored_emails(url: str, portal_id: int) -> list[str]:
    async def read() -> list[str]:
        store = await open_store(url)
        try:
            found = [
                await store.record_by_unique(portal_id, "0-1", "email", email)
                for email in ("ann@example.com", "bob@example.com")
            ]
        finally:
            await store.close()
        return [record.properties["email"] for record in found if record is not None]

    return asyncio.run(read())


def test_seed_and_reset_a_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert hubcrm("token", "create", "--portal", "4242", "--database", url).returncode == 0
    (tmp_path / "contacts.csv").write_text(CONTACTS_CSV)
    seeded = hubcrm("seed", str(tmp_path / "contacts.csv"), "--database", url)
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout == "seeded 0 properties and 2 contacts\n"
    assert stored_emails(url, 4242) == ["ann@example.com", "bob@example.com"]
    again = hubcrm("seed", str(tmp_path / "contacts.csv"), "--database", url, "--portal", "4242")
    assert again.returncode == 0
    done = hubcrm("reset", "--portal", "4242", "--database", url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "reset portals 4242\n"
    assert stored_emails(url, 4242) == []
    assert hubcrm("token", "create", "--portal", "99", "--database", url).returncode == 0
    everything = hubcrm("reset", "--database", url)
    assert everything.stdout == "reset portals 99, 4242\n"


def test_seed_through_a_running_server(tmp_path: Path) -> None:
    server = LiveServer(f"sqlite:///{tmp_path / 'live.db'}", "--control").start()
    try:
        portal = server.new_portal()
        seed_file = tmp_path / "seed.json"
        seed_file.write_text(json.dumps({"contacts": [{"email": "ann@example.com"}]}))
        done = hubcrm(
            "seed", str(seed_file), "--url", server.base_url, "--portal", str(portal.portal_id)
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == "seeded 0 properties and 1 contacts\n"
        assert portal.journal() == []  # control calls are not journaled
        found = hubcrm("reset", "--url", server.base_url, "--portal", str(portal.portal_id))
        assert found.stdout == f"reset portals {portal.portal_id}\n"
        missing = hubcrm("reset", "--url", server.base_url, "--portal", "1")
        assert missing.returncode == 1
        assert missing.stderr == "hubcrm: Portal 1 does not exist\n"
    finally:
        server.stop()


def test_seed_errors_are_reported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    hubcrm("token", "create", "--portal", "7", "--database", url)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"firstname": "no email"}]))
    failed = hubcrm("seed", str(bad), "--database", url)
    assert failed.returncode == 1
    assert failed.stderr == "hubcrm: Invalid seed: contact 0 has no email\n"
    missing = hubcrm("seed", str(tmp_path / "nope.json"), "--database", url)
    assert missing.returncode == 2


def test_control_on_a_public_address_without_admin_token_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    refused = hubcrm("serve", "--control", "--host", "0.0.0.0", "--port", "0", "--database", url)
    assert refused.returncode == 2
    assert "needs --admin-token" in refused.stderr


def test_seed_a_company_with_its_contacts_and_deals_into_a_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert hubcrm("token", "create", "--portal", "4242", "--database", url).returncode == 0
    seed = {
        "contacts": [{"email": "ann@example.com"}],
        "companies": [
            {
                "properties": {"name": "Acme"},
                "contacts": ["ann@example.com"],
                "deals": [{"properties": {"dealname": "Big"}}],
            }
        ],
    }
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    seeded = hubcrm("seed", str(tmp_path / "seed.json"), "--database", url)
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout == "seeded 0 properties and 1 contacts, 1 companies, 1 deals\n"

    async def read() -> list[tuple[int, int]]:
        store = await open_store(url)
        try:
            rows = await store.associations_page(4242, "0-1", 1, "0-2", after=0, limit=10)
            contact = await store.record(4242, "0-1", 1)
        finally:
            await store.close()
        assert contact is not None
        assert contact.properties["associatedcompanyid"] == "1"
        return [(row.to_id, row.type_id) for row in rows]

    assert asyncio.run(read()) == [(1, 1), (1, 279)]
