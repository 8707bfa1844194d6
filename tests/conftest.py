"""Shared fixtures: an in-process app over a fresh database of each backend, with a portal and a
token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from starlette.testclient import TestClient

from hubcrm.api import create_app
from hubcrm.api.state import AppState
from hubcrm.domain import auth, portals
from hubcrm.domain.clock import FrozenClock
from hubcrm.runtime.settings import Settings
from tests.backends import BACKENDS, close_databases, fresh_database
from tests.inprocess import InProcessClient

START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00.000Z
T = TypeVar("T")


@dataclass
class Api:
    """An in-process hubcrm with one portal, and a client that sends that portal's token."""

    client: TestClient
    portal_id: int
    token: str
    clock: FrozenClock

    @property
    def state(self) -> AppState:
        app_state: AppState = self.client.app.state.hubcrm  # type: ignore[attr-defined]
        return app_state

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def post(self, path: str, body: Any, token: str | None = None) -> Any:
        return self.client.post(path, json=body, headers=self.headers(token))

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.headers(token))

    def upsert(self, inputs: list[dict[str, Any]], token: str | None = None) -> Any:
        return self.post("/crm/v3/objects/contacts/batch/upsert", {"inputs": inputs}, token)

    def new_token(
        self,
        scopes: frozenset[str] = auth.DEFAULT_SCOPES,
        portal_id: int | None = None,
        expires_at: int | None = None,
    ) -> str:
        secret, _ = self.call(
            auth.issue_token,
            self.state.store,
            self.clock,
            portal_id or self.portal_id,
            scopes,
            None,
            expires_at,
        )
        return str(secret)

    def new_portal(self, scopes: frozenset[str] = auth.DEFAULT_SCOPES) -> tuple[int, str]:
        """Another portal of the same server, and a token of it."""
        portal_id = self.call(portals.create_portal, self.state.store, self.clock)
        return portal_id, self.new_token(scopes, portal_id)

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run a coroutine function on the app's event loop."""
        result: T = self.client.portal.call(fn, *args)  # type: ignore[union-attr]
        return result


# The tests that take longest to run, mostly waiting (rate-limit windows, a nested pytest run,
# mypy, server processes). They start first, so that in parallel they do not finish last while
# the other workers sit idle; the `slow` tests follow, then the rest in their usual order.
LONGEST_FIRST = (
    "test_tool_passes",
    "test_twice_the_sustainable_load_gets_fast_503s_not_unbounded_waits",
    "test_the_example_suite_in_the_docs_passes_in_parallel",
    "test_processes_racing_on_associations_keep_them_whole",
    "test_a_server_killed_mid_delivery_loses_nothing",
    "test_an_import_under_rate_limits_reports_exactly_the_bad_rows",
    "test_sigterm_under_load_loses_nothing_and_exits_0",
    "test_a_killed_import_resumes_with_nothing_lost_or_written_twice",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = getattr(item, "originalname", item.name)
        if name in LONGEST_FIRST:
            return LONGEST_FIRST.index(name)
        return len(LONGEST_FIRST) + (0 if item.get_closest_marker("slow") else 1)

    items.sort(key=rank)  # stable: the order within each rank is kept


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop the PostgreSQL databases this process kept for reuse."""
    close_databases()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each store the suite runs against: SQLite, and PostgreSQL where reachable."""
    name: str = request.param
    return name


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database of each backend, used by one test and dropped afterwards."""
    with fresh_database(backend, tmp_path) as url:
        yield url


@contextmanager
def running_api(database_url: str, **settings: Any) -> Iterator[Api]:
    """An in-process hubcrm with these settings, one portal (12345678) and a token of it."""
    clock = FrozenClock(START_MS)
    settings.setdefault("max_body_bytes", 256 * 1024)
    app = create_app(Settings(database=database_url, **settings), clock)
    with InProcessClient(app, raise_server_exceptions=True) as client:
        state: AppState = app.state.hubcrm
        portal_id = client.portal.call(portals.create_portal, state.store, clock, 12345678)  # type: ignore[union-attr]
        secret, _ = client.portal.call(auth.issue_token, state.store, clock, portal_id)  # type: ignore[union-attr]
        yield Api(client, portal_id, secret, clock)


class SharedApps:
    """One in-process hubcrm per backend, started on first use over a new database of its own,
    shared by the tests of a test process (an xdist worker): each test works in a new portal of
    it. Starting one costs tens of milliseconds of CPU, and on PostgreSQL a pool of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[str, Api] = {}
        self.stack = ExitStack()

    def of(self, backend: str) -> Api:
        if backend not in self.running:
            url = self.stack.enter_context(fresh_database(backend, self.folder))
            self.running[backend] = self.stack.enter_context(running_api(url))
        return self.running[backend]

    def new_portal(self, backend: str) -> Api:
        """A new portal of the backend's app and a token of it, as a new server would have: its
        client holds no cookies, and the clock stands at START_MS."""
        shared = self.of(backend)
        shared.client.cookies.clear()
        shared.clock.advance(START_MS - shared.clock.now_ms())
        portal_id = shared.call(portals.create_portal, shared.state.store, shared.clock)
        return Api(shared.client, portal_id, shared.new_token(portal_id=portal_id), shared.clock)


@pytest.fixture(scope="session")
def shared_apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedApps]:
    apps = SharedApps(tmp_path_factory.mktemp("apps"))
    with apps.stack:
        yield apps


@pytest.fixture
def api(request: pytest.FixtureRequest, backend: str) -> Iterator[Api]:
    """An in-process hubcrm with a portal and a token of it. Portals keep everything a test
    writes apart, so the tests of a process share one app per backend, each in a portal of its own;
    a test marked `own_database` (it looks past its portal: the process's journal, the store
    itself, every portal) gets a new database and app, with portal 12345678."""
    if request.node.get_closest_marker("own_database"):
        with running_api(request.getfixturevalue("database_url")) as api:
            yield api
        return
    yield request.getfixturevalue("shared_apps").new_portal(backend)


def upsert_input(email: str, **properties: str) -> dict[str, Any]:
    return {"idProperty": "email", "id": email, "properties": properties}
