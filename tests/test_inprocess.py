"""The suite's in-process client answers as Starlette's TestClient does, in one call per request."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.inprocess import InProcessClient


async def echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "body": body.decode(),
            "host": request.headers["host"],
            "server": list(request.scope["server"]),
        },
        status_code=201,
        headers={"x-seen": request.headers.get("x-sent", "")},
    )


async def streamed(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"one,", b"two,", b"three"):
            yield part

    return StreamingResponse(chunks(), media_type="text/plain")


async def broken(request: Request) -> Response:
    raise RuntimeError("the app failed")


def app() -> Starlette:
    routes = [
        Route("/echo/{rest:path}", echo, methods=["GET", "POST", "HEAD"]),
        Route("/streamed", streamed),
        Route("/broken", broken),
    ]
    return Starlette(routes=routes)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/echo/a%20b?x=1&y=%C3%A9", None),
        ("POST", "/echo/c", b'{"k": "v"}'),
        ("HEAD", "/echo/d", None),
        ("GET", "/streamed", None),
        ("GET", "/missing", None),
    ],
)
def test_the_same_answer_as_testclient(method: str, url: str, body: bytes | None) -> None:
    answers = []
    for client_type in (TestClient, InProcessClient):
        with client_type(app()) as client:
            answer = client.request(method, url, content=body, headers={"x-sent": "s"})
            answers.append((answer.status_code, dict(answer.headers), answer.content))
    assert answers[0] == answers[1]
    assert answers[0][0] in (200, 201, 404)


def test_the_apps_exception_is_raised_in_the_test() -> None:
    with InProcessClient(app()) as client, pytest.raises(RuntimeError, match="the app failed"):
        client.get("/broken")


def test_without_raising_the_app_exception_is_a_500() -> None:
    with InProcessClient(app(), raise_server_exceptions=False) as client:
        answer = client.get("/broken")
    assert answer.status_code == 500
    assert answer.text == "Internal Server Error"
