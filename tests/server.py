"""The live server tests use is the one users get: hubcrm.testing.LiveServer."""

from hubcrm.testing.server import LiveServer

__all__ = ["LiveServer"]
