"""`set_date` moves the clock an environment's commands (and its app) see; a reset brings back the real time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from terrarium import AsyncEnvironment, AsyncTerrarium, BadRequestError, Env

pytestmark = pytest.mark.anyio


async def today(env: AsyncEnvironment) -> str:
    result = await env.execute("date -u +%F")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


async def test_set_date_moves_a_session_and_one_environment_until_a_reset(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(
        envs=[Env.simulator("fossil", alias="forge"), Env.simulator("fossil", alias="mirror")]
    ) as session:
        forge, mirror = session.get_env("forge"), session.get_env("mirror")
        assert forge is not None and mirror is not None
        real = await today(forge)

        # An aware datetime is sent in UTC: 12:00 at UTC+2 is 10:00 UTC.
        moved = await session.set_date(datetime(2031, 5, 4, 12, 0, tzinfo=timezone(timedelta(hours=2))))
        assert moved.session_id == session.session_id and set(moved.results) == {forge.job_id, mirror.job_id}
        for result in moved.results.values():
            assert result.success, result.error
            assert result.stdout.startswith("2031-05-04T10:00:0")
        assert [await today(forge), await today(mirror)] == ["2031-05-04", "2031-05-04"]

        # A naive datetime is UTC; only that environment moves.
        one = await forge.set_date(datetime(2020, 2, 29, 23, 30))
        assert one.success and one.stdout.startswith("2020-02-29T23:30:0"), one.error
        assert [await today(forge), await today(mirror)] == ["2020-02-29", "2031-05-04"]

        with pytest.raises(BadRequestError, match=r"datetime.*not an ISO 8601 date"):
            await mirror.set_date("next tuesday")

        assert (await session.reset()).success
        now = datetime.now(timezone.utc).date().isoformat()  # the real date again, even past midnight meanwhile
        assert {await today(forge), await today(mirror)} <= {real, now}
