"""Rendering pages: the template environment, the headers every page carries, and errors.

A HubSpot error (a bad filter, a missing scope, a value the property refuses) becomes a page that
says so in HubSpot's words; anything unexpected becomes a plain page with the correlation id,
never a stack trace.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from hubcrm.domain.clock import format_ms
from hubcrm.protocol.errors import HubSpotError
from hubcrm.ui.session import PATH, CsrfRefused, Session, SignInNeeded, current
from hubcrm.ui.types import has_board, key

log = logging.getLogger("hubcrm")

Handler = Callable[[Request, Session], Awaitable[Response]]

# Pages render only this package's files: no inline script, no other origin, no framing.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _moment(ms: int | None) -> str:
    """`2026-01-01 09:30:00.125`, UTC."""
    return "" if ms is None else format_ms(ms).replace("T", " ").rstrip("Z")


def _pretty(body: str) -> str:
    """A JSON body indented for reading; any other text as it is."""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _source(source_type: str, source_id: str | None) -> str:
    """`API · token 3`: who wrote a value, in words (hubcrm's API writes carry the token id)."""
    if source_id and source_id.isdigit():
        return f"{source_type} · token {source_id}"
    if source_id and source_id.startswith("userId:"):
        return f"{source_type} · token {source_id.removeprefix('userId:')}"
    return f"{source_type} · {source_id}" if source_id else source_type


def _number(value: int) -> str:
    return f"{value:,}"


templates = Environment(
    loader=PackageLoader("hubcrm.ui", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters.update(moment=_moment, pretty=_pretty, number=_number)
templates.globals.update(source=_source)
templates.globals.update(root=PATH, key=key, query=lambda **kw: urlencode(kw, doseq=True))
templates.globals.update(has_board=has_board)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    session: Session | None = None,
    status: int = 200,
) -> HTMLResponse:
    html = templates.get_template(name).render(
        request=request, session=session, path=request.url.path, **context
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def error_page(
    request: Request, session: Session | None, status: int, title: str, message: str, **extra: Any
) -> HTMLResponse:
    context = {"title": title, "message": message, "status": status, **extra}
    return render(request, "error.html", context, session=session, status=status)


def correlation(request: Request) -> str:
    return str(request.scope.get("state", {}).get("correlation_id", ""))


def signed_in(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A page for a signed-in session; errors become readable pages."""

    async def endpoint(request: Request) -> Response:
        try:
            session = await current(request)
        except SignInNeeded as needed:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            params = {"next": target} | ({"reason": needed.reason} if needed.reason else {})
            return RedirectResponse(f"{PATH}/signin?{urlencode(params)}", status_code=303)
        try:
            return await handler(request, session)
        except HubSpotError as error:
            return error_page(
                request,
                session,
                error.status,
                error.category.replace("_", " ").capitalize(),
                error.message,
                details=error.errors,
                context=error.context,
            )
        except CsrfRefused:
            return csrf_refused(request, session)
        except Exception as error:
            log.exception("unexpected error in the UI", exc_info=error)
            return error_page(
                request,
                session,
                500,
                "Something went wrong",
                f"hubcrm could not show this page. Correlation id {correlation(request)}.",
            )

    endpoint.__name__ = handler.__name__
    return endpoint


def csrf_refused(request: Request, session: Session | None) -> HTMLResponse:
    return error_page(
        request,
        session,
        403,
        "Form expired",
        "This form did not come from this page of hubcrm (its CSRF token is missing or wrong)."
        " Go back, reload the page and send it again.",
    )
