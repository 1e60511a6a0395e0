"""The replica tests start their own PostgreSQL primary and standby and migrate them (about 100 s on this
machine): more than `make test` should spend, so they run only when asked, RBX_TOPOLOGY_RUNTIME=1
(e.g. `RBX_TOPOLOGY_RUNTIME=1 make test PYTEST_ARGS=tests/topology_runtime`, or from `make topology`)."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("RBX_TOPOLOGY_RUNTIME") == "1":
        return
    skip = pytest.mark.skip(reason="needs RBX_TOPOLOGY_RUNTIME=1 (starts a PostgreSQL primary and replica, ~100 s)")
    for item in items:
        if item.get_closest_marker("topology_runtime"):
            item.add_marker(skip)
