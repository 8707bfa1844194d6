"""The web UI at /ui/: what a portal holds, seen through a token of it.

Server-rendered pages (Jinja2, autoescaped) over the same domain functions the API calls; no
build step and nothing fetched from elsewhere: the CSS and the little JavaScript are files of
this package. Signing in, the session cookie and CSRF are in session.py; the pages in
records.py (object types, records, one record, properties) and journal.py (the request journal
and its chart); pages.py renders templates and turns errors into readable pages.
"""

from __future__ import annotations

from hubcrm.ui.routes import MOUNT, mount

__all__ = ["MOUNT", "mount"]
