"""A real Harbor task run end to end by Harbor's own runner (`harbor run`), in a Terrarium environment: the oracle
agent's reference solution reaches reward 1, the nop agent (which does nothing) reward 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from terrarium import AsyncTerrarium

from support import TASK

pytestmark = pytest.mark.anyio

HARBOR = Path(sys.executable).parent / "harbor"


def harbor_run(agent: str, server_url: str, jobs_dir: Path) -> dict[str, Any]:
    """Runs the task with `agent` through Harbor's CLI; answers the trial's result.json."""
    environment = {**os.environ, "HARBOR_TELEMETRY": "0"}  # Harbor reports usage to its host otherwise
    environment.pop("TERRARIUM_URL", None)  # the URL comes from --ek
    command = [
        str(HARBOR),
        "run",
        "--path",
        str(TASK),
        "--agent",
        agent,
        "--env",
        "terrarium_harbor:TerrariumEnvironment",
        "--ek",
        f"url={server_url}",
        "--jobs-dir",
        str(jobs_dir),
        "--job-name",
        agent,
        "--n-concurrent",
        "1",
        "--yes",
    ]
    run = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"harbor run failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    trials = sorted((jobs_dir / agent).glob(f"{TASK.name}__*/result.json"))
    assert len(trials) == 1, f"expected one trial in {jobs_dir / agent}, found {trials}; harbor said:\n{run.stdout}"
    result: dict[str, Any] = json.loads(trials[0].read_text())
    return result


async def open_sessions(client: AsyncTerrarium) -> list[str]:
    return [session.session_id for session in await client.sessions.list()]


async def test_the_oracle_solves_the_task_in_terrarium(server_url: str, client: AsyncTerrarium, tmp_path: Path) -> None:
    result = harbor_run("oracle", server_url, tmp_path)

    assert result["exception_info"] is None, result["exception_info"]
    assert result["verifier_result"]["rewards"] == {"reward": 1.0}
    trial = tmp_path / "oracle" / result["trial_name"]
    # The solution ran in the simulator (Fossil's own answer), and the verifier's checks all passed.
    assert "ticket set succeeded for" in (trial / "agent" / "oracle.txt").read_text()
    verifier_log = (trial / "verifier" / "test-stdout.txt").read_text()
    assert "FAILED" not in verifier_log and "ok: its priority is Immediate" in verifier_log
    assert result["config"]["environment"]["import_path"] == "terrarium_harbor:TerrariumEnvironment"
    assert await open_sessions(client) == []  # stop() closed the session


async def test_doing_nothing_scores_zero(server_url: str, client: AsyncTerrarium, tmp_path: Path) -> None:
    result = harbor_run("nop", server_url, tmp_path)

    assert result["exception_info"] is None, result["exception_info"]
    assert result["verifier_result"]["rewards"] == {"reward": 0.0}
    verifier_log = (tmp_path / "nop" / result["trial_name"] / "verifier" / "test-stdout.txt").read_text()
    assert "FAILED: its priority is Immediate: expected [Immediate], found [High]" in verifier_log
    assert await open_sessions(client) == []
