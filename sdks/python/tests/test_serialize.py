"""dump -> JSON -> load, here and in a fresh Python process; what load refuses."""

from __future__ import annotations

import json

import pytest

from terrarium import (
    AsyncSession,
    AsyncTerrarium,
    ConflictError,
    Env,
    InvalidSessionError,
    NotFoundError,
    SerializedSession,
)

from support import TICKET, Server, run_python

pytestmark = pytest.mark.anyio

# Run in a fresh interpreter: the loaded session must drive the very environments the dump names.
CHILD = """
import asyncio, json, sys
from terrarium import AsyncSession, SerializedSession

async def main() -> None:
    data = SerializedSession.model_validate_json(sys.argv[1])
    session = await AsyncSession.load(data)
    forge = session.get_env("forge")
    ran = await forge.execute("hostname; cat /tmp/mark")
    state = await forge.get_state()
    tickets = [c.op for db in state.dbs for c in db.changes if c.table == "ticket"]
    print(json.dumps({"job_id": forge.job_id, "stdout": ran.stdout, "tickets": tickets,
                      "heartbeat": session.heartbeat_running}))
    await session.stop_heartbeat()
    await session.client.close()

asyncio.run(main())
"""


async def test_a_dumped_session_drives_the_same_environments_in_a_fresh_process(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(
        envs=[Env.simulator("fossil", alias="forge"), Env.simulator("fossil", alias="mirror")]
    ) as session:
        forge = session.get_env("forge")
        assert forge is not None
        assert (await forge.execute(f"echo marked > /tmp/mark && {TICKET}")).exit_code == 0
        text = session.dump().model_dump_json()
        assert json.loads(text)["envs"][1] == {
            "job_id": session.envs[1].job_id,
            "alias": "mirror",
            "simulator": "fossil",
            "artifact_id": None,
        }
        child = run_python(CHILD, text)
        assert child.returncode == 0, child.stderr
        seen = json.loads(child.stdout)
        assert seen == {"job_id": forge.job_id, "stdout": "forge\nmarked\n", "tickets": ["insert"], "heartbeat": True}

        # In this process too, through another client, with heartbeats as asked.
        async with AsyncTerrarium(base_url=client.base_url) as other:
            again = await AsyncSession.load(SerializedSession.model_validate_json(text), client=other, heartbeat=False)
            assert not again.heartbeat_running
            assert [e.job_id for e in again.envs] == [e.job_id for e in session.envs]
            assert (await again.execute("true")).results.keys() == {e.job_id for e in session.envs}


async def test_load_refuses_what_cannot_be_driven(client: AsyncTerrarium, server: Server) -> None:
    session = await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")])
    dumped = session.dump()
    await session.close()
    with pytest.raises(ConflictError, match=r'session "s_\w+" was closed at \S+ \(closed\), so it cannot be loaded'):
        await AsyncSession.load(dumped, client=client)

    unknown = dumped.model_copy(update={"session_id": "s_000000000000"})
    with pytest.raises(NotFoundError, match=rf'cannot load session "s_000000000000": the server at {server.url}'):
        await AsyncSession.load(unknown, client=client)

    with pytest.raises(InvalidSessionError, match=r"envs\[0\].job_id") as caught:
        await AsyncSession.load({**dumped.model_dump(), "envs": [{"alias": "forge"}]}, client=client)
    assert caught.value.field == "envs[0].job_id"
    with pytest.raises(InvalidSessionError, match=r"version"):
        SerializedSession.parse('{"session_id": "s_1"}')
    with pytest.raises(InvalidSessionError, match=r"base_url: .*'localhost:7350' is not the http\(s\) URL"):
        SerializedSession.parse({**dumped.model_dump(), "base_url": "localhost:7350"})
