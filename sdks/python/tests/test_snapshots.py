"""Disk and memory snapshots, sessions from their artifacts, and the artifact catalog."""

from __future__ import annotations

import pytest

from terrarium import AsyncTerrarium, ConflictError, Env, NotFoundError

from support import TICKET

pytestmark = pytest.mark.anyio

TICKETS = "fossil sqlite3 -R /data/project.fossil \"SELECT count(*) FROM ticket WHERE title='Crash on empty input'\""


async def test_disk_snapshot_then_a_session_from_its_artifact(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as session:
        forge = session.get_env("forge")
        assert forge is not None
        assert (await forge.execute(TICKET)).exit_code == 0
        disk = (await session.disk_snapshot()).results[forge.job_id]
        assert disk.success, disk.error
        assert disk.artifact_id is not None and not disk.memory
        artifact = await client.artifacts.retrieve(disk.artifact_id)
        assert (artifact.kind, artifact.simulator, artifact.source_job_id) == ("disk", "fossil", forge.job_id)
        assert disk.artifact_id in [a.artifact_id for a in await client.artifacts.list()]

        async with await client.sessions.create(envs=[Env.artifact(disk.artifact_id, alias="copy")]) as copy:
            restored = copy.get_env("copy")
            assert restored is not None and restored.artifact_id == disk.artifact_id
            # The ticket is there, and it is the new environment's baseline: its state is empty.
            assert (await restored.execute(TICKETS)).stdout.strip() == "1"
            assert [c for db in (await restored.get_state()).dbs for c in db.changes] == []
            with pytest.raises(ConflictError):
                await client.artifacts.remove(disk.artifact_id)
        await client.artifacts.remove(disk.artifact_id)
        with pytest.raises(NotFoundError):
            await client.artifacts.retrieve(disk.artifact_id)


async def test_memory_snapshot_where_the_host_can(client: AsyncTerrarium) -> None:
    capabilities = (await client.health()).capabilities
    async with await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as session:
        forge = session.get_env("forge")
        assert forge is not None
        assert (await forge.execute(TICKET)).exit_code == 0
        memory = await forge.snapshot()
        if not capabilities.memory_snapshots:
            # Each entry says why, rather than the call failing.
            assert not memory.success and memory.error
            return
        assert memory.success and memory.memory and memory.artifact_id, memory.error
        branches = await client.sessions.create(
            envs=[Env.artifact(memory.artifact_id, alias="a"), Env.artifact(memory.artifact_id, alias="b")]
        )
        async with branches:
            answers = await branches.execute(TICKETS)
            assert [r.stdout.strip() for r in answers.results.values()] == ["1", "1"]
        lineage = await client.artifacts.retrieve(memory.artifact_id)
        assert lineage.kind == "memory"
