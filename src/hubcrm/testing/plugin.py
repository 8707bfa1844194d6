"""The pytest plugin installed with hubcrm (entry point `pytest11`): live hubcrm fixtures.

    hubcrm_server   session scope: `hubcrm serve --control` on a free loopback port over a
                    temporary SQLite file; one per xdist worker
    hubcrm_portal   function scope: a new portal and token for each test, so tests running side
                    by side never see each other's data and need no reset

Extra `hubcrm serve` arguments come from the `hubcrm_serve_args` ini option or the
`--hubcrm-serve-args` command-line option, e.g. `--search-delay 500`.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator

import pytest

from hubcrm.testing.portal import Portal
from hubcrm.testing.server import LiveServer


def pytest_addoption(parser: pytest.Parser) -> None:
    help_text = "extra arguments for the hubcrm_server fixture's `hubcrm serve`"
    parser.addini("hubcrm_serve_args", help_text, default="")
    parser.getgroup("hubcrm").addoption("--hubcrm-serve-args", default=None, help=help_text)


@pytest.fixture(scope="session")
def hubcrm_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A live hubcrm with the control API on, for the whole session."""
    configured = request.config.getoption("--hubcrm-serve-args")
    if configured is None:
        configured = str(request.config.getini("hubcrm_serve_args"))
    database = tmp_path_factory.mktemp("hubcrm") / "hubcrm.db"
    server = LiveServer(f"sqlite:///{database}", "--control", *shlex.split(configured)).start()
    yield server
    server.stop()


@pytest.fixture
def hubcrm_portal(hubcrm_server: LiveServer, request: pytest.FixtureRequest) -> Portal:
    """A new portal and token for this test, its id derived from the test's id."""
    return hubcrm_server.portal_for(request.node.nodeid)
