"""The command line: `hubcrm token create`, and settings documented as the code defines them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hubcrm.domain import auth
from hubcrm.runtime.settings import SETTINGS
from hubcrm.store import open_store
from tests.cli.commands import hubcrm as hubcrm  # other tests take it from here
from tests.cli.commands import run

ROOT = Path(__file__).resolve().parents[2]


def test_token_create_prints_a_token_as_the_last_line(database_url: str) -> None:
    url = database_url
    # `python -m hubcrm` itself, as users run it; the other tests share one hubcrm process.
    made = run("token", "create", "--portal", "4242", "--database", url)
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("pat-na1-")
    scoped = run(
        "token",
        "create",
        "--portal",
        "4242",
        "--scopes",
        "crm.objects.contacts.read",
        "--database",
        url,
    )
    scoped_secret = scoped.stdout.strip().splitlines()[-1]

    async def lookup() -> None:
        store = await open_store(url)
        try:
            assert await store.portal_ids() == [4242]
            token = await store.token_by_hash(auth.token_hash(secret))
            assert token is not None
            assert token.portal_id == 4242
            assert token.scopes == auth.DEFAULT_SCOPES
            limited = await store.token_by_hash(auth.token_hash(scoped_secret))
            assert limited is not None
            assert limited.scopes == {"crm.objects.contacts.read"}
            assert await store.token_by_hash(secret) is None  # only the hash is stored
        finally:
            await store.close()

    asyncio.run(lookup())


def test_token_create_on_an_empty_database_creates_a_portal(database_url: str) -> None:
    made = hubcrm("token", "create", "--database", database_url)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[0].startswith("portal ")


def test_every_setting_is_documented() -> None:
    documented = (ROOT / "docs" / "settings.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.flag}`" in documented
        assert f"`{setting.env}`" in documented
