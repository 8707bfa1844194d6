"""`hubcrm app create | list | delete`."""

from __future__ import annotations

import asyncio
import json

from hubcrm.domain import auth
from hubcrm.store import open_store
from tests.cli.commands import hubcrm


def test_app_create_prints_credentials_and_keeps_only_what_it_must(database_url: str) -> None:
    made = hubcrm(
        "app",
        "create",
        "--portal",
        "4242",
        "--name",
        "Sync",
        "--scopes",
        "oauth,crm.objects.contacts.read",
        "--redirect-uri",
        "https://example.com/cb",
        "--json",
        "--database",
        database_url,
    )
    assert made.returncode == 0, made.stderr
    credentials = json.loads(made.stdout.strip().splitlines()[-1])
    assert {"appId", "clientId", "clientSecret", "developerApiKey"} <= set(credentials)
    assert credentials["portalId"] == 4242

    async def stored() -> None:
        store = await open_store(database_url)
        try:
            app = await store.app(credentials["appId"])
            assert app is not None
            assert (app.name, app.redirect_uris) == ("Sync", ("https://example.com/cb",))
            assert app.scopes == {"oauth", "crm.objects.contacts.read"}
            # The secret signs webhooks, so it is kept; the developer key only as its hash.
            assert app.client_secret == credentials["clientSecret"]
            assert app.developer_key_hash == auth.token_hash(credentials["developerApiKey"])
        finally:
            await store.close()

    asyncio.run(stored())
    plain = hubcrm("app", "create", "--portal", "4242", "--database", database_url)
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert [line.rsplit(" ", 1)[0] for line in lines] == [
        "portal",
        "app id",
        "client id",
        "client secret",
        "developer API key",
    ]
    listed = hubcrm("app", "list", "--database", database_url)
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()[1:]
    assert [row.split("\t")[:3] for row in rows] == [
        [str(credentials["appId"]), "4242", "Sync"],
        [lines[1].split()[-1], "4242", "hubcrm app"],
    ]
    assert credentials["clientSecret"] not in listed.stdout
    deleted = hubcrm("app", "delete", str(credentials["appId"]), "--database", database_url)
    assert (deleted.returncode, deleted.stdout) == (0, f"deleted app {credentials['appId']}\n")
    again = hubcrm("app", "delete", str(credentials["appId"]), "--database", database_url)
    assert (again.returncode, again.stderr) == (
        1,
        f"hubcrm: App {credentials['appId']} does not exist\n",
    )
