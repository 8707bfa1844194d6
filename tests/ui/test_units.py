"""The UI's pure parts: the records page's URL state, the journal's chart, the test browser's
switches."""

from __future__ import annotations

import msgspec
import pytest
from starlette.datastructures import QueryParams

from hubcrm.control.journal import Entry
from hubcrm.domain.objects import CONTACTS
from hubcrm.protocol.wire import Filter, FilterGroup, SearchRequest, Sort
from hubcrm.testing import browser
from hubcrm.ui.chart import requests_over_time
from hubcrm.ui.journal import curl
from hubcrm.ui.listing import Listing, default_columns
from hubcrm.ui.session import safe_next


def test_a_listing_reads_its_url_into_a_search_request() -> None:
    params = QueryParams(
        "columns=email,firstname&q=ada&fp=lastname&fo=IN&fv=a,%20b&fh=&fp=age&fo=BETWEEN"
        "&fv=1&fh=9&fp=phone&fo=HAS_PROPERTY&fv=&fh=&fp=&fo=&fv=&fh=&sort=-email&offset=50"
        "&limit=50"
    )
    listing = Listing.read(params, CONTACTS)
    assert listing.columns == ("email", "firstname")
    assert listing.search_request() == SearchRequest(
        filter_groups=[
            FilterGroup(
                [
                    Filter("lastname", "IN", values=["a", "b"]),
                    Filter("age", "BETWEEN", "1", "9"),
                    Filter("phone", "HAS_PROPERTY"),
                ]
            )
        ],
        sorts=[Sort("email", "DESCENDING")],
        query="ada",
        limit=50,
        after="50",
    )
    assert Listing.read(QueryParams(listing.params()), CONTACTS) == listing


def test_a_listing_defaults_to_the_types_default_columns_sorted_by_id() -> None:
    listing = Listing.read(QueryParams("limit=7&offset=x"), CONTACTS)
    assert listing.columns == default_columns(CONTACTS)
    assert listing.columns[0] == "hs_object_id"
    assert (listing.limit, listing.offset, listing.sort) == (25, 0, "")
    assert listing.search_request() == SearchRequest(limit=25)
    assert "sort=email" in listing.sorted_by("email")
    assert "sort=-email" in Listing.read(QueryParams("sort=email"), CONTACTS).sorted_by("email")


def entry(at: int, status: int = 200) -> Entry:
    return Entry(
        sequence=1, at=at, method="GET", path="/", query="", status=status, duration_ms=1.0,
        correlation_id="", request_body="", request_truncated=False, response_body="",
        response_truncated=False,
    )  # fmt: skip


def test_the_chart_counts_requests_and_errors_per_second() -> None:
    assert requests_over_time([]) is None
    chart = requests_over_time(
        [entry(10_000), entry(10_500, 404), entry(12_100), entry(12_900, 500)]
    )
    assert chart is not None
    assert chart.bucket_seconds == 1
    assert [(b.requests, b.errors) for b in chart.bars] == [(2, 1), (0, 0), (2, 1)]
    assert (chart.requests, chart.errors, chart.peak_rate) == (4, 2, 2.0)
    assert chart.bars[0].height == chart.bottom - chart.top
    assert chart.bars[0].error_height == chart.bars[0].height / 2


def test_a_long_journal_is_drawn_in_wider_buckets() -> None:
    chart = requests_over_time([entry(0), entry(600_000)])
    assert chart is not None
    assert chart.bucket_seconds == 15
    assert sum(b.requests for b in chart.bars) == 2
    assert len(chart.bars) <= 60


def test_after_signing_in_only_pages_of_the_ui_are_followed() -> None:
    assert safe_next("/ui/objects/contacts?q=a") == "/ui/objects/contacts?q=a"
    for elsewhere in ("https://evil.example/", "//evil.example", "/ui/\\evil", None, "/crm"):
        assert safe_next(elsewhere) == "/ui/"


def test_a_journal_entry_is_sent_again_with_curl() -> None:
    sent = msgspec.structs.replace(
        entry(0), method="POST", path="/crm/v3/objects/contacts", query="a=1",
        request_body='{"properties": {"firstname": "O\'Brien"}}',
    )  # fmt: skip
    assert curl(sent, "http://127.0.0.1:8080/") == (
        "curl -X POST 'http://127.0.0.1:8080/crm/v3/objects/contacts?a=1' \\\n"
        '  -H "Authorization: Bearer $HUBCRM_TOKEN" \\\n'
        "  -H 'Content-Type: application/json' \\\n"
        """  -d '{"properties": {"firstname": "O'\\''Brien"}}'"""
    )


def test_the_browser_disables_the_unused_popup_and_keeps_playwrights_disabled_features() -> None:
    pytest.importorskip("playwright")
    disabled = browser.playwright_disabled_features()
    assert disabled is not None, "Playwright's driver no longer lists its features where read"
    assert "HttpsUpgrades" in disabled
    (features,) = [a for a in browser.launch_args() if a.startswith("--disable-features=")]
    named = features.removeprefix("--disable-features=").split(",")
    assert set(named) == {*disabled, *browser.UNUSED_FEATURES}
