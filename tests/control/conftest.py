"""An in-process hubcrm with the control API on, over a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from hubcrm.api import create_app
from hubcrm.domain.clock import FrozenClock
from hubcrm.runtime.settings import Settings
from tests.backends import fresh_database
from tests.conftest import START_MS
from tests.inprocess import InProcessClient

UPSERT = "/crm/v3/objects/contacts/batch/upsert"


@dataclass
class Controlled:
    client: TestClient
    clock: FrozenClock

    def control(self, verb: str, path: str, body: Any = None, /, **params: Any) -> Any:
        return self.client.request(verb, "/_hubcrm/" + path, json=body, params=params)

    def portal(self, portal_id: int | None = None) -> tuple[int, str]:
        answer = self.control(
            "POST", "portals", {} if portal_id is None else {"portalId": portal_id}
        )
        assert answer.status_code == 201, answer.text
        return answer.json()["portalId"], answer.json()["token"]

    def upsert(self, token: str, *emails: str, **properties: str) -> Any:
        inputs = [
            {"idProperty": "email", "id": email, "properties": dict(properties)} for email in emails
        ]
        return self.client.post(
            UPSERT, json={"inputs": inputs}, headers={"Authorization": f"Bearer {token}"}
        )

    def get(self, token: str, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


MakeControlled = Callable[..., AbstractContextManager[Controlled]]


@pytest.fixture
def make_controlled(backend: str, tmp_path: Path) -> MakeControlled:
    """Makes in-process servers, each over a fresh database of the backend under test."""

    @contextmanager
    def make(**overrides: Any) -> Iterator[Controlled]:
        clock = FrozenClock(START_MS)
        with fresh_database(backend, tmp_path) as url:
            settings = Settings(database=url, control=True, **overrides)
            with InProcessClient(create_app(settings, clock)) as client:
                yield Controlled(client, clock)

    return make


@pytest.fixture
def controlled(make_controlled: MakeControlled) -> Iterator[Controlled]:
    with make_controlled() as made:
        yield made
