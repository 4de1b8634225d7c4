"""One real Terrarium server (real Podman, the repository's simulators) for the whole run: the Python SDK's test
server, `sdks/python/tests/server.mjs` (own data folder, free ports, no warm pool), started as its tests start
it. It stops, closing the sessions left open, when its standard input closes, so a run that dies leaves nothing
behind either."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from terrarium import AsyncTerrarium

from support import REPO


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    running_server, not_started = _server_process()
    try:
        with running_server() as server:
            yield str(server.url)
    except not_started as error:
        pytest.exit(str(error), 2)


def _server_process() -> tuple[Callable[[], AbstractContextManager[Any]], type[Exception]]:
    """The Python SDK's test server (`sdks/python/tests/server_process.py`), loaded by its path: that folder is
    not a package, and its `support` module would shadow ours."""
    path = REPO / "sdks" / "python" / "tests" / "server_process.py"
    spec = importlib.util.spec_from_file_location("terrarium_server_process", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclass looks its module up while the file runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.running_server, module.ServerNotStarted


@pytest.fixture
async def client(server_url: str) -> AsyncIterator[AsyncTerrarium]:
    async with AsyncTerrarium(base_url=server_url) as client:
        yield client
