"""The pytest plugin installed with hubcrm (entry point `pytest11`): live hubcrm fixtures.

    hubcrm_server   session scope: `hubcrm serve --control` on a free loopback port over a
                    temporary SQLite file; one per xdist worker
    hubcrm_portal   function scope: a new portal and token for each test, so tests running side
                    by side never see each other's data and need no reset
    hubcrm_webhook_receiver
                    function scope: an HTTP endpoint on loopback that records the webhook
                    requests it receives and checks their signatures (testing/webhooks.py)

Extra `hubcrm serve` arguments come from the `hubcrm_serve_args` ini option or the
`--hubcrm-serve-args` command-line option, e.g. `--search-delay 500`. With `--hubcrm-url` (or
the `hubcrm_url` ini option) the fixtures use a hubcrm already running there, started with
`--control`, instead of starting one; `--hubcrm-admin-token` (or HUBCRM_ADMIN_TOKEN) is its
admin token.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator

import pytest

from hubcrm.testing.portal import Portal
from hubcrm.testing.server import LiveServer
from hubcrm.testing.webhooks import WebhookReceiver


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hubcrm")
    serve_args = "extra arguments for the hubcrm_server fixture's `hubcrm serve`"
    parser.addini("hubcrm_serve_args", serve_args, default="")
    group.addoption("--hubcrm-serve-args", default=None, help=serve_args)
    url = "use the hubcrm running at this URL (with --control) instead of starting one"
    parser.addini("hubcrm_url", url, default="")
    group.addoption("--hubcrm-url", default=None, help=url)
    group.addoption(
        "--hubcrm-admin-token",
        default=os.environ.get("HUBCRM_ADMIN_TOKEN"),
        help="the control API's admin token of the hubcrm at --hubcrm-url",
    )


def _option(config: pytest.Config, name: str) -> str:
    given = config.getoption("--" + name.replace("_", "-"))
    return str(config.getini(name)) if given is None else str(given)


@pytest.fixture(scope="session")
def hubcrm_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A live hubcrm with the control API on, for the whole session."""
    url = _option(request.config, "hubcrm_url")
    if url:
        yield LiveServer.attach(url, request.config.getoption("--hubcrm-admin-token"))
        return
    configured = _option(request.config, "hubcrm_serve_args")
    database = tmp_path_factory.mktemp("hubcrm") / "hubcrm.db"
    server = LiveServer(f"sqlite:///{database}", "--control", *shlex.split(configured)).start()
    yield server
    server.stop()


@pytest.fixture
def hubcrm_portal(hubcrm_server: LiveServer, request: pytest.FixtureRequest) -> Portal:
    """A new portal and token for this test, its id derived from the test's id."""
    return hubcrm_server.portal_for(request.node.nodeid)


@pytest.fixture
def hubcrm_webhook_receiver() -> Iterator[WebhookReceiver]:
    """A webhook target for this test: `receiver.url`, `receiver.secret = app.client_secret`."""
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()
