"""The HTTP client that POSTs webhook batches to apps' target URLs.

The standard library's client on a small thread pool of its own: no proxy from the environment
(a delivery goes to the target URL and nowhere else), no redirect followed (a 3xx answer is a
failed delivery, retried like any other), and a deadline on the whole request.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from urllib.parse import urlsplit

from hubcrm.domain.webhooks.delivery import Answer

_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="hubcrm-webhooks")
_READ_BYTES = 4096


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _retry_after(headers: Message) -> float | None:
    value = headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _post(url: str, headers: dict[str, str], body: bytes, timeout: float) -> Answer:
    if urlsplit(url).scheme not in ("http", "https"):
        return Answer(None, f"refused: {url} is not an http or https URL")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            text = response.read(_READ_BYTES).decode("utf-8", "replace")
            return Answer(response.status, None, text)
    except urllib.error.HTTPError as error:
        text = error.read(_READ_BYTES).decode("utf-8", "replace") if error.fp else ""
        return Answer(error.code, None, text, _retry_after(error.headers))
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return Answer(None, f"{type(error).__name__}: {reason}")


async def post(url: str, headers: dict[str, str], body: bytes, timeout: float) -> Answer:
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(_POOL, _post, url, headers, body, timeout)
    try:
        # The socket timeout bounds each read; this bounds the whole answer.
        return await asyncio.wait_for(future, timeout * 2 + 1)
    except TimeoutError:
        return Answer(None, f"timeout: no answer within {timeout} s")
