"""What the running app holds: settings, the store, the clock and the domain services."""

from __future__ import annotations

from dataclasses import dataclass, field

from hubcrm.api.scope import PortalLookup
from hubcrm.control.service import Control
from hubcrm.domain.associations import Associations
from hubcrm.domain.associations.webhooks import record_events as association_events
from hubcrm.domain.auth import Authenticator
from hubcrm.domain.clock import Clock
from hubcrm.domain.owners import Owners
from hubcrm.domain.pipelines import Pipelines
from hubcrm.domain.properties import PropertyDefinitions
from hubcrm.domain.ratelimit import Limiter
from hubcrm.domain.records import Records
from hubcrm.domain.schemas import ObjectSchemas
from hubcrm.domain.webhooks.delivery import Deliverer
from hubcrm.runtime.settings import Settings
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
    schemas: ObjectSchemas
    pipelines: Pipelines
    owners: Owners
    deliverer: Deliverer | None = None  # webhook delivery (domain/webhooks/delivery.py)
    # Associations, merge and GDPR delete, over the records service.
    associations: Associations = field(init=False)

    def __post_init__(self) -> None:
        self.associations = Associations(self.records)
        self.associations.in_transaction(association_events)
