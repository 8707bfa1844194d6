"""hubcrm's test suite (tests/bytecode.py is loaded first, as a pytest plugin)."""
