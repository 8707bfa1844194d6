"""`hubcrm token create | list | revoke`, and `serve` refusing unsafe combinations."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hubcrm.domain import auth
from hubcrm.store import open_store
from hubcrm.store.base import Token
from tests.cli.commands import hubcrm


def stored(url: str, secret: str) -> Token:
    async def lookup() -> Token:
        store = await open_store(url)
        try:
            token = await store.token_by_hash(auth.token_hash(secret))
        finally:
            await store.close()
        assert token is not None
        return token

    return asyncio.run(lookup())


def test_create_with_a_name_and_an_expiry(database_url: str) -> None:
    url = database_url
    made = hubcrm(
        "token", "create", "--portal", "77", "--name", "ci", "--expires-in", "60", "--database", url
    )
    assert made.returncode == 0, made.stderr
    portal_line, id_line, secret = made.stdout.strip().splitlines()
    assert (portal_line, id_line) == ("portal 77", "token id 1")
    token = stored(url, secret)
    assert token.name == "ci"
    assert token.expires_at is not None
    assert token.expires_at - token.created_at == 60_000


def test_list_shows_tokens_but_never_their_secrets(database_url: str) -> None:
    url = database_url
    secret = hubcrm("token", "create", "--portal", "77", "--name", "ci", "--database", url)
    hubcrm("token", "create", "--portal", "88", "--expires-in", "0", "--database", url)
    hubcrm(
        "token",
        "create",
        "--portal",
        "88",
        "--scopes",
        "crm.objects.contacts.read",
        "--database",
        url,
    )
    listed = hubcrm("token", "list", "--database", url)
    assert listed.returncode == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.strip().splitlines()]
    assert lines[0] == ["portal", "id", "status", "created", "expires", "name", "scopes"]
    assert [(row[0], row[1], row[2], row[5]) for row in lines[1:]] == [
        ("77", "1", "live", "ci"),
        ("88", "1", "expired", ""),
        ("88", "2", "live", ""),
    ]
    assert lines[3][6] == "crm.objects.contacts.read"
    assert secret.stdout.strip().splitlines()[-1] not in listed.stdout
    only = hubcrm("token", "list", "--portal", "88", "--database", url)
    assert len(only.stdout.strip().splitlines()) == 3


def test_revoke_by_secret_or_by_id(database_url: str) -> None:
    url = database_url
    first = hubcrm("token", "create", "--portal", "77", "--database", url).stdout.split()[-1]
    second = hubcrm("token", "create", "--portal", "77", "--database", url).stdout.split()[-1]
    by_secret = hubcrm("token", "revoke", first, "--database", url)
    assert by_secret.returncode == 0, by_secret.stderr
    assert by_secret.stdout.strip() == "revoked token 1 of portal 77"
    assert first not in by_secret.stdout + by_secret.stderr
    by_id = hubcrm("token", "revoke", "2", "--database", url)
    assert by_id.stdout.strip() == "revoked token 2 of portal 77"
    assert stored(url, first).revoked_at is not None
    assert stored(url, second).revoked_at is not None
    again = hubcrm("token", "revoke", "2", "--database", url)
    assert again.returncode == 0
    assert "already revoked" in again.stdout


def test_revoke_refuses_unknown_and_ambiguous_tokens(database_url: str) -> None:
    url = database_url
    hubcrm("token", "create", "--portal", "77", "--database", url)
    hubcrm("token", "create", "--portal", "88", "--database", url)
    unknown = hubcrm("token", "revoke", "pat-na1-secret-never-echoed", "--database", url)
    assert unknown.returncode == 1
    assert unknown.stderr == "hubcrm: no such token\n"
    ambiguous = hubcrm("token", "revoke", "1", "--database", url)
    assert ambiguous.returncode == 1
    assert "choose one with --portal" in ambiguous.stderr
    chosen = hubcrm("token", "revoke", "1", "--portal", "88", "--database", url)
    assert chosen.stdout.strip() == "revoked token 1 of portal 88"


def test_serve_refuses_open_auth_beyond_loopback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    refused = hubcrm("serve", "--auth", "open", "--host", "0.0.0.0", "--database", url)
    assert refused.returncode == 2
    assert "refusing --auth open on 0.0.0.0" in refused.stderr
    assert not (tmp_path / "cli.db").exists()  # refused before touching anything


def test_serve_rejects_unknown_choices(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    bad = hubcrm("serve", "--rate-limit", "platinum", "--database", url)
    assert bad.returncode == 2
    assert "invalid choice: 'platinum'" in bad.stderr
