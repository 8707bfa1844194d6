"""How the command line reports an error: one line, cause and fix."""

from __future__ import annotations


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__
