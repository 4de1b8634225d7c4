"""What the tests share besides fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

TICKET = "fossil ticket add -R /data/project.fossil title 'Crash on empty input' status Open"


@dataclass
class Server:
    url: str
    proxy_port: int
    home: str


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh Python process of this virtual environment, with `args` as `sys.argv[1:]`."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
