"""The import's pieces that need no server: reading files, the resume state, progress lines."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from hubcrm.transfer import rows
from hubcrm.transfer.progress import Progress
from hubcrm.transfer.state import ImportState


def test_csv_rows_are_numbered_renamed_and_leave_out_empty_cells() -> None:
    text = 'Email,firstname\na@example.com,"Ann, ""A"""\nb@example.com,\nc,d,e\n'
    found = list(rows.read(io.StringIO(text), "csv", {"Email": "email"}))
    assert [(r.number, r.properties, r.problem) for r in found] == [
        (1, {"email": "a@example.com", "firstname": 'Ann, "A"'}, None),
        (2, {"email": "b@example.com"}, None),
        (3, {}, "the row has 3 cells but the header 2"),
    ]


def test_json_lines_take_property_objects_or_records() -> None:
    text = '{"email": "a@x.com", "age": 3, "gone": null}\n\n'
    text += '{"properties": {"email": "b@x.com"}}\nnope\n[1]\n'
    found = list(rows.read(io.StringIO(text), "jsonl", {}))
    assert [(r.number, r.properties) for r in found[:2]] == [
        (1, {"email": "a@x.com", "age": "3"}),
        (2, {"email": "b@x.com"}),
    ]
    assert found[2].problem is not None
    assert found[2].problem.startswith("the line is not JSON")
    assert found[3].problem == "the line is not a JSON object of properties"


@given(st.lists(st.integers(min_value=1, max_value=60)))
def test_done_ranges_hold_exactly_the_rows_added(added: list[int]) -> None:
    state = ImportState(Path("unused"), {})
    for row in added:
        state._add(row)
    assert all(state.is_done(r) == (r in added) for r in range(0, 62))
    flat = [r for first, last in state.done for r in range(first, last + 1)]
    assert flat == sorted(set(added))
    assert all(a[1] + 1 < b[0] for a, b in zip(state.done, state.done[1:], strict=False))


def test_the_state_file_survives_a_reload(tmp_path: Path) -> None:
    path = tmp_path / "state"
    state = ImportState(path, {"input": "x"})
    state.sending(1, [1, 2, 3])
    state.finished(None, [4, 5, 7], imported=2, rejected=1)
    again = ImportState.load(path, {"input": "x"})
    assert (again.done, again.imported, again.rejected) == ([[4, 5], [7, 7]], 2, 1)
    assert again.orphans() == {1, 2, 3}


def test_progress_off_a_terminal_is_plain_lines() -> None:
    out = io.StringIO()
    progress = Progress("importing", 10, out, interval=0)
    progress.advance(4, 1)
    progress.close()
    line = out.getvalue().splitlines()[-1]
    assert line.startswith("importing: 4 rows of 10 (40%), ~")
    assert line.endswith("rows/s, 1 rejected")
