"""`hubcrm import` and `hubcrm export` against a live server: as clients of its public API, under
rate limits, faults, and a kill in the middle."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hubcrm.testing.portal import Portal
from hubcrm.transfer.client import Client
from tests.backends import BACKENDS, fresh_database
from tests.cli.commands import hubcrm as shared_hubcrm
from tests.server import LiveServer

pytestmark = pytest.mark.slow

SUMMARY = re.compile(r"imported (\d+), rejected (\d+), seconds [\d.]+ \(rate limited (\d+) times")


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One server of each backend for the module's tests: each test imports into portals of its
    own (portal_for), and the rate limits, faults and journal are each portal's."""
    # Ten requests a second per portal: batches of ten rows meet 429s at once.
    limits = ["--rate-limit", "starter", "--rate-limit-window-ms", "1000"]
    with fresh_database(request.param, tmp_path_factory.mktemp("transfer")) as url:
        live = LiveServer(url, "--control", *limits, "--rate-limit-burst", "10").start()
        yield live
        live.stop()


def hubcrm(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    """`hubcrm ARGS` in the tests' shared hubcrm process, with the token in the environment."""
    return shared_hubcrm(*args, env={"HUBSPOT_ACCESS_TOKEN": token} if token else None)


def import_args(portal: Portal, path: Path, *extra: str) -> list[str]:
    return ["import", str(path), "--object", "contacts", "--url", portal.base_url, *extra]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def all_contacts(portal: Portal, *properties: str) -> list[dict[str, Any]]:
    """Every contact's properties, read with the importer's own client (it waits out 429s)."""
    client = Client(portal.base_url, portal.token)
    found: list[dict[str, Any]] = []
    after = ""
    wanted = "".join(f"&properties={p}" for p in properties)
    try:
        while True:
            answer = client.request("GET", f"/crm/v3/objects/contacts?limit=100{wanted}{after}")
            assert answer.status == 200, answer.body
            page = answer.body
            found += [r["properties"] for r in page["results"]]
            if "paging" not in page:
                return found
            after = "&after=" + page["paging"]["next"]["after"]
    finally:
        client.close()


def people(count: int) -> list[list[str]]:
    rows = [["Email", "firstname", "followercount", "hs_buying_role"]]
    for n in range(1, count + 1):
        rows.append([f"p{n}@example.com", f"First {n}", str(n), "CHAMPION"])
    return rows


def test_an_import_under_rate_limits_reports_exactly_the_bad_rows(
    server: LiveServer, tmp_path: Path
) -> None:
    portal = server.portal_for("import-bad-rows")
    rows = people(300)
    rows[7][0] = "not-an-email"  # row 7: the id itself is refused
    rows[120][2] = "lots"  # row 120: not a number
    rows[150][3] = "KINGMAKER"  # row 150: not an option
    rows[200][0] = ""  # row 200: no id at all
    rows[11] = ["p10@example.com", "Second ten", "10", "CHAMPION"]  # row 11 repeats row 10's id
    source = write_csv(tmp_path / "people.csv", rows)
    errors = tmp_path / "rejected.csv"

    done = hubcrm(
        *import_args(portal, source, "--id-property", "email", "--map", "Email=email"),
        *("--errors", str(errors), "--batch-size", "10", "--concurrency", "16"),
        token=portal.token,
    )

    assert done.returncode == 1, done.stderr
    imported, rejected, rate_limited = map(int, SUMMARY.search(done.stdout).groups())  # type: ignore[union-attr]
    assert (imported, rejected) == (296, 4)
    assert rate_limited > 0  # sixteen batches at once against ten a second
    with errors.open(newline="") as found:
        refused = list(csv.reader(found))
    assert refused[0] == ["row", "id", "category", "message"]
    refused[1:] = sorted(refused[1:], key=lambda r: int(r[0]))  # in the order batches finished
    assert [(r[0], r[1], r[2]) for r in refused[1:]] == [
        ("7", "not-an-email", "VALIDATION_ERROR"),
        ("120", "p120@example.com", "VALIDATION_ERROR"),
        ("150", "p150@example.com", "VALIDATION_ERROR"),
        ("200", "", "INVALID_ROW"),
    ]
    assert "not-an-email is invalid" in refused[1][3]
    assert "followercount" in refused[2][3]
    assert "KINGMAKER" in refused[3][3]
    assert refused[4][3] == "the row has no value for email"
    stored = {
        c["email"]: c
        for c in all_contacts(portal, "email", "firstname", "followercount", "hs_buying_role")
    }
    expected = {
        r[0]: (r[1], r[2]) for n, r in enumerate(rows) if n and n not in (7, 120, 150, 200) and r[0]
    }
    assert len(stored) == len(expected) == 295
    assert {e: (c["firstname"], c["followercount"]) for e, c in stored.items()} == expected
    assert stored["p10@example.com"]["firstname"] == "Second ten"  # the later row wins


def kill_midway(command: list[str], state: Path) -> int:
    """Run an import and SIGKILL it once some, not all, of its rows are done; the rows done."""
    running = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if state.exists() and json.loads(state.read_text())["imported"] >= 100:
            break
        time.sleep(0.01)
    running.send_signal(signal.SIGKILL)
    running.wait()
    done: int = json.loads(state.read_text())["imported"]
    return done


def test_a_killed_import_resumes_with_nothing_lost_or_written_twice(
    server: LiveServer, tmp_path: Path
) -> None:
    portal = server.portal_for("import-resume")
    source = write_csv(tmp_path / "people.csv", people(400))
    state = tmp_path / "people.csv.import-state"
    args = import_args(portal, source, "--id-property", "email", "--map", "Email=email")
    args += ["--batch-size", "10"]
    halfway = kill_midway([sys.executable, "-m", "hubcrm", *args, "--token", portal.token], state)
    assert 100 <= halfway < 400

    other = hubcrm(
        *import_args(portal, source, "--id-property", "firstname", "--resume"), token=portal.token
    )
    assert other.returncode == 2  # the state file is another import's
    assert "belongs to another import" in other.stderr
    resumed = hubcrm(*args, "--resume", token=portal.token)

    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith("imported 400, rejected 0")  # counted once, whatever resent
    assert not state.exists()
    stored = all_contacts(portal, "email", "firstname", "followercount")
    assert sorted((c["email"], c["firstname"], c["followercount"]) for c in stored) == sorted(
        (f"p{n}@example.com", f"First {n}", str(n)) for n in range(1, 401)
    )


def test_a_killed_batch_create_resumes_without_creating_a_row_twice(
    server: LiveServer, tmp_path: Path
) -> None:
    portal = server.portal_for("import-resume-create")
    source = write_csv(tmp_path / "people.csv", people(400))
    errors = tmp_path / "rejected.csv"
    args = import_args(portal, source, "--map", "Email=email", "--batch-size", "10")
    args += ["--errors", str(errors), "--concurrency", "2"]
    state = tmp_path / "people.csv.import-state"
    kill_midway([sys.executable, "-m", "hubcrm", *args, "--token", portal.token], state)

    resumed = hubcrm(*args, "--resume", token=portal.token)

    assert resumed.returncode in (0, 1), resumed.stderr
    imported, rejected, _ = map(int, SUMMARY.search(resumed.stdout).groups())  # type: ignore[union-attr]
    assert imported + rejected == 400
    with errors.open(newline="") as found:
        unknown = {int(r[0]) for r in list(csv.reader(found))[1:]}
    assert len(unknown) == rejected  # each only as "outcome unknown": maybe created, not twice
    emails = [c["email"] for c in all_contacts(portal, "email")]
    assert len(emails) == len(set(emails))  # nothing created twice
    created = {int(e.split("@")[0][1:]) for e in emails}
    assert set(range(1, 401)) - unknown <= created  # nothing lost
    assert created - set(range(1, 401)) == set()


def test_export_then_import_reproduces_every_record(server: LiveServer, tmp_path: Path) -> None:
    source, target = server.portal_for("export-from"), server.portal_for("export-into")
    rows = [["email", "firstname", "lastname", "followercount", "hs_buying_role", "city"]]
    for n in range(1, 151):
        rows.append(
            [f"e{n}@example.com", f'Ann, "{n}"', "" if n % 3 else "Smith\nJr", str(n), "", "Oslo"]
        )
    seeded = hubcrm(
        *import_args(source, write_csv(tmp_path / "in.csv", rows), "--id-property", "email"),
        token=source.token,
    )
    assert seeded.returncode == 0, seeded.stderr
    for kind in ("csv", "jsonl"):
        exported = tmp_path / f"out.{kind}"
        done = hubcrm(
            *("export", "--object", "contacts", "--url", source.base_url),
            *("--output", str(exported), "--token", source.token),
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("exported 150, seconds")
        again = hubcrm(
            *import_args(target, exported, "--id-property", "email", "--format", kind),
            token=target.token,
        )
        assert again.returncode == 0, again.stderr
    wanted = ("email", "firstname", "lastname", "followercount", "hs_buying_role", "city")

    def values(portal: Portal) -> list[tuple[Any, ...]]:
        return sorted(tuple(c.get(p) for p in wanted) for c in all_contacts(portal, *wanted))

    assert values(target) == values(source)
    assert len(values(target)) == 150
    by_email = {v[0]: v for v in values(source)}
    assert by_email["e1@example.com"] == ("e1@example.com", 'Ann, "1"', None, "1", None, "Oslo")
    assert by_email["e3@example.com"][2] == "Smith\nJr"


def test_import_retries_server_errors_and_dropped_connections(
    server: LiveServer, tmp_path: Path
) -> None:
    portal = server.portal_for("import-faults")
    upserts = "/crm/v3/objects/contacts/batch/upsert"
    portal.faults.error(502, upserts, times=2)
    portal.faults.drop(upserts, times=2)
    source = write_csv(tmp_path / "people.csv", people(50))

    done = hubcrm(
        *import_args(portal, source, "--id-property", "email", "--map", "Email=email"),
        token=portal.token,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("imported 50, rejected 0")
    assert len(all_contacts(portal)) == 50


def test_an_id_property_that_cannot_key_an_upsert_stops_the_import_at_once(
    server: LiveServer, tmp_path: Path
) -> None:
    portal = server.portal_for("import-bad-key")
    source = write_csv(tmp_path / "people.csv", people(20))
    for key, said in (
        ("firstname", "--id-property firstname is not a unique property"),
        ("nosuch", "--id-property nosuch: Unable to find property nosuch"),
    ):
        done = hubcrm(*import_args(portal, source, "--id-property", key), token=portal.token)
        assert done.returncode == 1
        assert said in done.stderr
    assert all_contacts(portal) == []


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "people.csv", people(1))
    base = ["import", str(source), "--object", "contacts", "--url", "http://127.0.0.1:9"]
    assert hubcrm(*base).returncode == 2  # no token
    assert hubcrm(*base, "--token", "t", "--map", "nothing").returncode == 2
    assert hubcrm(*base, "--token", "t", "--batch-size", "101").returncode == 2
    assert hubcrm("import", "missing.csv", "--object", "contacts").returncode == 2


def test_a_terminal_gets_a_progress_bar(server: LiveServer, tmp_path: Path) -> None:
    portal = server.portal_for("import-terminal")
    source = write_csv(tmp_path / "people.csv", people(30))
    args = import_args(portal, source, "--id-property", "email", "--map", "Email=email")
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "hubcrm", *args, "--token", portal.token],
            stderr=follower,
            stdout=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
        shown = ""
        while select.select([leader], [], [], 0.2)[0]:
            shown += os.read(leader, 65536).decode(errors="replace")
    finally:
        os.close(leader)
        os.close(follower)
    assert done.returncode == 0
    assert "importing: 100%" in shown
    assert "30/30" in shown


def test_many_properties_are_read_by_batch_and_archived_records_exported(
    database_url: str, tmp_path: Path
) -> None:
    live = LiveServer(database_url, "--control").start()
    try:
        portal = live.portal_for("export-wide")
        client = Client(portal.base_url, portal.token)
        # Enough long names that the list URL would pass 6,000 characters: batch/read instead.
        names = [f"custom_field_{n:02d}_" + "x" * 80 for n in range(70)]
        for name in names:
            body = {"name": name, "label": name, "type": "string", "fieldType": "text"}
            made = client.request("POST", "/crm/v3/properties/contacts", body | GROUP)
            assert made.status == 201, made.body
        rows = [["email", *names]]
        rows += [[f"w{n}@example.com", *(f"{n}-{i}" for i in range(70))] for n in range(1, 131)]
        source = write_csv(tmp_path / "wide.csv", rows)
        done = hubcrm(*import_args(portal, source, "--id-property", "email"), token=portal.token)
        assert done.returncode == 0, done.stderr
        ids = []
        for n in range(1, 6):
            path = f"/crm/v3/objects/contacts/w{n}@example.com?idProperty=email"
            ids.append(client.request("GET", path).body["id"])
        archive = {"inputs": [{"id": i} for i in ids]}
        gone = client.request("POST", "/crm/v3/objects/contacts/batch/archive", archive)
        assert gone.status == 204
        client.close()

        exported = tmp_path / "out.csv"
        done = hubcrm(
            *("export", "--object", "contacts", "--url", portal.base_url, "--output"),
            *(str(exported), "--token", portal.token),
        )
        assert done.returncode == 0, done.stderr
        with exported.open(newline="") as found:
            table = list(csv.DictReader(found))
        assert len(table) == 125
        assert all(row[names[69]] == row["email"][1:].split("@")[0] + "-69" for row in table)
        assert portal.journal.count("POST", "/crm/v3/objects/contacts/batch/read") == 2

        archived = hubcrm(
            *("export", "--object", "contacts", "--url", portal.base_url, "--archived"),
            *("--properties", "email", "--format", "jsonl", "--token", portal.token),
        )
        assert archived.returncode == 0, archived.stderr
        emails = sorted(json.loads(line)["email"] for line in archived.stdout.splitlines())
        assert emails == sorted(f"w{n}@example.com" for n in range(1, 6))
    finally:
        live.stop()


GROUP = {"groupName": "contactinformation"}
