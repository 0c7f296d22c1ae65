"""tweepee's tests: a package, so that pytest imports every test module and
tests/conftest.py under the one name `tests.<module>`, the name the support
modules are imported by (`from tests import server_support as ss`)."""
