"""Signing in to the UI of an in-process hubcrm, and reading its pages."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.conftest import Api

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(api: Api, token: str | None = None) -> Any:
    """Sign the client in with this token (the portal's by default); the sign-in answer."""
    form = api.client.get("/ui/signin")
    assert form.status_code == 200, form.text
    return api.client.post(
        "/ui/signin",
        data={"csrf": csrf_of(form.text), "token": token or api.token, "next": "/ui/objects"},
        follow_redirects=False,
    )


def page(api: Api, url: str, expect: int = 200, **params: Any) -> str:
    answer = api.client.get(url, params=params, follow_redirects=False)
    assert answer.status_code == expect, answer.text
    text: str = answer.text
    if answer.is_redirect:
        return str(answer.headers["location"])
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "Traceback" not in text
    return text


def text_of(markup: str) -> str:
    """The page's text, tags dropped and entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
