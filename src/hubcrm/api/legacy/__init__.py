"""HubSpot's legacy CRM APIs, served as read views (and contacts v1 writes) of the same records."""
