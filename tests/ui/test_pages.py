"""The UI's pages as HTML: what each shows, escaping, and changes made through the domain."""

from __future__ import annotations

import re

from hubcrm.protocol import messages
from tests.conftest import Api, upsert_input
from tests.ui.helpers import csrf_of, page, sign_in, text_of

SCRIPT = "<script>alert(1)</script>"


def people(api: Api, count: int) -> None:
    inputs = [
        upsert_input(
            f"p{i:02d}@x.com", firstname=f"Person{i:02d}", lastname="Smith" if i % 2 else "Jones"
        )
        for i in range(count)
    ]
    assert api.upsert(inputs).status_code == 200


def record_ids(markup: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/ui/objects/contacts/(\d+)"', markup)]


def test_object_types_show_their_record_counts(api: Api) -> None:
    people(api, 3)
    sign_in(api)
    text = text_of(page(api, "/ui/objects"))
    assert "Contacts contacts 0-1 3 properties" in text


def test_records_are_listed_searched_filtered_sorted_and_paged(api: Api) -> None:
    people(api, 30)
    sign_in(api)
    first = page(api, "/ui/objects/contacts")
    assert record_ids(first) == list(range(1, 26))
    assert "1\u201325 of 30" in text_of(first)
    second = page(api, "/ui/objects/contacts", offset=25)
    assert record_ids(second) == list(range(26, 31))
    found = page(api, "/ui/objects/contacts", q="person07")
    assert record_ids(found) == [8]
    filtered = page(
        api, "/ui/objects/contacts", fp="lastname", fo="EQ", fv="smith", sort="-email", limit=50
    )
    assert record_ids(filtered) == list(range(30, 0, -2))
    listed = page(api, "/ui/objects/contacts", fp="email", fo="IN", fv="p01@x.com, p03@x.com")
    assert record_ids(listed) == [2, 4]


def test_the_columns_shown_are_chosen(api: Api) -> None:
    people(api, 1)
    sign_in(api)
    text = text_of(page(api, "/ui/objects/contacts", columns="hs_object_id,lastname"))
    assert "Record ID \u00d7 Last Name \u00d7" in text
    assert "Jones" in text
    assert "p00@x.com" not in text


def test_a_filter_the_search_refuses_is_shown_in_hubspots_words(api: Api) -> None:
    sign_in(api)
    text = text_of(page(api, "/ui/objects/contacts", 400, fp="nope", fo="EQ", fv="1"))
    assert messages.SEARCH_UNKNOWN_PROPERTY.format(name="nope") in text
    assert 'value="nope"' in page(api, "/ui/objects/contacts", 400, fp="nope", fo="EQ", fv="1")


def test_an_unknown_object_type_or_page_is_a_readable_page(api: Api) -> None:
    sign_in(api)
    assert "No such page" in text_of(page(api, "/ui/nowhere/at/all", 404))
    text = text_of(page(api, "/ui/objects/widgets", 400))
    assert messages.UNKNOWN_OBJECT_TYPE.format(name="widgets") in text


def test_a_record_shows_every_property_and_each_ones_history(api: Api) -> None:
    api.upsert([upsert_input("ada@x.com", firstname="Ada", jobtitle="Analyst")])
    api.clock.advance(1000)
    api.upsert([upsert_input("ada@x.com", jobtitle="Programmer")])
    sign_in(api)
    markup = page(api, "/ui/objects/contacts/1")
    text = text_of(markup)
    assert "Ada" in text
    history = re.search(r"Job Title jobtitle Programmer history \(2\)(.*?)edit", text)
    assert history is not None
    assert history.group(1).split() == [
        "2026-01-01", "00:00:01.000", "API", "·", "token", "1", "Programmer",
        "2026-01-01", "00:00:00.000", "API", "·", "token", "1", "Analyst",
    ]  # fmt: skip
    empty = 'id="p-hs_content_membership_notes"'
    assert empty not in markup
    assert empty in page(api, "/ui/objects/contacts/1", show="all")


def test_values_are_escaped_on_every_page(api: Api) -> None:
    api.upsert([upsert_input("x@x.com", firstname=SCRIPT, lastname='"><img src=x>')])
    sign_in(api)
    pages = [
        page(api, "/ui/objects/contacts"),
        page(api, "/ui/objects/contacts/1"),
        page(api, "/ui/objects/contacts", q=SCRIPT),
        page(api, "/ui/requests/1"),
        page(api, "/ui/requests", path=SCRIPT),
    ]
    for markup in pages:
        assert SCRIPT not in markup
        assert "<img src=x>" not in markup
        assert len(re.findall(r"<script\b", markup)) == 1  # the UI's own ui.js only
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1]


def test_editing_a_value_goes_through_the_same_update_as_the_api(api: Api) -> None:
    api.upsert([upsert_input("ann@x.com", firstname="Ann")])
    sign_in(api)
    csrf = csrf_of(page(api, "/ui/objects/contacts/1"))
    edit = "/ui/objects/contacts/1/edit"
    forged = api.client.post(edit, data={"property": "firstname", "value": "Eve"})
    assert forged.status_code == 403
    saved = api.client.post(
        edit, data={"csrf": csrf, "property": "firstname", "value": "Anne"}, follow_redirects=False
    )
    assert saved.status_code == 303
    read = api.get("/crm/v3/objects/contacts/1", propertiesWithHistory="firstname").json()
    assert read["properties"]["firstname"] == "Anne"
    newest = read["propertiesWithHistory"]["firstname"][0]
    assert (newest["value"], newest["sourceType"], newest["sourceId"]) == (
        "Anne",
        "CRM_UI",
        "userId:1",
    )
    refused = api.client.post(edit, data={"csrf": csrf, "property": "email", "value": "nope"})
    assert refused.status_code == 400
    assert messages.INVALID_EMAIL.format(value="nope") in text_of(refused.text)
    assert api.get("/crm/v3/objects/contacts/1").json()["properties"]["email"] == "ann@x.com"


def test_archiving_a_record_goes_through_the_domain(api: Api) -> None:
    api.upsert([upsert_input("ann@x.com")])
    sign_in(api)
    csrf = csrf_of(page(api, "/ui/objects/contacts/1"))
    archived = api.client.post(
        "/ui/objects/contacts/1/archive", data={"csrf": csrf}, follow_redirects=False
    )
    assert archived.headers["location"] == "/ui/objects/contacts?archived=1"
    assert api.get("/crm/v3/objects/contacts/1").status_code == 404
    assert "archived" in text_of(page(api, "/ui/objects/contacts/1"))
    assert record_ids(page(api, "/ui/objects/contacts")) == []
    assert record_ids(page(api, "/ui/objects/contacts/archived")) == [1]


def test_property_definitions_mark_the_custom_ones(api: Api) -> None:
    created = api.post(
        "/crm/v3/properties/contacts",
        {"name": "shoe_size", "label": "Shoe size", "type": "number", "fieldType": "number",
         "groupName": "contactinformation"},
    )  # fmt: skip
    assert created.status_code == 201
    sign_in(api)
    text = text_of(page(api, "/ui/properties/contacts"))
    assert "1 custom" in text
    assert "Shoe size custom shoe_size number / number" in text
    only = text_of(page(api, "/ui/properties/contacts", custom="1"))
    assert "Email" not in only.split("Options", 1)[1]


def test_the_journal_lists_requests_newest_first_and_filters_them(api: Api) -> None:
    api.upsert([upsert_input("a@x.com")])
    api.get("/crm/v3/objects/contacts/99")
    api.upsert([upsert_input("bad")])
    sign_in(api)
    text = text_of(page(api, "/ui/requests"))
    rows = re.findall(r"(\d) 2026-01-01 00:00:00.000 (GET|POST) (\S+) (?:.*? )?(\d{3}) ", text)
    assert rows == [
        ("3", "POST", "/crm/v3/objects/contacts/batch/upsert", "400"),
        ("2", "GET", "/crm/v3/objects/contacts/99", "404"),
        ("1", "POST", "/crm/v3/objects/contacts/batch/upsert", "200"),
    ]
    assert "3 requests, 2 errors" in text
    errors = text_of(page(api, "/ui/requests", status="4xx", path="batch"))
    assert "1 of 1 shown" in errors
    assert messages.INVALID_EMAIL.format(value="bad") in errors


def test_a_journal_entry_shows_its_body_and_answer(api: Api) -> None:
    api.upsert([upsert_input("a@x.com", firstname="Ann")])
    sign_in(api)
    markup = page(api, "/ui/requests/1")
    text = text_of(markup)
    assert '"firstname": "Ann"' in text
    assert '"status": "COMPLETE"' in text
    assert api.token not in markup
    assert "holds no request #9" in text_of(page(api, "/ui/requests/9", 404))


def test_the_journal_hides_bodies_the_token_may_not_read(api: Api) -> None:
    api.upsert([upsert_input("a@x.com", firstname="Ann")])
    sign_in(api, api.new_token(frozenset({"crm.objects.companies.read"})))
    text = text_of(page(api, "/ui/requests/1"))
    assert "Ann" not in text
    assert "may not read contacts" in text


def test_the_uis_own_pages_stay_out_of_the_journal(api: Api) -> None:
    sign_in(api)
    page(api, "/ui/objects")
    assert api.state.control.journal.entries(api.portal_id) == []


def test_a_record_links_to_its_associated_records(api: Api) -> None:
    api.upsert([upsert_input("ann@x.com", firstname="Ann")])
    company = api.post("/crm/v3/objects/companies", {"properties": {"name": "Acme <Labs>"}})
    assert company.status_code == 201, company.text
    company_id = company.json()["id"]
    linked = api.client.put(
        f"/crm/v4/objects/contacts/1/associations/default/companies/{company_id}",
        headers=api.headers(),
    )
    assert linked.status_code == 200, linked.text
    sign_in(api)
    markup = page(api, "/ui/objects/contacts/1")
    assert f'href="/ui/objects/companies/{company_id}">Acme &lt;Labs&gt;</a>' in markup
    back = page(api, f"/ui/objects/companies/{company_id}")
    assert 'href="/ui/objects/contacts/1">Ann</a>' in back


def test_a_portals_custom_object_types_are_listed_with_the_standard_ones(api: Api) -> None:
    schema = {
        "name": "cars",
        "labels": {"singular": "Car", "plural": "Cars"},
        "primaryDisplayProperty": "model",
        "requiredProperties": ["model"],
        "properties": [{"name": "model", "label": "Model", "type": "string", "fieldType": "text"}],
        "associatedObjects": ["CONTACT"],
    }
    made = api.post("/crm/v3/schemas", schema)
    assert made.status_code == 201, made.text
    type_id = made.json()["objectTypeId"]
    car = api.post(f"/crm/v3/objects/{type_id}", {"properties": {"model": "Model T"}})
    assert car.status_code == 201, car.text
    sign_in(api)
    types = page(api, "/ui/objects")
    assert f'href="/ui/objects/{type_id}">Cars</a>' in types
    assert f"Cars cars {type_id} 1" in text_of(types)
    listing = page(api, f"/ui/objects/{type_id}", columns="hs_object_id,model")
    assert "Model T" in listing
    assert "Model T" in text_of(page(api, f"/ui/objects/{type_id}/{car.json()['id']}"))
