"""The suite's own standards: lint, format and strict typing are part of the test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "src", "tests", "scripts", "benchmarks"],
        ["ruff", "format", "--check", "src", "tests", "scripts", "benchmarks"],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_tool_passes(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.xdist_group("tooling")
def test_xdist_groups_are_kept_together(request: pytest.FixtureRequest) -> None:
    """The tests of an xdist group share a server or a browser in one worker. pytest-xdist's
    --dist loadgroup names a test's group in its id, and some pytest releases drop the name, so
    that the group's tests spread over every worker, each starting its own
    (pytest-dev/pytest-xdist#1386: pytest 9.2 with pytest-xdist 3.8). constraints.txt holds
    versions that group."""
    if getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith("@tooling"), "--dist loadgroup is not grouping tests"
