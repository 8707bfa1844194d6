"""docs/testing.md's example suite, run as a user would: `pytest -n 2` in a folder of its own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_FILE_BLOCK = re.compile(r'```\w+ title="([^"]+)"\n(.*?)```', re.S)


def example_files() -> dict[str, str]:
    return dict(_FILE_BLOCK.findall((ROOT / "docs" / "testing.md").read_text()))


def test_the_example_suite_in_the_docs_passes_in_parallel(tmp_path: Path) -> None:
    files = example_files()
    assert set(files) == {"signup_sync.py", "seed.json", "conftest.py", "test_signup_sync.py"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "14 passed" in run.stdout, run.stdout
