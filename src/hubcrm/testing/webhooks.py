"""HubSpot apps and webhooks in tests: an app in one line, and a real HTTP endpoint on loopback
that receives webhook deliveries, checks their signatures and fails on demand.

    app = portal.create_app()                    # client id and secret, developer API key
    code = app.authorize("crm.objects.contacts.read")  # OAuth: the code HubSpot's page gives
    app.configure(receiver.url)                  # the webhooks API: target URL
    app.subscribe("contact.creation")            # ... and an active subscription
    ...                                          # write through the SDK as usual
    events = receiver.wait_for_events(1)         # what arrived; every request's signature checked
    receiver.fail(503, times=2)                  # the next two deliveries are answered 503
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hubcrm.testing.client import ControlClient

# HubSpot's check: a request timestamp older than five minutes is refused.
MAX_TIMESTAMP_AGE_MS = 300_000


def signature_v1(client_secret: str, body: bytes) -> str:
    return hashlib.sha256(client_secret.encode() + body).hexdigest()


def signature_v3(client_secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    source = method.encode() + uri.encode() + body + timestamp.encode()
    digest = hmac.new(client_secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class ReceivedRequest:
    """One delivery as the receiver saw it, and how it answered."""

    method: str
    url: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    status: int  # what the receiver answered
    received_at: int  # epoch ms
    signature_valid: bool | None  # None: no secret to check with

    @property
    def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = json.loads(self.body)
        return events


@dataclass
class _Plan:
    status: int
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 recording every request; answers 200 unless told otherwise."""

    def __init__(self, secret: str | None = None, path: str = "/webhooks") -> None:
        self.secret = secret
        self.path = path
        self.requests: list[ReceivedRequest] = []
        self.arrived = 0  # requests that reached the handler, answered yet or not
        self._plans: list[_Plan] = []
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # serve_forever checks for shutdown between polls: a short poll makes close() prompt.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    def fail(self, status: int = 500, times: int = 1, *, retry_after: int | None = None) -> None:
        """Answer the next `times` requests with `status`."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self._plans += [_Plan(status, headers=headers) for _ in range(times)]

    def hang(self, seconds: float, times: int = 1, status: int = 200) -> None:
        """Wait `seconds` before answering the next `times` requests."""
        with self._lock:
            self._plans += [_Plan(status, seconds) for _ in range(times)]

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event of every delivery answered 2xx, in arrival order."""
        with self._lock:
            return [e for r in self.requests if 200 <= r.status < 300 for e in r.events]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedRequest]:
        """Wait until `count` requests have arrived (whatever was answered); all of them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} webhook requests, {len(self.requests)} arrived"
                    )
                self._lock.wait(left)
            return list(self.requests)

    def wait_for_arrivals(self, count: int, timeout: float = 10.0) -> None:
        """Wait until `count` requests have reached the receiver (answered or still waiting)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.arrived < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} arrivals, {self.arrived} came")
                self._lock.wait(left)

    def wait_for_events(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until `count` events have been delivered (answered 2xx); all of them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(delivered := self._delivered()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} webhook events, {len(delivered)} arrived:"
                        f" {json.dumps(delivered)}"
                    )
                self._lock.wait(left)
            return delivered

    def _delivered(self) -> list[dict[str, Any]]:
        return [e for r in self.requests if 200 <= r.status < 300 for e in r.events]

    def check_signature(self, request: ReceivedRequest, secret: str) -> bool:
        """HubSpot's published checks: v3 (HMAC, within five minutes) and v1."""
        headers = request.headers
        timestamp = headers.get("x-hubspot-request-timestamp", "")
        if not timestamp.isdigit() or time.time() * 1000 - int(timestamp) > MAX_TIMESTAMP_AGE_MS:
            return False
        uri = urllib.parse.unquote(request.url)
        v3 = signature_v3(secret, request.method, uri, request.body, timestamp)
        v1 = signature_v1(secret, request.body)
        return hmac.compare_digest(
            v3, headers.get("x-hubspot-signature-v3", "")
        ) and hmac.compare_digest(v1, headers.get("x-hubspot-signature", ""))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_plan(self) -> _Plan:
        with self._lock:
            self.arrived += 1
            self._lock.notify_all()
            return self._plans.pop(0) if self._plans else _Plan(200)

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)
            self._lock.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                plan = receiver._next_plan()
                if plan.delay_s:
                    time.sleep(plan.delay_s)
                host, port = receiver._server.server_address[:2]
                url = f"http://{host!s}:{port}{self.path}"
                headers = {k.lower(): v for k, v in self.headers.items()}
                received = ReceivedRequest(
                    self.command, url, headers, body, plan.status, int(time.time() * 1000), None
                )
                if receiver.secret is not None:
                    valid = receiver.check_signature(received, receiver.secret)
                    received = ReceivedRequest(**{**received.__dict__, "signature_valid": valid})
                try:
                    self.send_response(plan.status)
                    for name, value in plan.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting
                receiver._record(received)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@dataclass
class App:
    """An app created in a portal: its credentials, and its webhooks API."""

    base_url: str
    control: ControlClient = field(repr=False)
    app_id: int
    client_id: str
    client_secret: str
    developer_api_key: str
    portal_id: int
    redirect_uris: list[str]

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        query = urllib.parse.urlencode({"hapikey": self.developer_api_key})
        url = f"{self.base_url}/webhooks/v3/{self.app_id}/{path}?{query}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read().decode()
        return json.loads(text) if text else None

    def configure(
        self, target: str | WebhookReceiver, max_concurrent_requests: int = 10
    ) -> dict[str, Any]:
        """PUT the webhook settings: where deliveries go. Given a receiver, it also checks
        signatures with this app's client secret from now on."""
        if isinstance(target, WebhookReceiver):
            target.secret = self.client_secret
            target = target.url
        throttling = {"maxConcurrentRequests": max_concurrent_requests}
        body = {"targetUrl": target, "throttling": throttling}
        settings: dict[str, Any] = self._call("PUT", "settings", body)
        return settings

    def subscribe(
        self,
        event_type: str,
        property_name: str | None = None,
        *,
        object_type_id: str | None = None,
        active: bool = True,
    ) -> dict[str, Any]:
        """Create an (active, unless told otherwise) subscription."""
        body: dict[str, Any] = {"eventType": event_type, "active": active}
        if property_name is not None:
            body["propertyName"] = property_name
        if object_type_id is not None:
            body["objectTypeId"] = object_type_id
        made: dict[str, Any] = self._call("POST", "subscriptions", body)
        return made

    def authorize(
        self,
        scope: str,
        *,
        redirect_uri: str | None = None,
        state: str | None = None,
        portal_id: int | None = None,
    ) -> str:
        """What a user's browser does on HubSpot's authorize page: approve the install (in this
        app's portal, or `portal_id`), and return the `code` the redirect carries."""
        query = {"client_id": self.client_id, "scope": scope}
        query["redirect_uri"] = redirect_uri or self.redirect_uris[0]
        if state is not None:
            query["state"] = state
        if portal_id is not None:
            query["portal"] = str(portal_id)
        url = f"{self.base_url}/oauth/authorize?{urllib.parse.urlencode(query)}"
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.netloc, timeout=30)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}")
            answer = connection.getresponse()
            body = answer.read().decode(errors="replace")
            location = answer.getheader("Location")
        finally:
            connection.close()
        if answer.status != 302 or location is None:
            raise AssertionError(f"authorize answered {answer.status}: {body}")
        codes = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"]
        return codes[0]

    def hubspot(self, **options: Any) -> Any:
        """HubSpot's SDK with this app's developer API key (for `client.webhooks`)."""
        from hubspot import Client

        return Client.create(api_key=self.developer_api_key, host=self.base_url, **options)


def create_app(
    base_url: str,
    control: ControlClient,
    portal_id: int,
    name: str | None = None,
    scopes: list[str] | None = None,
    redirect_uris: list[str] | None = None,
) -> App:
    body: dict[str, Any] = {}
    for key, value in (("name", name), ("scopes", scopes), ("redirectUris", redirect_uris)):
        if value is not None:
            body[key] = value
    made = control.call("POST", f"portals/{portal_id}/apps", body=body)
    return App(
        base_url,
        control,
        made["appId"],
        made["clientId"],
        made["clientSecret"],
        made["developerApiKey"],
        made["portalId"],
        made["redirectUris"],
    )
