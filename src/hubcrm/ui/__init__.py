"""The web UI at /ui/: what a portal holds, seen through a token of it.

Server-rendered pages (Jinja2, autoescaped) over the same domain functions the API calls; no
build step and nothing fetched from elsewhere: the CSS and the little JavaScript are files of
this package. Signing in, the session cookie and CSRF are in session.py; the pages in
records.py (object types, records, one record, properties) and journal.py (the request journal
and its chart); pages.py renders templates and turns errors into readable pages; routes.py
maps paths to them.
"""

from __future__ import annotations

from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from hubcrm.ui.session import PATH

__all__ = ["PATH", "mount"]


def mount(*, tls_terminator: bool = False) -> Mount:
    """The UI, mounted at PATH. Its pages (and Jinja2) are imported by the first request to it:
    they are a fifth of a server's start, and most servers, in tests and in CI, never show one."""
    return Mount(PATH, app=_OnFirstRequest(tls_terminator))


class _OnFirstRequest:
    def __init__(self, tls_terminator: bool) -> None:
        self._tls_terminator = tls_terminator
        self._pages: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._pages is None:
            from hubcrm.ui.routes import router

            self._pages = router(tls_terminator=self._tls_terminator)
        await self._pages(scope, receive, send)
