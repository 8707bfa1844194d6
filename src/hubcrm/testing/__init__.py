"""hubcrm as the HubSpot your tests run against.

With pytest, the plugin installed with hubcrm gives the fixtures `hubcrm_server` (one live server
per test session, or per xdist worker) and `hubcrm_portal` (a fresh portal and token per test).
With any other runner:

    import hubcrm.testing

    with hubcrm.testing.serve() as hs:
        portal = hs.new_portal()
        portal.faults.rate_limit("/crm/v3/objects/contacts/batch/upsert")
        ...
        assert portal.journal.count("POST", "*/batch/upsert") == 2

See docs/testing.md.
"""

from hubcrm.testing.client import ControlClient, ControlError
from hubcrm.testing.portal import ClockView, FaultsView, JournalView, Portal, RecordedRequest
from hubcrm.testing.server import LiveServer, serve

__all__ = [
    "ClockView",
    "ControlClient",
    "ControlError",
    "FaultsView",
    "JournalView",
    "LiveServer",
    "Portal",
    "RecordedRequest",
    "serve",
]
