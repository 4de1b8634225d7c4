"""One real Terrarium server (real Podman, the repository's simulators) for the whole test run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from terrarium import AsyncTerrarium

from server_process import Server, ServerNotStarted, running_server


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """`tests/server.mjs`, the server the TypeScript tests use (see `server_process.running_server`)."""
    try:
        with running_server() as server:
            yield server
    except ServerNotStarted as error:
        pytest.exit(str(error), 2)


@pytest.fixture
async def client(server: Server) -> AsyncIterator[AsyncTerrarium]:
    client = AsyncTerrarium(base_url=server.url)
    try:
        yield client
    finally:
        await client.close()
