"""`hubcrm owner create | list`."""

from __future__ import annotations

from hubcrm.domain.owners import FIRST_OWNER_ID, FIRST_USER_ID
from hubcrm.protocol import messages
from tests.cli.commands import hubcrm


def test_create_and_list_owners(database_url: str) -> None:
    url = database_url
    assert hubcrm("token", "create", "--portal", "77", "--database", url).returncode == 0
    made = hubcrm(
        "owner", "create", "--email", "Ada@Example.com", "--first-name", "Ada",
        "--last-name", "Lovelace", "--database", url,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == [
        "portal 77",
        f"owner id {FIRST_OWNER_ID}",
        f"user id {FIRST_USER_ID}",
    ]
    again = hubcrm(
        "owner", "create", "--portal", "77", "--email", "ada@example.com", "--database", url
    )
    assert again.returncode == 1
    assert messages.OWNER_EXISTS.format(email="ada@example.com") in again.stderr
    listed = hubcrm("owner", "list", "--database", url)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "portal\tid\tuserId\temail\tfirstName\tlastName\tarchived",
        f"77\t{FIRST_OWNER_ID}\t{FIRST_USER_ID}\tada@example.com\tAda\tLovelace\tfalse",
    ]


def test_create_needs_a_known_portal(database_url: str) -> None:
    url = database_url
    missing = hubcrm("owner", "create", "--portal", "5", "--email", "a@x.com", "--database", url)
    assert missing.returncode == 1
    assert messages.PORTAL_NOT_FOUND.format(portal=5) in missing.stderr
    bad = hubcrm("owner", "create", "--email", "a@x.com", "--database", url)
    assert bad.returncode == 2
