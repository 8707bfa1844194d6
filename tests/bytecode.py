"""Compiled code kept between the suite's processes, loaded by pytest before any other plugin
(`-p tests.bytecode` in pyproject.toml's addopts).

The suite starts about a hundred processes that import hubcrm (`hubcrm serve`, the CLI, the docs'
example suites), and four pytest workers that each import hubcrm, its pytest plugins' packages
(which pytest rewrites for assertions, hubcrm's among them) and every test module. Where the
environment says not to write bytecode (PYTHONDONTWRITEBYTECODE), every one of them would compile
all of that again: about a third of a server's start, and a second of each worker's. So the suite
compiles hubcrm's sources once, as installing a package does, and lets Python and pytest keep what
they compile from here on, plugins included: all under `__pycache__`, which git ignores.
"""

import compileall
import importlib.util
import sys

if sys.dont_write_bytecode:
    sys.dont_write_bytecode = False
    _hubcrm = importlib.util.find_spec("hubcrm")
    for _folder in (_hubcrm.submodule_search_locations or []) if _hubcrm else []:
        compileall.compile_dir(_folder, quiet=1)
