"""One real Terrarium server (real Podman, the repository's simulators) for the whole run: the Python SDK's test
server, `sdks/python/tests/server.mjs` (own data folder, free ports, no warm pool). It stops, closing the sessions
left open, when its standard input closes, so a run that dies leaves nothing behind either."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import IO

import pytest

from terrarium import AsyncTerrarium

from support import REPO


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    if not (REPO / "packages" / "server" / "dist" / "index.js").exists():
        pytest.exit("the server is not built: run `npm run build` (or `npx tsc -b`) in the repository first", 2)
    process = subprocess.Popen(
        ["node", str(REPO / "sdks" / "python" / "tests" / "server.mjs")],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    line = process.stdout.readline()
    if not line:
        process.wait(30)
        pytest.exit(f"the test server did not start (exit status {process.returncode}); see its output above", 2)
    # Its later output (warnings, errors) goes on to stderr, so that the pipe never fills and blocks it.
    threading.Thread(target=_forward, args=(process.stdout,), name="server-log", daemon=True).start()
    try:
        yield str(json.loads(line)["url"])
    finally:
        process.stdin.close()
        try:
            process.wait(180)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _forward(stream: IO[str]) -> None:
    for line in stream:
        sys.stderr.write(f"[server] {line}")


@pytest.fixture
async def client(server_url: str) -> AsyncIterator[AsyncTerrarium]:
    async with AsyncTerrarium(base_url=server_url) as client:
        yield client
