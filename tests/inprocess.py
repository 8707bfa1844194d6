"""The client of the suite's in-process apps: Starlette's TestClient, with each request exchanged
with the app in one call to its event loop.

TestClient streams each response from the app's event loop thread to the test's, in a dozen calls
across threads per request: about four fifths of the CPU of a small request, more than the app
itself spends answering it. The suite makes tens of thousands of such requests. This transport
runs the whole exchange, request body in and response out, as one coroutine on the app's loop,
and builds the same scope TestClient does. It keeps TestClient's behaviour otherwise: the app's
exceptions are raised in the test (with raise_server_exceptions), a HEAD response has no body, and
the app sees the client disconnect once its response is complete. It does not stream: a response
is returned once the app has sent all of it (no suite test reads an endless one).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import anyio
import httpx2 as httpx
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message

_DEFAULT_PORTS = {"http": 80, "https": 443}


class InProcessClient(TestClient):
    """TestClient with one call to the app's event loop per request (module docstring)."""

    def __init__(self, app: ASGIApp, raise_server_exceptions: bool = True) -> None:
        super().__init__(app, raise_server_exceptions=raise_server_exceptions)
        self._transport = _OneCallTransport(self, raise_server_exceptions)


class _OneCallTransport(httpx.BaseTransport):
    def __init__(self, client: InProcessClient, raise_server_exceptions: bool) -> None:
        self.client = client
        self.raise_server_exceptions = raise_server_exceptions

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        headers = [] if "host" in request.headers else [(b"host", url.netloc)]
        headers += [(k.lower().encode(), v.encode()) for k, v in request.headers.multi_items()]
        scope = {
            "type": "http",
            "http_version": "1.1",
            "method": request.method,
            "path": unquote(url.path),
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "root_path": "",
            "scheme": url.scheme,
            "query_string": url.query,
            "headers": headers,
            "client": ("testclient", 50000),
            "server": [url.raw_host.decode("ascii"), url.port or _DEFAULT_PORTS[url.scheme]],
            "extensions": {"http.response.debug": {}},
            "state": self.client.app_state.copy(),
        }
        with self.client._portal_factory() as portal:
            status, response_headers, body = portal.call(self._exchange, scope, request.read())
        if request.method == "HEAD":
            body = b""
        stream = httpx.ByteStream(body)
        return httpx.Response(status, headers=response_headers, stream=stream, request=request)

    async def _exchange(
        self, scope: dict[str, Any], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        complete = anyio.Event()
        received = False
        start: Message | None = None
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal received
            if received:
                await complete.wait()
                return {"type": "http.disconnect"}
            received = True
            return {"type": "http.request", "body": body}

        async def send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                assert start is None, 'Received multiple "http.response.start" messages.'
                start = message
            elif message["type"] == "http.response.body":
                assert start is not None, 'Received "http.response.body" before its start.'
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    complete.set()

        try:
            await self.client.app(scope, receive, send)
        except BaseException:
            if self.raise_server_exceptions:
                raise
        finally:
            complete.set()
        if start is None:
            if self.raise_server_exceptions:
                raise AssertionError("TestClient did not receive any response.")
            return 500, [], b""
        headers = [(key.decode(), value.decode()) for key, value in start.get("headers", [])]
        return start["status"], headers, b"".join(chunks)
