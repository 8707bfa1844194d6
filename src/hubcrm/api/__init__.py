"""The only package that knows HTTP."""

from hubcrm.api.app import create_app

__all__ = ["create_app"]
