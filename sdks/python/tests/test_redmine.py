"""One redmine environment (PostgreSQL): an issue filed over its REST API through the public URL, seen in the
state, gone after a reset."""

from __future__ import annotations

import httpx
import pytest

from terrarium import AsyncTerrarium, Env

pytestmark = pytest.mark.anyio

# alice's key: sha1("terrarium-redmine-api:alice"), documented in simulators/redmine/README.md.
ALICE_KEY = "ea772078475384da42815b1183852681f2bb2bb9"


async def test_an_issue_filed_in_redmine_is_in_the_state_until_reset(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(envs=[Env.simulator("redmine", alias="pm")]) as session:
        pm = session.get_env("pm")
        assert pm is not None
        url = (await pm.get_public_url()).rstrip("/")
        async with httpx.AsyncClient(base_url=url, headers={"x-redmine-api-key": ALICE_KEY}, timeout=60) as redmine:
            answer = await redmine.post(
                "/issues.json",
                json={"issue": {"project_id": "dispatch", "tracker_id": 1, "subject": "Retry webhooks on 502"}},
            )
            assert answer.status_code == 201, answer.text
            issue_id = answer.json()["issue"]["id"]

        state = await pm.get_state()
        assert [db.engine for db in state.dbs] == ["postgres"]
        issues = [c for c in state.dbs[0].changes if c.table == "public.issues"]
        assert [(c.op, c.pk["id"]) for c in issues] == [("insert", issue_id)]
        assert issues[0].after is not None and issues[0].after["subject"] == "Retry webhooks on 502"

        assert (await session.reset()).results[pm.job_id].success
        after_reset = await pm.get_state()
        assert [c for db in after_reset.dbs for c in db.changes] == []
