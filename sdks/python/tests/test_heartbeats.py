"""Heartbeats keep a session alive from their own thread, even while the event loop is blocked."""

from __future__ import annotations

import time

import anyio
import pytest

from terrarium import AsyncTerrarium, Env, SessionDetails

from support import Server

pytestmark = pytest.mark.anyio


async def status_of(client: AsyncTerrarium, session_id: str) -> SessionDetails:
    # The list, not the session's own record: reading that counts as a heartbeat.
    return next(s for s in await client.sessions.list(status="all") if s.session_id == session_id)


async def test_heartbeats_go_on_while_the_event_loop_is_blocked(server: Server) -> None:
    async with AsyncTerrarium(base_url=server.url, heartbeat_interval=0.5) as client:
        session = await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")], heartbeat_timeout=3)
        try:
            # An agent's blocking call (a model request with a sync client, a long computation): no await for
            # over twice the heartbeat timeout. Heartbeats on the event loop would miss it and be reaped.
            time.sleep(8)  # noqa: ASYNC251 - blocking the loop is the point
            details = await status_of(client, session.session_id)
            assert details.status == "active"
            assert details.envs[0].status == "running"
        finally:
            await session.close()


async def test_a_session_whose_heartbeats_stopped_is_reaped(client: AsyncTerrarium) -> None:
    session = await client.sessions.create(envs=[Env.simulator("fossil", alias="forge", heartbeat_timeout=2)])
    assert session.heartbeat_running
    await session.stop_heartbeat()
    assert not session.heartbeat_running
    details = await status_of(client, session.session_id)
    with anyio.fail_after(60):
        while details.status != "closed":
            await anyio.sleep(0.5)
            details = await status_of(client, session.session_id)
    assert details.envs[0].close_reason == "heartbeat_timeout"
    # Closing a session the server closed already is no error: success, saying why and since when.
    closed = (await session.close()).results[session.envs[0].job_id]
    assert closed.success and closed.message == f"already closed (heartbeat_timeout at {details.envs[0].closed_at})"
