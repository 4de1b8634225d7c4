"""Live sessions and Plato's 2026 surface, end to end against the real server and Podman: environments added to and
removed from a running session, the session's log, deferred starts, sessions from a test case or from artifacts,
the shutdown callback, and login outcomes in the log; async, and through the sync twin."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright
from playwright.sync_api import sync_playwright

from terrarium import (
    AsyncSession,
    AsyncTerrarium,
    BadRequestError,
    ConflictError,
    Env,
    EnvironmentError,
    LoginError,
    NotFoundError,
    SessionEvent,
    SessionLogs,
    Terrarium,
    TerrariumError,
)

from support import TICKET, Server

pytestmark = pytest.mark.anyio

TESTCASE = "fossil/count-open-storage-tickets"
# An HTTP request from one environment to another by its alias, on the session's network (fossil's port).
REACH = (
    "bash -c 'exec 3<>/dev/tcp/{alias}/8080; "
    'printf "GET /timeline HTTP/1.0\\r\\nHost: {alias}\\r\\n\\r\\n" >&3; head -1 <&3\''
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]


async def kinds(session: AsyncSession, job_id: str | None = None) -> list[str]:
    return [event.kind async for event in session.iter_logs(job_id=job_id)]


async def test_an_added_environment_joins_the_network_under_its_alias_and_is_removed_again(
    client: AsyncTerrarium,
) -> None:
    async with await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as session:
        forge = session.get_env("forge")
        assert forge is not None

        mirror = await session.add_env(Env.simulator("fossil", alias="mirror"), heartbeat_timeout=600)
        assert (mirror.alias, mirror.simulator) == ("mirror", "fossil")
        assert mirror.job_id.startswith("j_")
        assert session.get_env("mirror") is mirror
        assert [e.alias for e in session.envs] == ["forge", "mirror"]
        assert (await mirror.details()).heartbeat_timeout == 600

        reached = await forge.execute(REACH.format(alias="mirror"))
        assert reached.exit_code == 0, reached.stderr
        assert reached.stdout.startswith("HTTP/1.") and " 200" in reached.stdout
        # Session operations now span it too.
        assert set((await session.execute("hostname")).results) == {forge.job_id, mirror.job_id}

        # An alias an open environment has is refused, naming the field; nothing is made.
        with pytest.raises(BadRequestError, match=r'^env\.alias: the session already has an environment "mirror"'):
            await session.add_env(Env.simulator("fossil", alias="mirror"))
        with pytest.raises(BadRequestError, match=r"env\.alias"):
            await session.add_env(Env.simulator("fossil", alias="Not_An_Alias"))
        with pytest.raises(NotFoundError, match=r'^env\.simulator: unknown simulator "gitea"; known'):
            await session.add_env(Env.simulator("gitea", alias="other"))
        with pytest.raises(ValueError, match="ready_timeout is at most 3600"):
            await session.add_env(Env.simulator("fossil"), timeout=7200, ready_timeout=7200)
        jobs = await session.list_jobs()
        assert [(j.alias, j.status) for j in jobs] == [("forge", "running"), ("mirror", "running")]

        # An unknown alias: the server's 404, naming the field and listing what there is.
        with pytest.raises(NotFoundError, match=r'^alias: no open environment "nope" in session "s_\w+".*forge \(j_'):
            await session.remove_env("nope")
        with pytest.raises(NotFoundError, match=r'^job_id: no open environment "j_000000000000"'):
            await session.remove_job("j_000000000000")

        removed = await session.remove_env("mirror")
        assert (removed.session_id, removed.job_id, removed.success) == (session.session_id, mirror.job_id, True)
        assert session.get_env("mirror") is None
        assert [e.alias for e in session.envs] == ["forge"]
        gone = next(j for j in await session.list_jobs() if j.job_id == mirror.job_id)
        assert (gone.status, gone.close_reason, gone.status_reason) == ("closed", "removed", "removed")
        with pytest.raises(ConflictError):
            await mirror.execute("true")

        # The alias is free again; its job id removes it too; the log has both.
        again = await session.add_env(Env.simulator("fossil", alias="mirror"))
        assert again.job_id != mirror.job_id
        assert (await session.remove_job(again.job_id)).job_id == again.job_id
        assert session.get_env("mirror") is None
        events = [e async for e in session.iter_logs()]
        assert [e.kind for e in events if e.kind in ("env_added", "env_removed")] == ["env_added", "env_removed"] * 2
        assert [e.alias for e in events if e.kind == "env_removed"] == ["mirror", "mirror"]

        # Removing the last environment closes the session; its heartbeats stop.
        last = await session.remove_env("forge")
        assert last.message is not None and "so the session is closed" in last.message
        assert session.envs == []
        assert not session.heartbeat_running
        assert (await session.details()).status == "closed"
        with pytest.raises(ConflictError):
            await session.add_env(Env.simulator("fossil", alias="late"))


async def test_an_environment_added_without_waiting_then_waited_for(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as session:
        late = await session.add_env(Env.simulator("fossil", alias="late"), wait_for_ready=False)
        assert session.get_env("late") is late
        assert (await late.wait_for_ready(timeout=120)).ready
        assert (await late.execute("hostname")).stdout == "late\n"
        assert "ready" in await kinds(session, late.job_id)


async def test_a_deferred_create_answers_at_once_and_wait_finishes_it(client: AsyncTerrarium) -> None:
    session = await client.sessions.create(
        envs=[Env.simulator("fossil", alias="forge"), Env.simulator("fossil", alias="mirror")], wait_for_ready=False
    )
    try:
        # Job ids at once, and heartbeats from the start.
        assert [e.alias for e in session.envs] == ["forge", "mirror"]
        assert all(e.job_id.startswith("j_") for e in session.envs)
        assert session.heartbeat_running
        await session.wait(timeout=120)
        results = (await session.execute("fossil version")).results
        assert all(r.exit_code == 0 for r in results.values())
        readiness = await session.wait_for_ready(timeout=1)
        assert readiness.ready and readiness.status == "ready"
        # Started now: waiting again does nothing, under either name.
        await session.wait()
        await session.wait_until_ready(timeout=1)
        logged = await kinds(session)
        assert logged[0] == "created" and logged.count("ready") == 2
        assert "reset" not in logged  # a session from envs is not reset
    finally:
        await session.close()

    # Plato's name for the same.
    plato = await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")], wait=False)
    try:
        await plato.wait_until_ready(timeout=120)
        assert (await plato.execute("true")).results[plato.envs[0].job_id].exit_code == 0
    finally:
        await plato.close()


async def test_wait_names_an_environment_that_did_not_start_and_closes_the_session(client: AsyncTerrarium) -> None:
    session = await client.sessions.create(
        envs=[Env.simulator("fossil", alias="forge"), Env.simulator("fossil", alias="mirror")], wait_for_ready=False
    )
    mirror = session.get_env("mirror")
    assert mirror is not None
    # Closed elsewhere while the session starts (the close waits for the boot): the wait cannot make it ready.
    assert (await mirror.close()).results[mirror.job_id].success
    with pytest.raises(EnvironmentError, match=r"session s_\w+ could not start, so it was closed; mirror: ") as caught:
        await session.wait(timeout=60)
    assert list(caught.value.failures) == ["mirror"]
    assert caught.value.session_id == session.session_id
    assert (await session.details()).status == "closed"
    assert not session.heartbeat_running


async def test_a_testcase_session_is_reset_once_ready(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(testcase=TESTCASE) as session:
        assert session.task_public_id == TESTCASE
        assert [e.alias for e in session.envs] == ["forge"]
        logged = await kinds(session)
        assert logged[:3] == ["created", "ready", "reset"], logged
        state = await session.get_state()
        assert all(r.state is not None and not any(db.changes for db in r.state.dbs) for r in state.results.values())

    # Deferred, the reset comes with the wait.
    deferred = await client.sessions.create(testcase=TESTCASE, wait_for_ready=False)
    try:
        assert "reset" not in await kinds(deferred)
        await deferred.wait(timeout=120)
        logged = await kinds(deferred)
        assert logged.count("reset") == 1 and logged.index("reset") > logged.index("ready")
    finally:
        await deferred.close()

    with pytest.raises(NotFoundError, match=r'^testcase_id: unknown task "fossil/nope"'):
        await client.sessions.create(testcase="fossil/nope")


async def test_a_session_from_artifacts(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as source:
        assert (await source.execute(TICKET)).results[source.envs[0].job_id].exit_code == 0
        snapshot = (await source.disk_snapshot()).results[source.envs[0].job_id]
        assert snapshot.success and snapshot.artifact_id, snapshot.error
    artifact_id = snapshot.artifact_id
    try:
        async with await client.sessions.create(artifacts=[artifact_id]) as session:
            [env] = session.envs
            assert env.artifact_id == artifact_id and env.alias.startswith("env-")
            tickets = await env.execute('fossil sql -R /data/project.fossil "SELECT title FROM ticket"')
            assert "Crash on empty input" in tickets.stdout
        with pytest.raises(NotFoundError, match=r"a_000000000000"):
            await client.sessions.create(artifacts=["a_000000000000"])
    finally:
        await client.artifacts.remove(artifact_id)


async def test_bad_arguments_fail_before_any_request(server: Server) -> None:
    # Nothing listens at this address: a request would be a ConnectionError, so each ValueError came first.
    async with AsyncTerrarium(base_url="http://127.0.0.1:9", max_retries=0) as nowhere:
        for given in (
            {},
            {"envs": [Env.simulator("fossil")], "task": TESTCASE},
            {"testcase": TESTCASE, "artifacts": ["a_0123456789ab"]},
        ):
            with pytest.raises(ValueError, match=r"exactly one of envs=.*task=.*testcase=.*artifacts="):
                await nowhere.sessions.create(**given)
        with pytest.raises(ValueError, match="got envs and task"):
            await nowhere.sessions.create(envs=[Env.simulator("fossil")], task=TESTCASE)
        bad: list[Any] = [[], "a_0123456789ab"]
        for artifacts in bad:
            with pytest.raises(ValueError, match="artifacts is a non-empty list of artifact ids"):
                await nowhere.sessions.create(artifacts=artifacts)
        with pytest.raises(ValueError, match="not both"):
            await nowhere.sessions.create(envs=[Env.simulator("fossil")], wait_for_ready=False, wait=False)
    async with AsyncTerrarium(base_url=server.url) as client:
        with pytest.raises(BadRequestError, match="shutdown_callback_url"):
            await client.sessions.create(envs=[Env.simulator("fossil")], shutdown_callback_url="file:///etc/passwd")


class Receiver:
    """An HTTP endpoint on loopback that takes the shutdown callbacks the server POSTs."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.arrived = threading.Event()
        received, arrived = self.received, self.arrived

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                received.append((self.headers.get("authorization"), body))
                self.send_response(204)
                self.end_headers()
                arrived.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}/ended"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    try:
        yield receiver
    finally:
        receiver.http.shutdown()


async def test_the_shutdown_callback_is_posted_when_it_ends(client: AsyncTerrarium, receiver: Receiver) -> None:
    session = await client.sessions.create(
        envs=[Env.simulator("fossil", alias="forge")],
        shutdown_callback_url=receiver.url,
        shutdown_callback_token="s3cret-token",
    )
    details = await session.details()
    assert details.shutdown_callback_url == receiver.url
    assert "s3cret-token" not in details.model_dump_json()
    await session.close()
    assert await asyncio.to_thread(receiver.arrived.wait, 60), "no shutdown callback arrived"
    [(authorization, body)] = receiver.received
    assert authorization == "Bearer s3cret-token"
    assert body["session_id"] == session.session_id and body["shutdown_reason"] == "closed"
    assert [(j["alias"], j["close_reason"]) for j in body["jobs"]] == [("forge", "closed")]


async def test_the_log_is_paged_and_iterated(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as session:
        forge = session.envs[0]
        await session.execute("echo hi; exit 3")
        await forge.execute("true")
        await session.get_state()
        await session.reset()

        whole = await session.logs(limit=1000)
        assert isinstance(whole, SessionLogs) and whole.session_id == session.session_id
        assert whole.next_after is None
        assert [e.kind for e in whole.events] == ["created", "ready", "execute", "execute", "state", "reset"]
        seqs = [e.seq for e in whole.events]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        execute = whole.events[2]
        assert (execute.job_id, execute.alias) == (forge.job_id, "forge")
        assert execute.data is not None
        assert (execute.data["command"], execute.data["exit_code"], execute.data["timed_out"]) == (
            "echo hi; exit 3",
            3,
            False,
        )

        # Two at a time, each page after the last one's cursor: the same events in the end.
        pages: list[list[int]] = []
        page = await session.logs(limit=2)
        while True:
            pages.append([e.seq for e in page.events])
            if page.next_after is None:
                break
            page = await session.logs(after=page.next_after, limit=2)
        assert [seq for p in pages for seq in p] == seqs and all(len(p) <= 2 for p in pages)
        iterated = [e async for e in session.iter_logs(limit=2)]
        assert all(isinstance(e, SessionEvent) for e in iterated)
        assert [e.seq for e in iterated] == seqs
        assert [e.seq async for e in session.iter_logs(after=seqs[2])] == seqs[3:]
        beyond = await session.logs(after=seqs[-1])
        assert beyond.events == [] and beyond.next_after is None

        # One environment's events (Plato's per-job path); bad paging names the field.
        own = [e async for e in session.iter_logs(job_id=forge.job_id)]
        assert own and all(e.job_id == forge.job_id for e in own)
        with pytest.raises(BadRequestError, match="limit"):
            await session.logs(limit=0)
        with pytest.raises(BadRequestError, match="limit"):
            await session.logs(limit=1001)
        with pytest.raises(NotFoundError, match=r'^job_id: no job "j_000000000000"'):
            await session.logs(job_id="j_000000000000")
    # A closed session's log stays readable, its close at the end, by the session or by its id.
    assert (await kinds(session))[-1] == "closed"
    by_id = await client.sessions.logs(session.session_id, after=seqs[-1])
    assert [e.kind for e in by_id.events][-1] == "closed" and by_id.session_id == session.session_id


async def test_login_outcomes_go_into_the_log(client: AsyncTerrarium, tmp_path: Path) -> None:
    async with (
        await client.sessions.create(
            envs=[Env.simulator("fossil", alias="forge"), Env.simulator("fossil", alias="mirror")]
        ) as session,
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            one = await session.login(browser, "login", env_alias="mirror")
            assert list(one.pages) == ["mirror"]
            assert "Logout" in await one.pages["mirror"].locator(".mainmenu").inner_text()
            await one.context.close()
            with pytest.raises(TerrariumError, match='no flow "checkout"'):
                await session.login(browser, "checkout")
            with pytest.raises(TerrariumError, match="no environment 'wiki' in the session"):
                await session.login(browser, env_alias="wiki")
            with pytest.raises(ValueError, match="not both"):
                await session.login(browser, env_alias="forge", aliases=["forge"])

            # A wrong password, retried once in the caller's own context: the context stays the caller's.
            forge = session.get_env("forge")
            assert forge is not None
            await forge.execute("fossil user password admin changed-elsewhere -R /data/project.fossil")
            context = await browser.new_context()
            with pytest.raises(LoginError) as caught:
                await session.login(
                    browser,
                    screenshots_dir=str(tmp_path),
                    env_alias="forge",
                    context=context,
                    retries=1,
                    retry_delay_ms=10,
                    step_timeout=3,
                )
            assert caught.value.alias == "forge"
            shots = sorted(await asyncio.to_thread(lambda: list(tmp_path.glob("forge-step-*.png"))))
            assert len(shots) == 2 and caught.value.screenshot == str(shots[-1])
            assert (await context.new_page()).url == "about:blank"  # not closed: it is the caller's
            await context.close()
        finally:
            await browser.close()

        logins = [e async for e in session.iter_logs() if e.kind == "login"]
        assert [(e.alias, (e.data or {}).get("success")) for e in logins] == [("mirror", True), ("forge", False)]
        assert all((e.data or {}).get("flow") == "login" for e in logins)
        assert "login to forge failed" in logins[1].message and "terrarium-admin" not in logins[1].message


def test_live_sessions_through_the_sync_client(server: Server) -> None:
    with Terrarium(base_url=server.url) as client:
        session = client.sessions.create(envs=[Env.simulator("fossil", alias="forge")], wait_for_ready=False)
        with session:
            session.wait(timeout=120)
            mirror = session.add_env(Env.simulator("fossil", alias="mirror"))
            assert session.get_env("mirror") is mirror
            assert [e.alias for e in session.envs] == ["forge", "mirror"]
            forge = session.get_env("forge")
            assert forge is not None
            assert forge.execute(REACH.format(alias="mirror")).stdout.startswith("HTTP/1.")
            with pytest.raises(BadRequestError, match=r"^env\.alias: "):
                session.add_env(Env.simulator("fossil", alias="forge"))
            assert [j.alias for j in session.list_jobs()] == ["forge", "mirror"]

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    result = session.login(browser, env_alias="forge")
                    assert "Logout" in result.pages["forge"].locator(".mainmenu").inner_text()
                    result.context.close()
                finally:
                    browser.close()

            with pytest.raises(NotFoundError, match=r'^alias: no open environment "nope"'):
                session.remove_env("nope")
            assert session.remove_env(mirror).job_id == mirror.job_id
            assert session.get_env("mirror") is None
            first = session.logs(limit=1)
            assert [e.kind for e in first.events] == ["created"] and first.next_after is not None
            events = list(session.iter_logs(limit=3))
            assert [e.seq for e in events] == [e.seq for e in session.logs(limit=1000).events]
            kinds = [e.kind for e in events]
            assert kinds[:1] == ["created"]
            assert [k for k in kinds if k in ("env_added", "login", "env_removed")] == [
                "env_added",
                "login",
                "env_removed",
            ]
        assert session.details().status == "closed"


async def test_a_task_linked_to_a_running_session_scores_it(client: AsyncTerrarium) -> None:
    async with await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as session:
        with pytest.raises(NotFoundError, match=r'^testcase_id: unknown task "fossil/nope"'):
            await session.link_testcase("fossil/nope")
        linked = await session.link_testcase("fossil/promote-carol-developer")
        assert (linked.success, linked.testcase_id) == (True, "fossil/promote-carol-developer")
        assert session.task_public_id == "fossil/promote-carol-developer"
        result = await session.evaluate()
        assert (result.task_id, result.success) == ("fossil/promote-carol-developer", False)
        assert "testcase_linked" in await kinds(session)
    async with await client.sessions.create(envs=[Env.simulator("fossil", alias="other")]) as other:
        with pytest.raises(ConflictError, match=r"reads forge \(fossil\), which this session has no open environment"):
            await other.link_testcase("fossil/promote-carol-developer")
