"""The UI's routes under /ui, and its sign-in and sign-out."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles

from hubcrm.protocol.errors import HubSpotError
from hubcrm.ui import boards, journal, records, webhooks
from hubcrm.ui.pages import csrf_refused, error_page, render, signed_in
from hubcrm.ui.services import services
from hubcrm.ui.session import (
    COOKIE,
    PATH,
    SIGN_IN_COOKIE,
    CsrfRefused,
    Session,
    SignInNeeded,
    authenticate,
    check_csrf,
    clear_cookie,
    current,
    is_secure,
    safe_next,
    set_cookie,
    sign_in_nonce,
)


class SignIn:
    """The sign-in form, and signing out; the cookies are Secure behind a TLS terminator."""

    def __init__(self, tls_terminator: bool) -> None:
        self.tls_terminator = tls_terminator

    async def form(self, request: Request) -> Response:
        try:
            await current(request)
            return RedirectResponse(safe_next(request.query_params.get("next")), 303)
        except SignInNeeded:
            pass
        return self._form(request, request.query_params.get("reason"), 200)

    def _form(self, request: Request, problem: str | None, status: int) -> Response:
        nonce = sign_in_nonce(request)
        context = {
            "nonce": nonce,
            "next": safe_next(request.query_params.get("next")),
            "problem": problem,
            "open_auth": services(request).auth.mode == "open",
        }
        response = render(request, "signin.html", context, status=status)
        set_cookie(response, SIGN_IN_COOKIE, nonce, secure=self._secure(request))
        return response

    async def submit(self, request: Request) -> Response:
        form = await request.form()
        try:
            check_csrf(request, form, request.cookies.get(SIGN_IN_COOKIE, ""))
        except CsrfRefused:
            return csrf_refused(request, None)
        secret = str(form.get("token", "")).strip()
        try:
            await authenticate(request, secret)
        except HubSpotError as refused:
            return self._form(request, refused.message, 401)
        target = safe_next(str(form.get("next", "")))
        response = RedirectResponse(target, status_code=303)
        set_cookie(response, COOKIE, secret, secure=self._secure(request))
        clear_cookie(response, SIGN_IN_COOKIE, secure=self._secure(request))
        return response

    async def sign_out(self, request: Request) -> Response:
        form = await request.form()
        try:
            session = await current(request)
            check_csrf(request, form, session.csrf)
        except SignInNeeded:
            pass
        except CsrfRefused:
            return csrf_refused(request, None)
        response = RedirectResponse(f"{PATH}/signin?{urlencode({'reason': 'Signed out.'})}", 303)
        clear_cookie(response, COOKIE, secure=self._secure(request))
        return response

    def _secure(self, request: Request) -> bool:
        return is_secure(request, self.tls_terminator)


async def home(request: Request, session: Session) -> Response:
    return RedirectResponse(f"{PATH}/objects", status_code=303)


async def not_found(request: Request, session: Session) -> Response:
    return error_page(request, session, 404, "No such page", "The UI has no page at this address.")


def router(*, tls_terminator: bool = False) -> Router:
    """The UI's pages, below its mount at PATH."""
    sign_in = SignIn(tls_terminator)
    objects = "/objects/{object_type}"
    return Router(
        routes=[
            Route("/", signed_in(home), methods=["GET"]),
            Route("/signin", sign_in.form, methods=["GET"]),
            Route("/signin", sign_in.submit, methods=["POST"]),
            Route("/signout", sign_in.sign_out, methods=["POST"]),
            Route("/objects", signed_in(records.object_types), methods=["GET"]),
            Route(objects, signed_in(records.records_page), methods=["GET"]),
            Route(objects + "/archived", signed_in(records.archived_page), methods=["GET"]),
            Route(objects + "/board", signed_in(boards.board_page), methods=["GET"]),
            Route(objects + "/{record_id}", signed_in(records.record_page), methods=["GET"]),
            Route(
                objects + "/{record_id}/edit", signed_in(records.edit_property), methods=["POST"]
            ),
            Route(
                objects + "/{record_id}/archive",
                signed_in(records.archive_record),
                methods=["POST"],
            ),
            Route("/properties/{object_type}", signed_in(records.properties_page)),
            Route("/requests", signed_in(journal.journal_page), methods=["GET"]),
            Route("/requests/{sequence:int}", signed_in(journal.entry_page), methods=["GET"]),
            Route("/webhooks", signed_in(webhooks.webhooks_page), methods=["GET"]),
            Mount("/static", StaticFiles(packages=[("hubcrm.ui", "static")]), name="ui-static"),
            Route("/{rest:path}", signed_in(not_found)),
        ],
    )
