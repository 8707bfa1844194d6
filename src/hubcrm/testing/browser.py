"""Headless Chromium for the UI's tests and screenshots: Debian's `chromium`, driven by Playwright.

Playwright's own browser downloads are never used: the system's Chromium is found on PATH (or
at HUBCRM_CHROMIUM) and launched headless. `chromium()` launches one for a block of code;
`SharedChromium` keeps one for many tests, each in a browser context of its own.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright

ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Every new window preloads Chromium's omnibox popup, a WebUI page in a renderer of its own: about
# half a second of CPU per page opened, for a popup that never shows headless.
UNUSED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup")


def chromium_path() -> str | None:
    """The system Chromium, or None if there is none."""
    named = os.environ.get("HUBCRM_CHROMIUM")
    if named:
        return named if os.path.exists(named) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_missing() -> str | None:
    """Why no browser can be launched (None when one can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        return "no Chromium on PATH (apt-get install chromium)"
    return None


@functools.cache
def playwright_disabled_features() -> tuple[str, ...] | None:
    """The features Playwright's driver disables in the Chromium it launches, read from the
    driver's bundle; None where they cannot be read there."""
    import playwright

    bundle = Path(playwright.__file__).parent / "driver" / "package" / "lib" / "coreBundle.js"
    try:
        text = bundle.read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r"\bdisabledFeatures = \[(.*?)\]", text, re.DOTALL)
    names = re.findall(r'"(\w+)"', found.group(1)) if found else []
    return tuple(names) or None


def launch_args() -> list[str]:
    """ARGS, and the features to disable: Chromium keeps only the last --disable-features, so
    ours repeats Playwright's; where Playwright's cannot be read, its own are left alone."""
    disabled = playwright_disabled_features()
    if disabled is None:
        return list(ARGS)
    return [*ARGS, "--disable-features=" + ",".join((*disabled, *UNUSED_FEATURES))]


def launch(playwright: Playwright) -> Browser:
    path = chromium_path()
    assert path is not None, browser_missing()
    return playwright.chromium.launch(executable_path=path, args=launch_args())


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


class SharedChromium:
    """One headless Chromium for every browser test of a process, launched on first use; each
    test gets a browser context of its own (cookies, storage, pages) and closes it afterwards.

    Launching Playwright's driver and Chromium costs seconds of CPU; a context costs a fraction.
    The sync Playwright marks its event loop as running in this thread for as long as it lives,
    which makes asyncio.run() refuse to start here. Between contexts the loop is set aside, so
    that the rest of a test run (fixtures and tests that call asyncio.run()) goes on as before,
    and it is put back when the next context opens.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @contextmanager
    def context(self, **options: Any) -> Iterator[BrowserContext]:
        """A new browser context (as `Browser.new_context(**options)`), closed on the way out."""
        self._resume()
        try:
            context = self._launched().new_context(**options)
            try:
                yield context
            finally:
                context.close()
        finally:
            self._set_aside()

    def close(self) -> None:
        """Close Chromium and stop Playwright's driver (a later context launches them again)."""
        if self._playwright is None:
            return
        self._resume()
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            self._browser = None
            self._playwright.stop()
            self._playwright = None
            self._loop = None
            asyncio.events._set_running_loop(None)

    def _launched(self) -> Browser:
        if self._playwright is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._loop = asyncio.get_running_loop()  # the driver's, marked running by start()
        if self._browser is None or not self._browser.is_connected():
            self._browser = launch(self._playwright)
        return self._browser

    def _resume(self) -> None:
        if self._loop is None:
            return
        running = asyncio.events._get_running_loop()
        assert running in (None, self._loop), "Playwright's sync API cannot run inside asyncio"
        asyncio.events._set_running_loop(self._loop)

    def _set_aside(self) -> None:
        if self._loop is not None:
            asyncio.events._set_running_loop(None)
