"""The test server as a process: `server.mjs` (the server the TypeScript tests use, on free ports with its own data
folder), for this package's tests and for the Harbor provider's (which load this file by its path). It stops
(closing the sessions left open and removing the artifacts made) when its standard input closes, so a run that
dies leaves nothing behind either. Imports nothing of the tests around it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]


@dataclass
class Server:
    url: str
    proxy_port: int
    home: str


class ServerNotStarted(Exception):
    """The server is not built, or its process ended before it said where it listens."""


@contextmanager
def running_server() -> Iterator[Server]:
    """A real Terrarium server (real Podman, the repository's simulators) while the block runs."""
    if not (REPO / "packages" / "server" / "dist" / "index.js").exists():
        raise ServerNotStarted("the server is not built: run `npm run build` (or `npx tsc -b`) in the repository first")
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
        raise ServerNotStarted(
            f"the test server did not start (exit status {process.returncode}); see its output above"
        )
    info = json.loads(line)
    # The server logs (warnings and errors) on its standard output after that line: pass them on, so that a
    # failing test shows them, and so that the pipe never fills and blocks the server.
    threading.Thread(target=_forward, args=(process.stdout,), name="server-log", daemon=True).start()
    try:
        yield Server(url=info["url"], proxy_port=info["proxy_port"], home=info["home"])
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
