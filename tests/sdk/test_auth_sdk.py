"""Tokens, scopes and portals as HubSpot's Python SDK meets them on a live server."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator

import pytest
from hubspot import Client
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInputUpsert,
)
from hubspot.crm.contacts.exceptions import ApiException

from hubcrm import cli
from hubcrm.protocol import messages
from tests.sdk.conftest import sdk_client
from tests.server import LiveServer


def upsert(client: Client, email: str) -> str:
    body = BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[SimplePublicObjectBatchInputUpsert(id=email, id_property="email", properties={})]
    )
    return str(client.crm.contacts.batch_api.upsert(body).results[0].id)


def refusal(call: object) -> tuple[int, dict[str, object]]:
    assert callable(call)
    with pytest.raises(ApiException) as refused:
        call()
    return refused.value.status, json.loads(refused.value.body)


def hubcrm(*args: str) -> str:
    """The `hubcrm` command run in this process (the command as a child process is tests/cli's):
    what it printed, once it has succeeded."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli.main(args)
    assert code == 0, printed.getvalue()
    return printed.getvalue()


def token(server: LiveServer, *args: str) -> str:
    made = hubcrm("token", "create", "--database", server.database_url, *args)
    return made.strip().splitlines()[-1]


def test_scopes_expiry_and_revocation_through_the_sdk(server: LiveServer) -> None:
    portal = str(server.portal_id)
    read_only = sdk_client(
        server, token(server, "--portal", portal, "--scopes", "crm.objects.contacts.read")
    )
    status, body = refusal(lambda: upsert(read_only, "a@x.com"))
    assert (status, body["category"], body["message"]) == (
        403,
        "MISSING_SCOPES",
        messages.MISSING_SCOPES,
    )
    assert body["errors"] == [
        {
            "message": messages.MISSING_SCOPES_DETAIL,
            "context": {"requiredGranularScopes": ["crm.objects.contacts.write"]},
        }
    ]

    expired = sdk_client(server, token(server, "--portal", portal, "--expires-in", "0"))
    status, body = refusal(lambda: expired.crm.contacts.basic_api.get_by_id("1"))
    assert (status, body["category"]) == (401, "EXPIRED_AUTHENTICATION")
    assert str(body["message"]).startswith("The OAuth token used to make this call expired ")
    assert list(body["context"]) == ["expire time"]  # type: ignore[call-overload]

    secret = token(server, "--portal", portal)
    revocable = sdk_client(server, secret)
    assert upsert(revocable, "b@x.com") == "1"
    hubcrm("token", "revoke", secret, "--database", server.database_url)
    status, body = refusal(lambda: upsert(revocable, "c@x.com"))
    assert (status, body["category"]) == (401, "INVALID_AUTHENTICATION")


@pytest.fixture
def open_server(database_url: str) -> Iterator[LiveServer]:
    live = LiveServer(database_url, "--auth", "open").start()
    yield live
    live.stop()


def test_open_mode_isolates_suites_by_token(open_server: LiveServer) -> None:
    first = Client.create(access_token="suite-a", host=open_server.base_url)
    second = Client.create(access_token="suite-b", host=open_server.base_url)
    record_id = upsert(first, "shared@x.com")
    assert first.crm.contacts.basic_api.get_by_id(record_id).id == record_id
    status, body = refusal(lambda: second.crm.contacts.basic_api.get_by_id(record_id))
    assert (status, body["category"], body["message"]) == (
        404,
        "OBJECT_NOT_FOUND",
        messages.NOT_FOUND,
    )
    assert upsert(second, "shared@x.com") == "1"  # its own portal, its own id sequence
