"""What the running app holds: settings, the store, the clock and the domain services."""

from __future__ import annotations

from dataclasses import dataclass

from hubcrm.api.scope import PortalLookup
from hubcrm.auth import Authenticator
from hubcrm.clock import Clock
from hubcrm.control import Control
from hubcrm.property_definitions import PropertyDefinitions
from hubcrm.ratelimit import Limiter
from hubcrm.records import Records
from hubcrm.settings import Settings
from hubcrm.store.base import Store


@dataclass
class AppState:
    settings: Settings
    store: Store
    clock: Clock
    records: Records
    auth: Authenticator
    limiter: Limiter
    control: Control
    portals: PortalLookup
    properties: PropertyDefinitions
