"""Reproducible measurements of hubcrm against the limits of its own storage.

A benchmark measures `hubcrm serve` as users start it, a new interpreter: its start-up time, its
memory and its CPU are the figures reported, so the test suite's fork server is turned off here.
"""

import os

from hubcrm.testing.forkserver import ENV

os.environ[ENV] = "0"
