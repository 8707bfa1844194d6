"""The shared `hubcrm` process of commands.py: reads one JSON request a line, `{"args": [...],
"env": {...}}`, runs `hubcrm ARGS` with those environment variables set, and answers one JSON line
with its exit status and what it wrote to standard output and error."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback
from typing import Any

from hubcrm.cli import main


def status_of(exit_code: object, stderr: io.StringIO) -> int:
    """The exit status of a process ended by SystemExit(exit_code), as Python gives it."""
    if exit_code is None:
        return 0
    if isinstance(exit_code, int):
        return exit_code
    print(exit_code, file=stderr)
    return 1


def run(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                status = main(args)
            except SystemExit as exit_:  # argparse: --help, or a usage error
                status = status_of(exit_.code, stderr)
            except Exception:
                traceback.print_exc()
                status = 1
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return {"returncode": status, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}


def serve_requests() -> None:
    answers = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        answers.write(json.dumps(run(request["args"], request["env"])) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve_requests()
