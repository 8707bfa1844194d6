"""hubcrm: a self-hostable, HubSpot-compatible CRM v3 API."""

__version__ = "0.1.0"
