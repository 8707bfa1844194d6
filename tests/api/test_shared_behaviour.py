"""Behaviour every object type shares, run over a representative set: contacts (the first type,
with its email rules), deals (a writable creation date, hs_lastmodifieddate) and notes (an
engagement with a required property and hs_createdate). Each type's own rules are in
test_object_types.py; the contacts-only rules (emails) in the other files of this folder."""

from __future__ import annotations

from typing import Any

import pytest

from hubcrm.protocol import messages
from tests.api.helpers import assert_error
from tests.conftest import Api
from tests.object_types import REPRESENTATIVE, SAMPLES, Sample

TYPES = [pytest.param(SAMPLES[name], id=name) for name in REPRESENTATIVE]


def base(sample: Sample) -> str:
    return f"/crm/v3/objects/{sample.name}"


def create(api: Api, sample: Sample, *texts: str) -> list[str]:
    inputs = [{"properties": sample.properties(text)} for text in texts]
    response = api.post(f"{base(sample)}/batch/create", {"inputs": inputs})
    assert response.status_code == 201, response.text
    return [r["id"] for r in response.json()["results"]]


def search(api: Api, sample: Sample, **body: Any) -> Any:
    response = api.post(f"{base(sample)}/search", body)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("sample", TYPES)
def test_paging_neither_skips_nor_repeats_while_records_are_written(
    api: Api, sample: Sample
) -> None:
    create(api, sample, *[f"r{i}" for i in range(30)])
    seen: list[str] = []
    after: str | None = None
    round_ = 0
    while True:
        params: dict[str, Any] = {"limit": 7} | ({"after": after} if after else {})
        body = api.get(base(sample), **params).json()
        seen += [r["id"] for r in body["results"]]
        create(api, sample, f"new {round_}", f"newer {round_}")
        round_ += 1
        if round_ == 2:
            api.post(f"{base(sample)}/batch/archive", {"inputs": [{"id": "20"}]})
        api.post(
            f"{base(sample)}/batch/update",
            {"inputs": [{"id": "1", "properties": {sample.text: f"round {round_}"}}]},
        )
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
    assert len(seen) == len(set(seen))
    assert seen[:29] == [str(i) for i in range(1, 31) if i != 20]


@pytest.mark.parametrize("sample", TYPES)
def test_list_limits_and_archived_reads(api: Api, sample: Sample) -> None:
    for params, message in (
        ({"limit": 101}, "limit must be between 1 and 100, not 101"),
        ({"after": "abc"}, "after must be a paging cursor from a previous answer, not abc"),
    ):
        assert_error(api.get(base(sample), **params), 400, "VALIDATION_ERROR", message)
    create(api, sample, "a", "b", "c")
    api.clock.advance(5000)
    api.post(f"{base(sample)}/batch/archive", {"inputs": [{"id": "2"}, {"id": "99"}]})
    assert [r["id"] for r in api.get(base(sample)).json()["results"]] == ["1", "3"]
    archived = api.get(base(sample), archived="true").json()["results"]
    assert [(r["id"], r["archived"], r["archivedAt"]) for r in archived] == [
        ("2", True, "2026-01-01T00:00:05.000Z")
    ]
    assert api.get(f"{base(sample)}/2").status_code == 404
    assert api.get(f"{base(sample)}/2", archived="true").json()["archived"] is True


@pytest.mark.parametrize("sample", TYPES)
def test_batch_read_and_update_report_missing_ids_as_207(api: Api, sample: Sample) -> None:
    create(api, sample, "a", "b")
    read = api.post(f"{base(sample)}/batch/read", {"inputs": [{"id": "2"}, {"id": "77"}]})
    assert read.status_code == 207
    assert [r["id"] for r in read.json()["results"]] == ["2"]
    assert read.json()["errors"][0]["message"] == messages.OBJECTS_NOT_FOUND.format(
        type=sample.kind.fully_qualified_name
    )
    assert read.json()["errors"][0]["context"] == {"ids": ["77"]}
    partial = api.post(
        f"{base(sample)}/batch/update",
        {
            "inputs": [
                {"id": "1", "properties": {sample.text: "one"}},
                {"id": "99", "properties": {sample.text: "nobody"}},
            ]
        },
    )
    assert partial.status_code == 207
    assert [r["id"] for r in partial.json()["results"]] == ["1"]
    assert partial.json()["errors"][0]["context"] == {"ids": ["99"]}
    duplicate = api.post(
        f"{base(sample)}/batch/update",
        {"inputs": [{"id": "1", "properties": {}}, {"id": "1", "properties": {}}]},
    )
    assert_error(duplicate, 400, "VALIDATION_ERROR", messages.DUPLICATE_IDS.format(ids="1"))
    too_many = api.post(f"{base(sample)}/batch/create", {"inputs": [{"properties": {}}] * 101})
    assert_error(too_many, 400, "VALIDATION_ERROR", messages.BATCH_TOO_LARGE.format(limit=100))


@pytest.mark.parametrize("sample", TYPES)
def test_single_write_errors_and_history(api: Api, sample: Sample) -> None:
    path = f"{base(sample)}/1"
    no_properties = api.client.patch(path, json={"properties": {}}, headers=api.headers())
    assert_error(no_properties, 400, "VALIDATION_ERROR", messages.NO_PROPERTIES_TO_UPDATE)
    missing = api.client.patch(path, json={"properties": {sample.text: "x"}}, headers=api.headers())
    assert_error(missing, 404, "OBJECT_NOT_FOUND", "resource not found")
    create(api, sample, "first")
    api.clock.advance(1000)
    api.client.patch(path, json={"properties": {sample.text: "second"}}, headers=api.headers())
    history = api.get(path, propertiesWithHistory=sample.text).json()["propertiesWithHistory"]
    assert [(h["value"], h["timestamp"], h["sourceType"]) for h in history[sample.text]] == [
        ("second", "2026-01-01T00:00:01.000Z", "API"),
        ("first", "2026-01-01T00:00:00.000Z", "API"),
    ]
    assert api.client.delete(path, headers=api.headers()).status_code == 204
    assert api.client.delete(path, headers=api.headers()).status_code == 204


@pytest.mark.parametrize("sample", TYPES)
def test_search_filters_sorts_and_pages(api: Api, sample: Sample) -> None:
    create(api, sample, "alpha one", "beta two", "gamma three", "delta four")
    text = sample.text
    found = search(
        api,
        sample,
        filterGroups=[
            {"filters": [{"propertyName": text, "operator": "CONTAINS_TOKEN", "value": "two"}]}
        ],
    )
    assert [r["id"] for r in found["results"]] == ["2"]
    either = search(
        api,
        sample,
        filterGroups=[
            {"filters": [{"propertyName": text, "operator": "EQ", "value": "alpha one"}]},
            {"filters": [{"propertyName": "hs_object_id", "operator": "GTE", "value": "4"}]},
        ],
        sorts=[{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
    )
    assert [r["id"] for r in either["results"]] == ["4", "1"]
    paged = search(api, sample, sorts=[text], limit=2, properties=[text])
    assert paged["total"] == 4
    assert [r["properties"][text] for r in paged["results"]] == ["alpha one", "beta two"]
    assert paged["paging"]["next"]["after"] == "2"
    rest = search(api, sample, sorts=[text], limit=2, after="2", properties=[text])
    assert [r["properties"][text] for r in rest["results"]] == ["delta four", "gamma three"]
    assert "paging" not in rest
    unknown = api.post(
        f"{base(sample)}/search",
        {"filterGroups": [{"filters": [{"propertyName": "nope", "operator": "EQ", "value": "1"}]}]},
    )
    assert unknown.status_code == 400
