"""What the tests share besides fixtures."""

from __future__ import annotations

import os
import subprocess
import sys

from server_process import HERE, REPO, Server

__all__ = ["HERE", "REPO", "TICKET", "Server", "run_python"]

TICKET = "fossil ticket add -R /data/project.fossil title 'Crash on empty input' status Open"


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh Python process of this virtual environment, with `args` as `sys.argv[1:]`."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
