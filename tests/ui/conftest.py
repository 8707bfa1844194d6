"""Fixtures of the UI's tests: a live hubcrm and headless Chromium signed in to it, and an
in-process hubcrm for the page tests.

While a test process runs the tests of tests/ui, it keeps one Chromium (a browser context per
test: cookies and storage of its own) and one live hubcrm per backend, each test in a new portal
of its own; both are stopped when the process moves on to other tests (package scope), since even
idle a server polls its database. The page tests take the suite's `api`, an in-process hubcrm
shared in the same way by the tests of a worker. A test that needs
other settings or a new database starts its own. The browser is Debian's chromium driven by
Playwright (hubcrm.testing.browser). Where it is missing the browser tests are skipped, except
in CI (CI=true) or with HUBCRM_TEST_REQUIRE_BROWSER=1, where that is a failure. A failing
browser test leaves a screenshot of the page in .artifacts/ui/ (or HUBCRM_TEST_ARTIFACTS).
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hubcrm.testing import demo
from hubcrm.testing.browser import SharedChromium, browser_missing
from hubcrm.testing.portal import Portal
from tests.backends import fresh_database
from tests.server import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
_OUTCOME = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_OUTCOME] = report
    return report


def browser_required() -> bool:
    flags = (os.environ.get("CI", ""), os.environ.get("HUBCRM_TEST_REQUIRE_BROWSER", ""))
    return any(flag.lower() not in ("", "0", "false") for flag in flags)


def artifacts() -> Path:
    folder = Path(os.environ.get("HUBCRM_TEST_ARTIFACTS") or ROOT / ".artifacts") / "ui"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Ui:
    """A live hubcrm, a portal's token (and the portal, on a server with the control API), and a
    page of a browser context of the test's own."""

    server: LiveServer
    page: Page
    token: str
    portal: Portal | None = None

    @property
    def base(self) -> str:
        return self.server.base_url + "/ui"

    def api(self, token: str | None = None) -> demo.Api:
        return demo.Api(self.server.base_url, token or self.token)

    def sign_in(self, token: str | None = None) -> None:
        self.page.goto(self.base + "/")
        self.page.fill("#token", token or self.token)
        self.page.click("button.primary")
        self.page.wait_for_url(re.compile(r".*/ui/objects$"))


class LiveServers:
    """One `hubcrm serve --control` per backend for the browser tests, started on first use over a
    new database of its own. Each test works in a new portal of it, so tests see only their own
    records, journal and webhooks."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[str, LiveServer] = {}
        self.stack = ExitStack()

    def of(self, backend: str) -> LiveServer:
        if backend not in self.running:
            url = self.stack.enter_context(fresh_database(backend, self.folder))
            server = LiveServer(url, "--control").start()
            self.stack.callback(server.stop)
            self.running[backend] = server
        return self.running[backend]


def _need_browser() -> None:
    reason = browser_missing()
    if reason is not None:
        if browser_required():
            pytest.fail(f"the browser tests must run here, but {reason}")
        pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="package")
def shared_chromium() -> Iterator[SharedChromium]:
    """Chromium, launched by the first test that opens a page."""
    browser = SharedChromium()
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="package")
def live_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServers]:
    servers = LiveServers(tmp_path_factory.mktemp("ui-servers"))
    with servers.stack:
        yield servers


@contextmanager
def _browsing(
    request: pytest.FixtureRequest,
    browser: SharedChromium,
    server: LiveServer,
    token: str,
    portal: Portal | None = None,
) -> Iterator[Ui]:
    from playwright.sync_api import expect

    with browser.context(viewport={"width": 1280, "height": 900}) as context:
        page = context.new_page()
        page.set_default_timeout(15_000)
        expect.set_options(timeout=15_000)  # a ceiling for a busy machine, not a wait
        try:
            yield Ui(server, page, token, portal)
        finally:
            outcome = request.node.stash.get(_OUTCOME, None)
            if outcome is not None and outcome.failed:
                name = re.sub(r"[^\w.-]", "_", request.node.name)
                shot = artifacts() / f"{name}.png"
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failing page: {shot}")


@pytest.fixture
def ui(
    request: pytest.FixtureRequest,
    backend: str,
    live_servers: LiveServers,
    shared_chromium: SharedChromium,
) -> Iterator[Ui]:
    """A new portal of this process's live hubcrm of the backend (control API on), and a page."""
    _need_browser()
    server = live_servers.of(backend)
    portal = server.portal_for(request.node.nodeid)
    with _browsing(request, shared_chromium, server, portal.token, portal) as live:
        yield live


@pytest.fixture
def control_ui(ui: Ui) -> Ui:
    """As `ui`, named for the tests that use the control API (apps, webhooks)."""
    return ui


@pytest.fixture
def open_ui(
    request: pytest.FixtureRequest, database_url: str, shared_chromium: SharedChromium
) -> Iterator[Ui]:
    """A live hubcrm of its own with `--auth open` (any token opens its own portal), and a page."""
    _need_browser()
    server = LiveServer(database_url, "--auth", "open").start()
    try:
        with _browsing(request, shared_chromium, server, server.token) as live:
            yield live
    finally:
        server.stop()
