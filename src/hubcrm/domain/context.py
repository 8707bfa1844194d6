"""What the request being served is about: its portal, once its token has named one.

Per-portal controls (the clock, correlation ids) read it, so that the domain keeps calling
`clock.now_ms()` without knowing whose clock it is.
"""

from __future__ import annotations

from contextvars import ContextVar

current_portal: ContextVar[int | None] = ContextVar("hubcrm_current_portal", default=None)
