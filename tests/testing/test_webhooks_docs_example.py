"""docs/testing.md's apps and webhooks example, run as a user would: `pytest` in a folder."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_EXAMPLE_BLOCK = re.compile(r'```\w+ example="webhooks/([^"]+)"\n(.*?)```', re.S)


def test_the_webhooks_example_in_the_docs_passes(tmp_path: Path) -> None:
    files = dict(_EXAMPLE_BLOCK.findall((ROOT / "docs" / "testing.md").read_text()))
    assert set(files) == {"pytest.ini", "test_app.py"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout, run.stdout
