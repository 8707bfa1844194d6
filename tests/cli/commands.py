"""Running `hubcrm` in tests: each command in a process of its own, or many commands, one after
another, in one long-lived `hubcrm` process.

A test suite runs hundreds of commands; starting Python and importing hubcrm for each cost more
than the commands themselves. The shared process (command_process.py) runs each command through
the same `hubcrm.cli.main` as `python -m hubcrm` does, with its own standard output and error and
its exit status. `hubcrm serve` always gets a process of its own, as do the tests of the
entry point itself (test_cli.py) and of processes killed or interrupted.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

_CHILD = Path(__file__).with_name("command_process.py")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m hubcrm ARGS`, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "hubcrm", *args],
        capture_output=True,
        text=True,
        check=False,
        env=None if env is None else {**os.environ, **env},
        timeout=120,
    )


class CommandProcess:
    """One `hubcrm` process that runs command after command, each as `hubcrm ARGS` would."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def run(self, args: tuple[str, ...], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        with self._lock:
            process = self._started()
            assert process.stdin is not None
            assert process.stdout is not None
            process.stdin.write(json.dumps({"args": args, "env": env}) + "\n")
            process.stdin.flush()
            line = process.stdout.readline()
            if not line:  # the process died: say so, and start another for the next command
                self.close()
                raise RuntimeError(f"the hubcrm command process ended running {args}")
            done = json.loads(line)
        return subprocess.CompletedProcess(
            ["hubcrm", *args], done["returncode"], done["stdout"], done["stderr"]
        )

    def _started(self) -> subprocess.Popen[str]:
        if self._process is None:
            self._process = subprocess.Popen(
                [sys.executable, str(_CHILD)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        return self._process

    def close(self) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process = None


_SHARED = CommandProcess()
atexit.register(_SHARED.close)


def hubcrm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`hubcrm ARGS`: in the shared process, or for `serve` in a process of its own."""
    if args and args[0] == "serve":
        return run(*args, env=env)
    return _SHARED.run(args, env or {})
