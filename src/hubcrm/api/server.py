"""The HTTP server: uvicorn on the h11 protocol, with limits that keep slow or hostile clients from
exhausting it.

uvicorn bounds the size of a request head (`--max-header-bytes`), idle keep-alive connections
(`--keep-alive-timeout`) and concurrent connections (`--max-concurrency`, 503 beyond). It does not
bound how long a client may take to send its head or its body, so a client trickling one byte at
a time could hold a connection for ever; GuardedH11Protocol adds those two deadlines.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import socket
from types import FrameType
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from hubcrm.api.app import create_app
from hubcrm.runtime.settings import Settings

# How long shutdown waits for the first request of a connection that has sent none yet.
REQUEST_WAIT_SECONDS = 1.0


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head and one for its body."""

    header_timeout: float = 10.0
    body_timeout: float = 60.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._phase = ""
        self._deadline: asyncio.TimerHandle | None = None
        self._arm("head", self.header_timeout)  # a new connection must send a request in time

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        """uvicorn closes a connection without a request in progress at once. A new connection
        whose first request has not arrived yet (a client connects a moment before it sends)
        gets REQUEST_WAIT_SECONDS for it to: a request that comes is answered as in flight."""
        if self.cycle is None and not self.transport.is_closing():
            self.loop.call_later(REQUEST_WAIT_SECONDS, self._shut_down)
            return
        super().shutdown()

    def _shut_down(self) -> None:
        if not self.transport.is_closing():
            super().shutdown()

    def _follow(self) -> None:
        """Arm the deadline that fits what the connection waits for from the client now."""
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            self._arm("body", self.body_timeout)
        elif state is h11.IDLE and self.conn.trailing_data[0]:
            self._arm("head", self.header_timeout)  # part of a request head has arrived
        elif state is h11.IDLE and self._phase == "head" and self.cycle is None:
            pass  # still waiting for the first request: the deadline from connect holds
        else:
            self._disarm()  # the app is working, or uvicorn's keep-alive timeout applies

    def _arm(self, phase: str, seconds: float) -> None:
        if self._phase == phase:
            return  # a deadline runs from the start of the phase, not from the latest byte
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._phase = ""

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def protocol(settings: Settings) -> type[GuardedH11Protocol]:
    attributes: dict[str, Any] = {
        "header_timeout": settings.header_timeout,
        "body_timeout": settings.body_timeout,
    }
    return type("ConfiguredH11Protocol", (GuardedH11Protocol,), attributes)


def run(settings: Settings, sock: socket.socket) -> None:
    config = uvicorn.Config(
        create_app(settings),
        http=protocol(settings),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_keep_alive=settings.keep_alive_timeout,
        limit_concurrency=settings.max_concurrency,
        log_level="warning",
        access_log=False,  # request lines carry no tokens, but nothing is gained by logging them
        server_header=False,
        lifespan="on",
        ws="none",  # no WebSocket routes: nor its libraries' import at every start
        timeout_graceful_shutdown=settings.shutdown_timeout or None,
        # With JSON logs uvicorn's own lines go through the root logger's JSON handler.
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
    )
    # uvicorn shuts down gracefully on SIGTERM or SIGINT (no new connections, requests in flight
    # finish, then the app's lifespan closes the store), and afterwards raises the signal again
    # for the handler it found. Let that one end quietly: the process then exits 0, not killed
    # by the signal and without a KeyboardInterrupt traceback.
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopped)
    _settle_garbage_collection()
    DrainingServer(config).run(sockets=[sock])


# Objects a request allocates before the collector's first generation is examined: Python's
# default (700) made a batch of 100 contacts trigger dozens of collections, about a tenth of the
# writer's time (BENCHMARKS.md, finding 29).
GC_FIRST_GENERATION = 10_000


def _settle_garbage_collection() -> None:
    """Move what start-up built (modules, the app, its routes) out of the collector's sight, and
    collect the young generation less often: request handling allocates thousands of short-lived
    objects, nearly all freed by reference counting, never by the collector."""
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(GC_FIRST_GENERATION, second, third)


class DrainingServer(uvicorn.Server):
    """uvicorn's server, which on shutdown first takes the connections already waiting in the
    listening socket's backlog and serves their requests like any in flight.

    Closing a listening socket resets every connection the kernel had accepted for it but the
    server had not yet taken: their clients, who sent a request, would see the connection
    dropped without an answer. Taking them and closing the socket happen with no pause between,
    so every connection is either served or refused at connect.
    """

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if _signalled:  # told to stop while starting: shut down gracefully at once
            self.should_exit = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        loop = asyncio.get_running_loop()
        waiting = _accept_waiting(sockets or [])
        for server in self.servers:
            server.close()  # no new connections from here on
        for conn in waiting:
            await loop.connect_accepted_socket(self._protocol, conn)
        await super().shutdown(sockets)

    def _protocol(self) -> asyncio.Protocol:
        make: Any = self.config.http_protocol_class
        protocol: asyncio.Protocol = make(
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )
        return protocol


def _accept_waiting(sockets: list[socket.socket]) -> list[socket.socket]:
    taken = []
    for listening in sockets:
        while True:
            try:
                conn, _ = listening.accept()
            except OSError:  # BlockingIOError once the backlog is empty
                break
            conn.setblocking(False)
            taken.append(conn)
    return taken


# A stop signal that came before uvicorn took the signals over (while the app was being built).
_signalled = False


def _stopped(signum: int, frame: FrameType | None) -> None:
    """Before uvicorn serves: stop as soon as it has started (DrainingServer.startup), rather than
    serve on with the signal lost. After its graceful shutdown uvicorn raises the signal again,
    for this handler: nothing is left to do then."""
    global _signalled
    _signalled = True
