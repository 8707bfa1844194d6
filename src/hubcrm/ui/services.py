"""What the UI needs of the running app: the services the API's handlers use too."""

from __future__ import annotations

from typing import Protocol

from starlette.requests import Request

from hubcrm.control.service import Control
from hubcrm.domain.associations import Associations
from hubcrm.domain.auth import Authenticator
from hubcrm.domain.clock import Clock
from hubcrm.domain.pipelines import Pipelines
from hubcrm.domain.properties import PropertyDefinitions
from hubcrm.domain.records import Records
from hubcrm.store.base import Store


class Services(Protocol):
    """Satisfied by the app's state (api/state.py), which the UI may not import."""

    store: Store
    clock: Clock
    records: Records
    auth: Authenticator
    control: Control
    properties: PropertyDefinitions
    associations: Associations
    pipelines: Pipelines


def services(request: Request) -> Services:
    found: Services = request.app.state.hubcrm
    return found
