"""Reproducible measurements of hubcrm against the limits of its own storage."""
