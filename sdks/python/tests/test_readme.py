"""The README's Python examples, run as written in a fresh process against the test server."""

from __future__ import annotations

import re

import pytest

from terrarium import Terrarium

from support import REPO, Server, run_python

README = (REPO / "README.md").read_text()


def example(name: str) -> str:
    """The code block after `<!-- sdk-example:NAME -->`."""
    found = re.search(rf"<!-- sdk-example:{re.escape(name)} -->\n\n```python\n(.*?)^```$", README, re.S | re.M)
    assert found, f"README.md has no ```python block after <!-- sdk-example:{name} -->"
    return found.group(1)


@pytest.fixture
def sync_client(server: Server) -> Terrarium:
    return Terrarium(base_url=server.url)


def test_the_async_example(server: Server, sync_client: Terrarium) -> None:
    ran = run_python(example("python"), env={"TERRARIUM_URL": server.url})
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert len(lines) == 4, ran.stdout
    executed = [line.split(" ") for line in lines[:2]]
    assert sorted((w[1], w[2], w[3]) for w in executed) == [("0", "forge", "False"), ("0", "mirror", "False")]
    assert lines[2] == "insert Crash on empty input"
    assert re.fullmatch(
        r"\{'forge': 'http://j-\w+\.localhost:\d+/', 'mirror': 'http://j-\w+\.localhost:\d+/'\}", lines[3]
    )
    # It closed its session: the one holding the jobs it printed.
    jobs = {words[0] for words in executed}
    with sync_client:
        sessions = [s for s in sync_client.sessions.list(status="all") if {e.job_id for e in s.envs} == jobs]
    assert [s.status for s in sessions] == ["closed"]


def test_the_sync_example(server: Server) -> None:
    ran = run_python(example("python-sync"), env={"TERRARIUM_URL": server.url})
    assert ran.returncode == 0, ran.stderr
    version, changes = ran.stdout.splitlines()
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", version)
    assert changes == "[]"


def test_the_gym_example(server: Server) -> None:
    ran = run_python(example("python-gym"), env={"TERRARIUM_URL": server.url})
    assert ran.returncode == 0, ran.stderr
    prompt, start, executed, submitted = ran.stdout.strip().split("\n")[-4:]
    assert prompt.startswith("For the 0.2 planning meeting")
    assert re.fullmatch(r"http://j-\w+\.localhost:\d+/reportlist admin", start)
    assert (executed, submitted) == ("0 3 0.0", "1.0 True True")
