"""Datasets: named variants of a simulator's seed data, started with `Env.simulator(name, dataset=...)` and published
from a disk snapshot with `override_dataset`, under the simulator's name or a new one (`override_service`)."""

from __future__ import annotations

import time

import pytest

from terrarium import AsyncEnvironment, AsyncTerrarium, Env, NotFoundError

from support import TICKET

pytestmark = pytest.mark.anyio


async def sql(env: AsyncEnvironment, query: str) -> str:
    result = await env.execute(f'fossil sql -R /data/project.fossil "{query}"')
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


async def test_fossil_blank_dataset_has_no_tickets_where_the_seeded_one_has_some(client: AsyncTerrarium) -> None:
    fossil = next(s for s in await client.simulators.list() if s.name == "fossil")
    assert [d.name for d in fossil.datasets] == ["base", "blank"]
    assert fossil.published_from is None
    async with await client.sessions.create(
        envs=[Env.simulator("fossil", alias="seeded"), Env.simulator("fossil", alias="empty", dataset="blank")]
    ) as session:
        seeded, empty = session.get_env("seeded"), session.get_env("empty")
        assert seeded is not None and empty is not None
        assert int(await sql(seeded, "SELECT count(*) FROM ticket")) > 0
        assert await sql(empty, "SELECT count(*) FROM ticket") == "0"
        assert [(e.alias, e.tag) for e in (await session.details()).envs] == [
            ("seeded", "latest"),
            ("empty", "latest-blank"),
        ]
    with pytest.raises(NotFoundError, match=r'envs\.0\.dataset: simulator "fossil" has no dataset "production"'):
        await client.sessions.create(envs=[Env.simulator("fossil", dataset="production")])


async def test_a_disk_snapshot_published_as_a_dataset_of_a_new_simulator(client: AsyncTerrarium) -> None:
    service = f"triage-{int(time.time() * 1000):x}"
    async with await client.sessions.create(envs=[Env.simulator("fossil", alias="forge", dataset="blank")]) as session:
        forge = session.get_env("forge")
        assert forge is not None
        assert (await forge.execute(TICKET)).exit_code == 0
        published = (
            await session.disk_snapshot(override_service=service, override_version="v1", override_dataset="triaged")
        ).results[forge.job_id]
        assert published.success, published.error
        assert published.published_as == f"{service}:v1-triaged" and published.artifact_id is not None

    listed = next(s for s in await client.simulators.list() if s.name == service)
    assert listed.tags == ["v1-triaged"] and [d.name for d in listed.datasets] == ["triaged"]
    assert listed.published_from is not None
    assert (listed.published_from.simulator, listed.published_from.artifact_id) == ("fossil", published.artifact_id)
    async with await client.sessions.create(
        envs=[Env.simulator(service, alias="copy", tag="v1", dataset="triaged")]
    ) as copy:
        restored = copy.get_env("copy")
        assert restored is not None
        assert await sql(restored, "SELECT title FROM ticket") == "'Crash on empty input'"
    await client.artifacts.remove(published.artifact_id)
    assert service not in [s.name for s in await client.simulators.list()]
