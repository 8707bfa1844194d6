"""One portal on a running hubcrm, with its token and the controls tests need.

portal.base_url, portal.token, portal.portal_id
portal.journal(...)            the requests this portal received; .one(...) asserts exactly one
portal.faults.rate_limit(...)  inject failures: .error(...), .latency(...), .drop(...)
portal.clock.freeze(...)       .set(...), .advance(...), .unfreeze(), .now()
portal.seed(...)               properties, contacts, custom object types and records of any type
portal.add_owner(...)          an owner records can be assigned to; .owners() lists them
portal.reset()                 back to a new portal's state (faults and journal cleared)
portal.create_app(...)         a HubSpot app installed here (testing/webhooks.py)
portal.webhook_deliveries()    every webhook POST made for this portal, with its answer
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hubcrm.testing.client import ControlClient
from hubcrm.testing.webhooks import App
from hubcrm.testing.webhooks import create_app as _create_app

Moment = int | str | datetime


def _moment(value: Moment) -> int | str:
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class RecordedRequest:
    """One journal entry: what a client sent and what hubcrm answered."""

    sequence: int
    at: int
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    correlation_id: str
    request_body: str
    request_truncated: bool
    response_body: str
    response_truncated: bool
    fault: str | None

    @classmethod
    def of(cls, entry: dict[str, Any]) -> RecordedRequest:
        return cls(
            sequence=entry["sequence"],
            at=entry["at"],
            method=entry["method"],
            path=entry["path"],
            query=entry["query"],
            status=entry["status"],
            duration_ms=entry["durationMs"],
            correlation_id=entry["correlationId"],
            request_body=entry["requestBody"],
            request_truncated=entry["requestTruncated"],
            response_body=entry["responseBody"],
            response_truncated=entry["responseTruncated"],
            fault=entry.get("fault"),
        )

    @property
    def json(self) -> Any:
        """The request body, decoded."""
        return json.loads(self.request_body)

    @property
    def response_json(self) -> Any:
        return json.loads(self.response_body)

    def __str__(self) -> str:
        fault = f" (fault {self.fault})" if self.fault else ""
        query = f"?{self.query}" if self.query else ""
        return f"#{self.sequence} {self.method} {self.path}{query} -> {self.status}{fault}"


@dataclass
class JournalView:
    """`portal.journal(method, path, status=..., since=..., until=...)` lists matching requests,
    oldest first. `path` is exact or a glob (`*/batch/upsert`); `status` a code or a class (`4xx`).
    """

    control: ControlClient
    portal_id: int

    def __call__(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        status: int | str | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
    ) -> list[RecordedRequest]:
        answer = self.control.call(
            "GET",
            f"portals/{self.portal_id}/journal",
            params={
                "method": method,
                "path": path,
                "status": status,
                "since": None if since is None else _moment(since),
                "until": None if until is None else _moment(until),
            },
        )
        return [RecordedRequest.of(entry) for entry in answer["results"]]

    def one(
        self, method: str | None = None, path: str | None = None, **filters: Any
    ) -> RecordedRequest:
        """The one matching request; AssertionError (listing the journal) if there is not one."""
        found = self(method, path, **filters)
        if len(found) != 1:
            everything = "\n".join(f"  {entry}" for entry in self()) or "  (nothing)"
            raise AssertionError(
                f"expected exactly one {method or '*'} {path or '*'} {filters or ''}, "
                f"found {len(found)}; the journal holds:\n{everything}"
            )
        return found[0]

    def count(self, method: str | None = None, path: str | None = None, **filters: Any) -> int:
        return len(self(method, path, **filters))

    def clear(self) -> None:
        self.control.call("DELETE", f"portals/{self.portal_id}/journal")


@dataclass
class FaultsView:
    """Fault rules of one portal. Each method returns the rule as kept, with its `id`."""

    control: ControlClient
    portal_id: int

    def add(self, **rule: Any) -> dict[str, Any]:
        """A rule in the control API's own terms (camelCase keys, see docs/testing.md)."""
        added: dict[str, Any] = self.control.call(
            "POST", f"portals/{self.portal_id}/faults", body=rule
        )
        return added

    def rate_limit(
        self,
        path: str = "*",
        method: str = "*",
        *,
        policy: str = "TEN_SECONDLY_ROLLING",
        times: int | None = 1,
        probability: float | None = None,
        retry_after: int | None = None,
    ) -> dict[str, Any]:
        """Answer 429 with HubSpot's body for `policy` (TEN_SECONDLY_ROLLING or DAILY)."""
        return self.add(
            **_rule(method, path, times, probability),
            status=429,
            policyName=policy,
            **({"retryAfter": retry_after} if retry_after is not None else {}),
        )

    def error(
        self,
        status: int,
        path: str = "*",
        method: str = "*",
        *,
        times: int | None = 1,
        probability: float | None = None,
        retry_after: int | None = None,
    ) -> dict[str, Any]:
        """Answer 423, 477, 500, 502, 503 or 504 as HubSpot does."""
        return self.add(
            **_rule(method, path, times, probability),
            status=status,
            **({"retryAfter": retry_after} if retry_after is not None else {}),
        )

    def latency(
        self,
        ms: int,
        path: str = "*",
        method: str = "*",
        *,
        times: int | None = None,
        probability: float | None = None,
    ) -> dict[str, Any]:
        return self.add(**_rule(method, path, times, probability), latencyMs=ms)

    def drop(
        self,
        path: str = "*",
        method: str = "*",
        *,
        times: int | None = 1,
        probability: float | None = None,
    ) -> dict[str, Any]:
        """Close the connection without answering."""
        return self.add(**_rule(method, path, times, probability), drop=True)

    def list(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self.control.call("GET", f"portals/{self.portal_id}/faults")[
            "results"
        ]
        return rules

    def remove(self, rule_id: str) -> None:
        self.control.call("DELETE", f"portals/{self.portal_id}/faults/{rule_id}")

    def clear(self) -> None:
        self.control.call("DELETE", f"portals/{self.portal_id}/faults")


def _rule(method: str, path: str, times: int | None, probability: float | None) -> dict[str, Any]:
    rule: dict[str, Any] = {"method": method, "path": path}
    if times is not None:
        rule["times"] = times
    if probability is not None:
        rule["probability"] = probability
    return rule


@dataclass
class ClockView:
    """The portal's clock: real time until frozen, set or advanced."""

    control: ControlClient
    portal_id: int | None

    @property
    def _path(self) -> str:
        return "clock" if self.portal_id is None else f"portals/{self.portal_id}/clock"

    def _post(self, **body: Any) -> int:
        now: int = self.control.call("POST", self._path, body=body)["now"]
        return now

    def now(self) -> int:
        """Epoch milliseconds."""
        now: int = self.control.call("GET", self._path)["now"]
        return now

    def frozen(self) -> bool:
        frozen: bool = self.control.call("GET", self._path)["frozen"]
        return frozen

    def freeze(self, at: Moment | None = None) -> int:
        """Stop the clock, at `at` (epoch ms, ISO-8601 or a datetime) or where it is."""
        return self._post(**({"now": _moment(at)} if at is not None else {}), frozen=True)

    def unfreeze(self) -> int:
        return self._post(frozen=False)

    def set(self, at: Moment) -> int:
        return self._post(now=_moment(at))

    def advance(self, ms: int = 0, *, seconds: float = 0) -> int:
        return self._post(advanceMs=ms + round(seconds * 1000))


@dataclass
class Portal:
    base_url: str
    token: str
    portal_id: int
    control: ControlClient = field(repr=False)
    journal: JournalView = field(init=False, repr=False)
    faults: FaultsView = field(init=False, repr=False)
    clock: ClockView = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.journal = JournalView(self.control, self.portal_id)
        self.faults = FaultsView(self.control, self.portal_id)
        self.clock = ClockView(self.control, self.portal_id)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def reset(self) -> None:
        """Back to a new portal's state; its token keeps working."""
        self.control.call("POST", f"portals/{self.portal_id}/reset")

    def seed(self, source: str | Path | dict[str, Any] | list[Any]) -> dict[str, int]:
        """Seed from a .json or .csv file, or from data shaped as a JSON seed file."""
        path = f"portals/{self.portal_id}/seed"
        if isinstance(source, dict | list):
            seeded: dict[str, int] = self.control.call("POST", path, body=source)
            return seeded
        file = Path(source)
        kind = "text/csv" if file.suffix.lower() == ".csv" else "application/json"
        seeded = self.control.call("POST", path, raw=file.read_bytes(), content_type=kind)
        return seeded

    def set_next_id(self, object_type: str, next_id: int) -> None:
        """Make the next new record of `object_type` (e.g. `contacts`) get `next_id`."""
        self.control.call(
            "PUT", f"portals/{self.portal_id}/sequences/{object_type}", body={"next": next_id}
        )

    def add_owner(self, email: str, **fields: Any) -> dict[str, Any]:
        """Add an owner (`firstName`, `lastName`, `id`, `userId`, `teams` optional); its
        `id` is what records take in hubspot_owner_id."""
        owner: dict[str, Any] = self.control.call(
            "POST", f"portals/{self.portal_id}/owners", body={"email": email, **fields}
        )
        return owner

    def owners(self) -> list[dict[str, Any]]:
        """Every owner of the portal, archived ones too."""
        found: list[dict[str, Any]] = self.control.call("GET", f"portals/{self.portal_id}/owners")[
            "results"
        ]
        return found

    def hubspot(self, **options: Any) -> Any:
        """HubSpot's official Python SDK (hubspot-api-client), pointed at this portal."""
        from hubspot import Client

        return Client.create(access_token=self.token, host=self.base_url, **options)

    # Apps and webhooks

    def create_app(
        self,
        name: str | None = None,
        scopes: list[str] | None = None,
        redirect_uris: list[str] | None = None,
    ) -> App:
        """A HubSpot app installed in this portal, with its credentials."""
        return _create_app(self.base_url, self.control, self.portal_id, name, scopes, redirect_uris)

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        """Every webhook request made for this portal: events, attempt numbers and answers."""
        found: list[dict[str, Any]] = self.control.call(
            "GET", f"portals/{self.portal_id}/webhooks/deliveries"
        )["results"]
        return found

    def webhook_events(self) -> list[dict[str, Any]]:
        """Every webhook event this portal's writes recorded, and its state."""
        found: list[dict[str, Any]] = self.control.call(
            "GET", f"portals/{self.portal_id}/webhooks/events"
        )["results"]
        return found

    def deliver_webhooks(self) -> int:
        """Deliver every pending webhook event now, retries included; the requests made."""
        made: int = self.control.call("POST", "webhooks/deliver")["deliveries"]
        return made
