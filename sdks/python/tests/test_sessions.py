"""A session of two fossil environments, walked through every operation of the async client."""

from __future__ import annotations

import httpx
import pytest

from terrarium import AsyncTerrarium, Env, JobExecuteResult, StateAnswer

from support import TICKET

pytestmark = pytest.mark.anyio


def ticket_rows(state: StateAnswer, job_id: str) -> list[tuple[str, str | None]]:
    """(operation, title) of each ticket row the job's state shows."""
    entry = state.results[job_id]
    assert entry.state is not None, entry.error
    return [
        (change.op, str((change.after or {}).get("title")))
        for db in entry.state.dbs
        for change in db.changes
        if change.table == "ticket"
    ]


async def test_two_fossil_environments_through_every_operation(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(
        envs=[Env.simulator("fossil", alias="forge"), Env.simulator("fossil", alias="mirror")]
    ) as session:
        assert [e.alias for e in session.envs] == ["forge", "mirror"]
        assert session.heartbeat_running
        forge, mirror = session.get_env("forge"), session.get_env("mirror")
        assert forge is not None and mirror is not None
        assert session.get_env("nope") is None
        assert forge.simulator == "fossil" and forge.artifact_id is None

        # Execute on all: results keyed by job id, as in Plato's SDK.
        every = await session.execute("hostname; fossil version", timeout=30)
        assert every.session_id == session.session_id
        assert set(every.results) == {forge.job_id, mirror.job_id}
        for job_id, alias in ((forge.job_id, "forge"), (mirror.job_id, "mirror")):
            result = every.results[job_id]
            assert isinstance(result, JobExecuteResult)
            assert result.exit_code == 0 and result.success, result.stderr
            assert result.stdout.startswith(f"{alias}\n")
            assert "This is fossil version" in result.stdout
            assert not result.timed_out and not result.truncated

        # Execute on one, which reaches the other by alias on the session network.
        one = await forge.execute("getent hosts mirror && echo reached; exit 3")
        assert one.exit_code == 3 and not one.success
        assert "reached" in one.stdout
        binary = await forge.execute("printf '\\377\\000ok'", encoding="base64")
        assert binary.stdout == b"\xff\x00ok" and binary.success
        binaries = await session.execute("printf '\\377'", encoding="base64")
        assert binaries.session_id == session.session_id
        assert {job: r.stdout for job, r in binaries.results.items()} == {forge.job_id: b"\xff", mirror.job_id: b"\xff"}
        timed_out = await forge.execute("sleep 30", timeout=1)
        assert timed_out.timed_out and timed_out.exit_code is None

        # State: the ticket's rows in forge, nothing in mirror.
        added = await forge.execute(TICKET)
        assert added.exit_code == 0, added.stderr
        state = await session.get_state()
        assert state.mode == "net" and state.session_id == session.session_id
        assert ("insert", "Crash on empty input") in ticket_rows(state, forge.job_id)
        assert ticket_rows(state, mirror.job_id) == []
        # The same changes in Plato's shape.
        mutations = state.results[forge.job_id].mutations
        assert any(m.table_name == "ticket" and m.action == "INSERT" for m in mutations)
        assert state.results[mirror.job_id].mutations == []
        forge_state = await forge.get_state(merge_mutations=False)
        assert any(c.table == "ticket" for db in forge_state.dbs for c in db.changes)

        # Public URLs: the proxy reaches each environment's app.
        urls = await session.get_public_url()
        assert set(urls) == {"forge", "mirror"}
        assert urls["forge"] == await forge.get_public_url()
        async with httpx.AsyncClient(timeout=30, follow_redirects=True) as browser:
            for url in urls.values():
                assert (await browser.get(url)).status_code == 200
        assert "--8080." in (await session.get_public_url(port=8080))["forge"]

        # Reset: same jobs and aliases, the ticket gone.
        reset = await session.reset()
        assert reset.success
        assert {job: r.success for job, r in reset.results.items()} == {forge.job_id: True, mirror.job_id: True}
        assert ticket_rows(await session.get_state(), forge.job_id) == []
        ready = await session.wait_for_ready(timeout=60)
        assert ready.ready and ready.status == "ready" and all(r.ready for r in ready.results.values())
        assert [(e.alias, e.job_id) for e in ready.context.envs] == [(e.alias, e.job_id) for e in session.envs]
        one_ready = await forge.wait_for_ready(timeout=60)
        assert one_ready.ready and set(one_ready.results) == {forge.job_id}
        assert (await mirror.reset()).results[mirror.job_id].success

        # The server's records.
        details = await session.details()
        assert details.status == "active"
        assert [(e.alias, e.status) for e in details.envs] == [("forge", "running"), ("mirror", "running")]
        assert (await forge.details()).job_id == forge.job_id
        assert session.session_id in [s.session_id for s in await client.sessions.list()]
        assert (await client.sessions.retrieve(session.session_id)).envs[1].alias == "mirror"
        beat = await session.heartbeat()
        assert beat.success and beat.results[forge.job_id].success and beat.timestamp
        assert (await forge.heartbeat()).results[forge.job_id].success

        # One environment closes alone, and closing it again answers success, saying since when.
        assert (await mirror.close()).results[mirror.job_id].success
        again = (await mirror.close()).results[mirror.job_id]
        assert again.success and again.message and again.message.startswith("already closed")
        assert [e.alias for e in (await session.wait_for_ready()).context.envs] == ["forge"]

    # `async with` closed it; closing again answers as the first close did.
    assert not session.heartbeat_running
    assert (await client.sessions.retrieve(session.session_id)).status == "closed"
    closed = await session.close()
    assert closed.success and set(closed.results) == {forge.job_id}
    assert session.session_id not in [s.session_id for s in await client.sessions.list()]
    assert session.session_id in [s.session_id for s in await client.sessions.list(status="closed")]


async def test_catalogs(client: AsyncTerrarium) -> None:
    health = await client.health()
    assert health.status == "ok"
    fossil = next(s for s in await client.simulators.list() if s.name == "fossil")
    assert fossil.built and "latest" in fossil.tags
    assert isinstance(fossil.app_port, int)
    catalog = await client.tasks.list()
    assert any(t.id.startswith("fossil/") for t in catalog.tasks)
    task = await client.tasks.retrieve(catalog.tasks[0].id)
    assert task.id == catalog.tasks[0].id and task.prompt
