"""One real Terrarium server (real Podman, the repository's simulators) for the whole test run."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import IO

import pytest

from terrarium import AsyncTerrarium

from support import HERE, REPO, Server


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """`tests/server.mjs`: the server the TypeScript tests use, on free ports with its own data folder. It stops
    (closing the sessions left open and removing the artifacts made) when its standard input closes, so a run
    that dies leaves nothing behind either."""
    if not (REPO / "packages" / "server" / "dist" / "index.js").exists():
        pytest.exit("the server is not built: run `npm run build` (or `npx tsc -b`) in the repository first", 2)
    process = subprocess.Popen(
        ["node", str(HERE / "server.mjs")],
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
    info = json.loads(line)
    # The server logs (warnings and errors) on its standard output after that line: pass them on, so that a
    # failing test shows them, and so that the pipe never fills and blocks the server.
    threading.Thread(target=forward, args=(process.stdout,), name="server-log", daemon=True).start()
    try:
        yield Server(url=info["url"], proxy_port=info["proxy_port"], home=info["home"])
    finally:
        process.stdin.close()
        try:
            process.wait(180)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def forward(stream: IO[str]) -> None:
    for line in stream:
        sys.stderr.write(f"[server] {line}")


@pytest.fixture
async def client(server: Server) -> AsyncIterator[AsyncTerrarium]:
    client = AsyncTerrarium(base_url=server.url)
    try:
        yield client
    finally:
        await client.close()
