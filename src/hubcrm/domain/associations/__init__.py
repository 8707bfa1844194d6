"""Associations between records: which types exist (catalogue.py), changing them inside a write
transaction (changes.py), and the v4 and v3 operations (service.py)."""

from hubcrm.domain.associations.changes import Changes, Hook, Link, Merged
from hubcrm.domain.associations.service import Associations

__all__ = ["Associations", "Changes", "Hook", "Link", "Merged"]
