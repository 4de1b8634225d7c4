"""The synchronous twin: the same operations without await, on its own event loop thread."""

from __future__ import annotations

import asyncio
import json

import pytest

from terrarium import BadRequestError, ConflictError, Env, NotFoundError, Session, Terrarium, TerrariumError

from support import TICKET, Server, run_python

SYNC_CHILD = """
import json, sys
from terrarium import Session

session = Session.load(sys.argv[1])
forge = session.get_env("forge")
print(json.dumps({"job_id": forge.job_id, "stdout": forge.execute("cat /tmp/mark").stdout}))
session.client.close()
"""


def test_a_session_through_the_sync_client(server: Server) -> None:
    with Terrarium(base_url=server.url) as client:
        assert client.health().status == "ok"
        with client.sessions.create(
            envs=[Env.simulator("fossil", alias="forge"), Env.simulator("fossil", alias="mirror")]
        ) as session:
            assert session.heartbeat_running
            forge = session.get_env("forge")
            assert forge is not None
            results = session.execute("hostname").results
            assert {job: r.stdout for job, r in results.items()} == {e.job_id: f"{e.alias}\n" for e in session.envs}
            assert forge.execute("echo marked > /tmp/mark && " + TICKET).exit_code == 0
            changes = forge.get_state().dbs[0].changes
            assert any(c.table == "ticket" and c.op == "insert" for c in changes)
            assert session.get_public_url()["forge"] == forge.get_public_url()

            child = run_python(SYNC_CHILD, session.dump().model_dump_json())
            assert child.returncode == 0, child.stderr
            assert json.loads(child.stdout) == {"job_id": forge.job_id, "stdout": "marked\n"}

            assert all(r.success for r in session.reset().results.values())
            assert [c for db in forge.get_state().dbs for c in db.changes] == []
            session.stop_heartbeat()
            assert not session.heartbeat_running
            session.start_heartbeat()
            assert session.heartbeat_running
        assert session.details().status == "closed"
        with pytest.raises(ConflictError):
            forge.execute("true")
        with pytest.raises(ConflictError, match="cannot be loaded"):
            Session.load(session.dump(), client=client)
        with pytest.raises(NotFoundError, match='unknown simulator "gitea"'):
            client.sessions.create(envs=[Env.simulator("gitea")])
        with pytest.raises(BadRequestError, match='duplicate alias "same"'):
            client.sessions.create(envs=[Env.simulator("fossil", alias="same"), Env.simulator("fossil", alias="same")])
    with pytest.raises(TerrariumError, match="closed"):
        client.health()


def test_the_sync_client_works_inside_a_running_event_loop(server: Server) -> None:
    """As in a notebook: asyncio.run per call would fail there ("cannot be called from a running event loop")."""

    async def inside() -> list[str]:
        with Terrarium(base_url=server.url) as client:
            return [s.name for s in client.simulators.list()]

    assert "fossil" in asyncio.run(inside())
