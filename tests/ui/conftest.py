"""Fixtures of the UI's browser tests: a live hubcrm and headless Chromium signed in to it.

The browser is Debian's chromium driven by Playwright (hubcrm.testing.browser). Where it is
missing the browser tests are skipped, except in CI (CI=true) or with
HUBCRM_TEST_REQUIRE_BROWSER=1, where that is a failure. A failing browser test leaves a
screenshot of the page in .artifacts/ui/ (or HUBCRM_TEST_ARTIFACTS).
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hubcrm.testing import demo
from hubcrm.testing.browser import browser_missing, chromium
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
    """A live hubcrm, its first portal's token, and a browser page."""

    server: LiveServer
    page: Page

    @property
    def base(self) -> str:
        return self.server.base_url + "/ui"

    def api(self, token: str | None = None) -> demo.Api:
        return demo.Api(self.server.base_url, token or self.server.token)

    def sign_in(self, token: str | None = None) -> None:
        self.page.goto(self.base + "/")
        self.page.fill("#token", token or self.server.token)
        self.page.click("button.primary")
        self.page.wait_for_url(re.compile(r".*/ui/objects$"))


def _live_ui(request: pytest.FixtureRequest, database_url: str, *extra: str) -> Iterator[Ui]:
    reason = browser_missing()
    if reason is not None:
        if browser_required():
            pytest.fail(f"the browser tests must run here, but {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    server = LiveServer(database_url, *extra).start()
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            try:
                yield Ui(server, page)
            finally:
                outcome = request.node.stash.get(_OUTCOME, None)
                if outcome is not None and outcome.failed:
                    name = re.sub(r"[^\w.-]", "_", request.node.name)
                    shot = artifacts() / f"{name}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    print(f"screenshot of the failing page: {shot}")
    finally:
        server.stop()


@pytest.fixture
def ui(request: pytest.FixtureRequest, database_url: str) -> Iterator[Ui]:
    yield from _live_ui(request, database_url)


@pytest.fixture
def open_ui(request: pytest.FixtureRequest, database_url: str) -> Iterator[Ui]:
    """As `ui`, with `--auth open`: any token opens its own portal."""
    yield from _live_ui(request, database_url, "--auth", "open")


@pytest.fixture
def control_ui(request: pytest.FixtureRequest, database_url: str) -> Iterator[Ui]:
    """As `ui`, with the control API on (apps, webhooks)."""
    yield from _live_ui(request, database_url, "--control")
