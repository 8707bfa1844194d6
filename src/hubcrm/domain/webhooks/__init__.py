"""Webhooks of HubSpot apps: subscriptions (subscriptions.py), the events every committed write
records in the outbox with it (events.py), and their delivery, signed and retried as HubSpot does
(signing.py, delivery.py)."""
