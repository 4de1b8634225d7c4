"""A session from a task, evaluated against its criteria."""

from __future__ import annotations

import pytest

from terrarium import AsyncTerrarium

pytestmark = pytest.mark.anyio

TASK = "fossil/close-restart-bug-as-duplicate"


async def test_a_task_session_untouched_does_not_succeed(client: AsyncTerrarium) -> None:
    task = await client.tasks.retrieve(TASK)
    async with await client.sessions.create(task=TASK) as session:
        assert session.task_public_id == TASK
        assert [e.alias for e in session.envs] == [e.alias for e in task.envs]
        result = await session.evaluate()
        assert result.task_id == TASK
        assert result.status == "ok"
        assert not result.success
        assert result.score < 1
        assert result.checks and all(check.id for check in result.checks)
        assert any(not check.pass_ for check in result.checks)
        with_answer = await session.evaluate(value="nothing done")
        assert not with_answer.success


async def test_create_takes_envs_or_a_task(client: AsyncTerrarium) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        await client.sessions.create()
