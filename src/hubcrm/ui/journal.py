"""Pages of the request journal (control/journal.py): the latest requests, one request, a chart.

The journal is what this process kept in memory of the portal's API requests (bounded by
--journal-size); the UI's own pages are never in it, since they carry no bearer token.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.control.journal import Entry, Query
from hubcrm.domain.objects import ObjectType
from hubcrm.ui import types
from hubcrm.ui.chart import is_error, requests_over_time
from hubcrm.ui.pages import error_page, render
from hubcrm.ui.services import services
from hubcrm.ui.session import Session

PAGE_SIZE = 50
_GLOB = re.compile(r"[*?\[]")
# /crm/v3/objects/contacts/123, /crm/v3/objects/0-1/batch/read: the type, then a record id.
_OBJECT_PATH = re.compile(r"^/crm/(?:v3/)?(?:objects|properties)/(?:[\d-]+/)?([^/]+)(?:/(\d+))?")


@dataclass(frozen=True)
class Row:
    entry: Entry
    error: bool
    kind: ObjectType | None
    record_id: str | None
    visible: bool  # whether the token may read what the bodies hold

    @property
    def message(self) -> str:
        """The message of an error answer in HubSpot's envelope, to show beside its path."""
        if not self.error or not self.visible:
            return ""
        try:
            answer = json.loads(self.entry.response_body)
        except ValueError:
            return ""
        message = answer.get("message") if isinstance(answer, dict) else None
        return message if isinstance(message, str) else ""


def curl(entry: Entry, base_url: str) -> str:
    """The request again, as a curl command (the token left for the reader to supply)."""
    url = base_url.rstrip("/") + entry.path + (f"?{entry.query}" if entry.query else "")
    parts = [f"curl -X {entry.method} {_quoted(url)}", '-H "Authorization: Bearer $HUBCRM_TOKEN"']
    if entry.request_body:
        parts += ["-H 'Content-Type: application/json'", f"-d {_quoted(entry.request_body)}"]
    return " \\\n  ".join(parts)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _row(entry: Entry, session: Session, known: dict[str, ObjectType]) -> Row:
    kind, record_id = _object_of(entry.path, known)
    visible = kind is None or session.may(kind, "read") or session.may(kind, "schema_read")
    return Row(entry, is_error(entry), kind, record_id, visible)


def _object_of(path: str, known: dict[str, ObjectType]) -> tuple[ObjectType | None, str | None]:
    found = _OBJECT_PATH.match(path)
    if not found:
        return None, None
    return known.get(found.group(1)), found.group(2)


def _query(request: Request) -> Query:
    params = request.query_params
    path = params.get("path", "").strip()
    if path and not _GLOB.search(path):
        path = f"*{path}*"  # a plain fragment matches anywhere in the path
    return Query(
        method=params.get("method") or None,
        path=path or None,
        status=params.get("status", "").strip() or None,
    )


async def latest(request: Request, session: Session, count: int) -> dict[str, Any]:
    """The newest requests and the chart of them all, for the home page."""
    everything = services(request).control.journal.entries(session.portal_id)
    known = await types.by_path(services(request), session)
    return {
        "rows": [_row(e, session, known) for e in everything[-count:][::-1]],
        "chart": requests_over_time(everything),
        "kept": len(everything),
        "matching": len(everything),
    }


async def journal_page(request: Request, session: Session) -> Response:
    journal = services(request).control.journal
    everything = journal.entries(session.portal_id)
    matching = journal.entries(session.portal_id, _query(request))
    before = request.query_params.get("before", "")
    if before.isdigit():
        matching = [e for e in matching if e.sequence < int(before)]
    page = matching[-PAGE_SIZE:][::-1]  # newest first
    known = await types.by_path(services(request), session)
    older = page[-1].sequence if len(matching) > PAGE_SIZE else None
    context = {
        "rows": [_row(e, session, known) for e in page],
        "chart": requests_over_time(everything),
        "kept": len(everything),
        "matching": len(matching),
        "older": older,
        "enabled": journal.enabled,
        "size": journal.size,
        "filters": {k: request.query_params.get(k, "") for k in ("method", "status", "path")},
    }
    return render(request, "journal.html", context, session=session)


async def entry_page(request: Request, session: Session) -> Response:
    sequence = request.path_params["sequence"]
    journal = services(request).control.journal
    found = [e for e in journal.entries(session.portal_id) if e.sequence == sequence]
    if not found:
        message = f"The journal holds no request #{sequence}: it keeps the latest {journal.size}."
        return error_page(request, session, 404, "No such request", message)
    context = {
        "row": _row(found[0], session, await types.by_path(services(request), session)),
        "curl": curl(found[0], str(request.base_url)),
    }
    return render(request, "entry.html", context, session=session)
