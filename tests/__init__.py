"""hubcrm's test suite.

The suite starts about a hundred processes that import hubcrm (`hubcrm serve`, the CLI, the docs'
example suites). Where the environment says not to write bytecode (PYTHONDONTWRITEBYTECODE), every
one of them would compile hubcrm's sources again, about a third of a server's start, and each
pytest worker would rewrite and compile every test module again. So the suite compiles hubcrm's
sources once, as installing a package does, and lets pytest keep its compiled test modules: both
under `__pycache__`, which git ignores.
"""

import compileall
import importlib.util
import sys

if sys.dont_write_bytecode:
    sys.dont_write_bytecode = False
    _hubcrm = importlib.util.find_spec("hubcrm")
    for _folder in (_hubcrm.submodule_search_locations or []) if _hubcrm else []:
        compileall.compile_dir(_folder, quiet=1)
