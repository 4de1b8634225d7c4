"""`AsyncSession` and `AsyncEnvironment`: a group of running environments, and one of them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Collection
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload
from urllib.parse import quote

from ._operations import DEFAULT_WAIT_TIMEOUT, MAX_SERVER_WAIT, Operations, binary_result
from ._wire import (
    AddJobResponse,
    ArtifactEnvSpec,
    CloseAnswer,
    DiskSnapshotAnswer,
    DiskSnapshotResult,
    EnvState,
    EvaluationAnswer,
    ExecuteAnswer,
    HeartbeatAnswer,
    JobDetails,
    JobExecuteResult,
    JobInfo,
    JobOutcome,
    JobReadiness,
    JobStateAnswer,
    LinkTestcaseResponse,
    ListJobsResponse,
    LoginPlanResponse,
    OutcomeResponse,
    PublicUrl,
    PublicUrlResponse,
    RemoveJobResponse,
    ResetAnswer,
    SessionDetails,
    SessionEvent,
    SessionLogs,
    SetDateAnswer,
    SetDateResult,
    SimulatorEnvSpec,
    SnapshotAnswer,
    SnapshotResult,
    StateAnswer,
    WaitForReadyAnswer,
)
from .errors import CaptureError, ConflictError, EnvironmentError, InvalidSessionError, NotFoundError, TerrariumError
from .serialized import SerializedEnv, SerializedSession
from .types import BinaryExecuteResponse, BinaryExecuteResult, WaitForReadyResponse

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext

    from ._client import AsyncTerrarium
    from ._http import Http
    from ._login import AsyncLoginResult

# `session.add_env`'s defaults, Plato's: the whole call may take 30 minutes, its readiness wait 10.
DEFAULT_ADD_TIMEOUT = 1800.0
DEFAULT_READY_TIMEOUT = 600.0
DEFAULT_LOGS_LIMIT = 100


async def fetch_logs(http: Http, base: str, *, after: int, limit: int, job_id: str | None) -> SessionLogs:
    """A page of the log of the session at `base` (`api/v2/sessions/{id}`), of one of its jobs with `job_id`."""
    where = f"{base}/logs" if job_id is None else f"{base}/jobs/{quote(job_id, safe='')}/logs"
    return await http.parse(SessionLogs, "GET", where, query={"after": after, "limit": limit}, idempotent=True)


# How often a job still starting is asked again for its readiness.
STARTING_POLL = 1.0


class AsyncEnvironment:
    """One running environment (job) of a session. Its operations use `/api/v2/jobs/{job_id}/...` and touch no
    other environment of the session; each answers this environment's own result.

    Example::

        forge = session.get_env("forge")
        result = await forge.execute("ls /data")
    """

    def __init__(
        self, client: AsyncTerrarium, job_id: str, alias: str, simulator: str | None, artifact_id: str | None
    ) -> None:
        self.job_id = job_id
        """The server's id of this environment, e.g. `j_0123456789ab`; session answers are keyed by it."""
        self.alias = alias
        """Its name in the session, and its host name on the session's network."""
        self.simulator = simulator
        """The simulator it was made from, or None (made from an artifact)."""
        self.artifact_id = artifact_id
        """The artifact it was made from, or None (made from a simulator)."""
        self._ops = Operations(client._http, f"api/v2/jobs/{quote(job_id, safe='')}")

    def __repr__(self) -> str:
        return f"AsyncEnvironment(alias={self.alias!r}, job_id={self.job_id!r})"

    @overload
    async def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["utf8"] = "utf8"
    ) -> JobExecuteResult: ...
    @overload
    async def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["base64"]
    ) -> BinaryExecuteResult: ...
    async def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["utf8", "base64"] = "utf8"
    ) -> JobExecuteResult | BinaryExecuteResult:
        """Runs a shell command in this environment (`/bin/sh -c`); `timeout` in seconds, default 30 (the command
        and everything it started is killed then). A command that cannot run answers with `error` set rather
        than raising. Never retried. With `encoding="base64"`, `stdout` and `stderr` are the exact bytes.

        Example::

            result = await env.execute("cat /etc/hostname", timeout=10)
            print(result.exit_code, result.stdout)
            logo = (await env.execute("cat /data/logo.png", encoding="base64")).stdout  # bytes
        """
        if encoding == "base64":
            return binary_result(await self._ops.execute(JobExecuteResult, command, timeout, binary=True))
        return await self._ops.execute(JobExecuteResult, command, timeout)

    async def get_state(self, *, merge_mutations: bool = True, noise: bool = True) -> EnvState:
        """Database rows and files this environment changed since its start or last reset; a `CaptureError`
        when they cannot be read.

        Example::

            state = await env.get_state()
            for db in state.dbs:
                print(db.name, [(c.table, c.op) for c in db.changes])
        """
        answer = await self._ops.state(JobStateAnswer, merge_mutations, noise)
        if answer.state is None:
            raise CaptureError(answer.error or f"the server answered no state for job {self.job_id}")
        return answer.state

    async def get_public_url(self, *, port: int | None = None) -> str:
        """This environment's browser-reachable URL: its app's port, or `port`.

        Example::

            url = await env.get_public_url()  # "http://j-0123456789ab.localhost:7351/"
        """
        return (await self._ops.public_urls(PublicUrl, port)).url

    async def reset(self) -> OutcomeResponse:
        """Brings this environment back to its starting state; its job id and alias stay.

        Example::

            (await env.reset()).results[env.job_id].success
        """
        return self._outcome(await self._ops.outcome(JobOutcome, "reset"))

    async def snapshot(self) -> SnapshotResult:
        """Memory snapshot of this environment (it keeps running): `success`, `artifact_id`, `memory`, `error`.

        Example::

            artifact_id = (await env.snapshot()).artifact_id
        """
        return await self._ops.snapshot(SnapshotResult)

    async def disk_snapshot(
        self,
        *,
        override_service: str | None = None,
        override_version: str | None = None,
        override_dataset: str | None = None,
    ) -> DiskSnapshotResult:
        """Disk snapshot of this environment. With `override_version` it is also published as that version of its
        simulator, or with `override_service` of another: a new simulator of that name, which keeps this one's
        ports, readiness, state capture, login and accounts. `override_dataset` publishes it as that dataset of the
        version. `Env.simulator(service, tag=version, dataset=dataset)` then starts it.

        Example::

            artifact_id = (await env.disk_snapshot(override_version="triaged")).artifact_id
            await env.disk_snapshot(override_service="my-service", override_version="v1.0.0")  # a new simulator
        """
        return await self._ops.disk_snapshot(DiskSnapshotResult, override_service, override_version, override_dataset)

    async def set_date(self, date: datetime | str, *, timeout: int | None = None) -> SetDateResult:
        """Moves this environment's clock (what its app, its databases and executed commands see) to `date`, from
        where it runs on; a reset brings back the real time. A naive datetime, or a string without an offset, is
        UTC. `timeout` is the seconds moving it may take (2-300, default 30).

        Example::

            moved = await env.set_date(datetime(2031, 5, 4, 10, 0, tzinfo=timezone.utc))
            print(moved.success, moved.stdout)  # True 2031-05-04T10:00:01.104Z
        """
        return await self._ops.set_date(SetDateResult, date, timeout)

    async def wait_for_ready(self, *, timeout: float | None = None) -> WaitForReadyResponse:
        """Waits until the environment's app answers its readiness check (`timeout` seconds, default 120).

        Example::

            ready = (await env.wait_for_ready(timeout=60)).ready
        """
        readiness = await self._ready(DEFAULT_WAIT_TIMEOUT if timeout is None else timeout)
        return WaitForReadyResponse(ready=readiness.ready, results={self.job_id: readiness})

    async def _ready(self, timeout: float) -> JobReadiness:
        """The server's readiness wait, asked again while the job is still starting: the server answers at once for
        an environment added without waiting whose boot has not ended (Plato's SDK polls this route too)."""
        deadline = time.monotonic() + timeout
        while True:
            left = max(0.0, deadline - time.monotonic())
            readiness = await self._ops.wait_for_ready(JobReadiness, left)
            if readiness.ready or time.monotonic() >= deadline or (await self.details()).status != "starting":
                return readiness
            await asyncio.sleep(min(STARTING_POLL, max(0.0, deadline - time.monotonic())))

    async def heartbeat(self) -> OutcomeResponse:
        """Tells the server this environment is still in use (the session's heartbeats cover it already)."""
        return self._outcome(await self._ops.outcome(JobOutcome, "heartbeat"))

    async def close(self) -> OutcomeResponse:
        """Closes just this environment; the session closes with its last one. Closing a closed environment does
        nothing and answers success again, its message saying since when it is closed."""
        return self._outcome(await self._ops.outcome(JobOutcome, "close"))

    async def details(self) -> JobDetails:
        """The server's record of this job: status, heartbeats, close reason.

        Example::

            print((await env.details()).last_heartbeat_at)
        """
        return await self._ops.http.parse(JobDetails, "GET", self._ops.base, idempotent=True)

    def _outcome(self, outcome: JobOutcome) -> OutcomeResponse:
        """A job's bare outcome as the one entry of a session's, as this SDK answered before jobs answered bare."""
        return OutcomeResponse(results={self.job_id: outcome})


class AsyncSession:
    """A group of running environments, operated on together. Answers are keyed by job id; `envs` and
    `get_env(alias)` map aliases to jobs. Heartbeats keep it alive until `close()`.

    Example::

        async with await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as session:
            result = await session.execute("whoami")
    """

    def __init__(
        self,
        client: AsyncTerrarium,
        session_id: str,
        task_public_id: str | None,
        envs: list[SerializedEnv],
        *,
        reset_when_ready: bool = False,
    ) -> None:
        self.client = client
        """The client this session talks through."""
        self.session_id = session_id
        """The server's id of the session, e.g. `s_0123456789ab`."""
        self.task_public_id = task_public_id
        """The task this session was made from, or None."""
        self.envs = [AsyncEnvironment(client, e.job_id, e.alias, e.simulator, e.artifact_id) for e in envs]
        """Its environments, in the order they were asked for, then those `add_env` added (`remove_env` takes
        them out; `list_jobs()` asks the server, which also knows what other processes added or removed)."""
        self._ops = Operations(client._http, f"api/v2/sessions/{quote(session_id, safe='')}")
        self._closed: CloseAnswer | None = None
        # Whether every environment was seen ready (and a test case's session reset): `wait()` has nothing to do.
        self._started = False
        # A test case's session is reset once ready, to start its mutation log there (Plato's SDK does so too).
        self._reset_when_ready = reset_when_ready

    def __repr__(self) -> str:
        return f"AsyncSession(session_id={self.session_id!r}, envs={[e.alias for e in self.envs]!r})"

    def get_env(self, alias: str) -> AsyncEnvironment | None:
        """The environment with this alias, or None.

        Example::

            crm = session.get_env("crm")
            if crm:
                await crm.execute("ls -la")
        """
        return next((env for env in self.envs if env.alias == alias), None)

    async def wait(self, *, timeout: float = DEFAULT_WAIT_TIMEOUT) -> None:
        """Finishes a session created with `wait_for_ready=False`: waits up to `timeout` seconds (default 120) until
        every environment is ready, then resets a test case's session, as `create` would have. When one cannot
        start or become ready, the session is closed and an `EnvironmentError` names each failing alias with the
        server's message. Once the session is started (created waiting, or waited for), it does nothing.

        Example::

            session = await client.sessions.create(envs=[Env.simulator("fossil")], wait_for_ready=False)
            ...  # other work while the environments boot
            await session.wait(timeout=300)
        """
        if not self._started:
            await self._start(_positive(timeout, "timeout"))

    async def wait_until_ready(self, *, timeout: float = DEFAULT_WAIT_TIMEOUT) -> None:
        """`wait()` under the name of Plato's newer SDKs.

        Example::

            await session.wait_until_ready(timeout=300)
        """
        await self.wait(timeout=timeout)

    async def _start(self, timeout: float, ready: Collection[str] = ()) -> None:
        """Waits for every environment not in `ready` (job ids), resets a test case's session, and marks the session
        started; on any failure closes it and raises `EnvironmentError` naming each failing alias."""
        failures: dict[str, str] = {}
        try:
            waiting = [env for env in self.envs if env.job_id not in ready]
            if waiting:
                answer = await self._wait_all(timeout)
                for env in waiting:
                    result = answer.results.get(env.job_id)
                    if result is None:
                        failures[env.alias] = "closed before it was ready (the session no longer has it open)"
                    elif not result.ready:
                        failures[env.alias] = result.error or f"not ready within {timeout:g} s"
            if not failures and self._reset_when_ready:
                reset = await self.reset()
                for env in self.envs:
                    outcome = reset.results.get(env.job_id)
                    if outcome is None or not outcome.success:
                        why = (outcome.error if outcome else None) or "no answer for it"
                        failures[env.alias] = f"the reset that starts a test case failed: {why}"
        except BaseException:
            await close_quietly(self)
            raise
        if failures:
            await close_quietly(self)
            listed = "; ".join(f"{alias}: {why}" for alias, why in failures.items())
            raise EnvironmentError(
                f"session {self.session_id} could not start, so it was closed; {listed}", failures, self.session_id
            )
        self._started = True
        self._reset_when_ready = False

    async def _wait_all(self, timeout: float) -> WaitForReadyAnswer:
        """wait_for_ready for up to `timeout` seconds, in waits of at most the server's longest."""
        deadline = time.monotonic() + timeout
        while True:
            left = max(0.0, deadline - time.monotonic())
            answer = await self.wait_for_ready(timeout=min(left, MAX_SERVER_WAIT))
            if answer.status != "pending" or left <= MAX_SERVER_WAIT:
                return answer

    async def add_env(
        self,
        env: SimulatorEnvSpec | ArtifactEnvSpec,
        *,
        timeout: float = DEFAULT_ADD_TIMEOUT,
        ready_timeout: float = DEFAULT_READY_TIMEOUT,
        heartbeat_timeout: int | None = None,
        wait_for_ready: bool = True,
    ) -> AsyncEnvironment:
        """Adds an environment to this running session: it joins the session's network under its alias (which no
        open environment of the session may have already: a `BadRequestError` naming `env.alias`), then `envs`
        and `get_env`. `timeout` is the seconds the whole call may take, `ready_timeout` those of its readiness
        wait (at most 3600; Plato's defaults, 1800 and 600). With `wait_for_ready=False` it answers once the server
        took it, booting in the background: `env.wait_for_ready()` waits for it. An environment that cannot start
        or become ready is removed and an `EnvironmentError` names its alias, the session staying as it was.
        `heartbeat_timeout` is the new environment's (0 never; the env spec's own, else 300, when None).

        Example::

            mirror = await session.add_env(Env.simulator("fossil", alias="mirror"))
            await session.get_env("forge").execute("getent hosts mirror")  # reachable by its alias
        """
        budget = min(_positive(ready_timeout, "ready_timeout"), _positive(timeout, "timeout"))
        if wait_for_ready and budget > MAX_SERVER_WAIT:
            raise ValueError(
                f"ready_timeout is at most {MAX_SERVER_WAIT:g} s (the server's longest wait); not {budget:g}"
            )
        deadline = time.monotonic() + timeout
        body: dict[str, Any] = {"env": env.model_dump(mode="json", exclude_unset=True), "wait": wait_for_ready}
        if heartbeat_timeout is not None:
            body["heartbeat_timeout"] = heartbeat_timeout
        # Not retried: a lost answer may mean it was added, and adding again would be refused for its alias.
        added = await self._ops.http.parse(AddJobResponse, "POST", f"{self._ops.base}/jobs", body=body, timeout=timeout)
        made = added.env
        new = AsyncEnvironment(self.client, made.job_id, made.alias, made.simulator, made.artifact_id)
        why: str | None = None if made.success else (made.error or "could not be started")
        if why is None and wait_for_ready:
            try:
                readiness = await new._ready(max(0.0, min(budget, deadline - time.monotonic())))
            except BaseException:
                await self._remove_quietly(made.job_id)
                raise
            if not readiness.ready:
                why = readiness.error or f"not ready within {budget:g} s"
        if why is not None:
            if made.success:
                await self._remove_quietly(made.job_id)
            raise EnvironmentError(
                f'environment "{made.alias}" could not be added to session {self.session_id}, so it was removed; '
                f"{made.alias}: {why}",
                {made.alias: why},
                self.session_id,
            )
        self.envs.append(new)
        return new

    async def remove_env(self, env: AsyncEnvironment | str) -> RemoveJobResponse:
        """Removes an environment (or the one with this alias) from this running session: its container goes, its
        alias is free again, and it leaves `envs`. Removing the last one closes the session. An alias no open
        environment has is a `NotFoundError` (naming `alias`, listing those there are); one that could not be
        removed a `TerrariumError` with the server's reason.

        Example::

            await session.remove_env("mirror")  # or session.remove_env(session.get_env("mirror"))
        """
        which = {"alias": env} if isinstance(env, str) else {"job_id": env.job_id}
        return await self._remove(which, f'"{env}"' if isinstance(env, str) else f'"{env.alias}" ({env.job_id})')

    async def remove_job(self, job_id: str) -> RemoveJobResponse:
        """Removes an environment by job id, e.g. one another process added (see `list_jobs`); as `remove_env`.

        Example::

            for job in await session.list_jobs():
                if job.alias.startswith("scratch-") and job.status == "running":
                    await session.remove_job(job.job_id)
        """
        return await self._remove({"job_id": job_id}, job_id)

    async def _remove(self, which: dict[str, str], named: str) -> RemoveJobResponse:
        # Not retried: after a lost answer the environment is gone, and removing it again is a 404.
        answer = await self._ops.http.parse(RemoveJobResponse, "POST", f"{self._ops.base}/remove-job", body=which)
        if not answer.success:
            raise TerrariumError(
                f"could not remove {named} from session {self.session_id}: {answer.message or 'no reason given'}"
            )
        self.envs = [env for env in self.envs if env.job_id != answer.job_id]
        if not self.envs:
            # The last environment went, and the session with it: no heartbeat can help it any more.
            await self.stop_heartbeat()
        return answer

    async def _remove_quietly(self, job_id: str) -> None:
        # Shielded, as a cancelled add must still remove what it made; the error being raised says more.
        with contextlib.suppress(Exception):
            await asyncio.shield(
                self._ops.http.request("POST", f"{self._ops.base}/remove-job", body={"job_id": job_id})
            )

    async def list_jobs(self) -> list[JobInfo]:
        """Every environment (job) of the session as the server sees it now, open and closed, with its `status`
        and `status_reason`: also those other processes added or removed, which `envs` does not know.

        Example::

            for job in await session.list_jobs():
                print(job.alias, job.status, job.status_reason)  # mirror closed removed
        """
        answer = await self._ops.http.parse(ListJobsResponse, "GET", f"{self._ops.base}/jobs", idempotent=True)
        return answer.jobs

    async def link_testcase(self, testcase_id: str) -> LinkTestcaseResponse:
        """Attaches a task (test case) to this running session, so `evaluate()` scores it against the task's
        criteria (Plato's `link_testcase`); the session must have the task's environments, by alias
        (`ConflictError` naming what is missing otherwise).

        Example::

            await session.link_testcase("fossil/promote-carol-developer")
            print((await session.evaluate()).score)
        """
        answer = await self._ops.http.parse(
            LinkTestcaseResponse, "POST", f"{self._ops.base}/link-testcase", body={"testcase_id": testcase_id}
        )
        self.task_public_id = answer.testcase_id
        return answer

    async def logs(self, *, after: int = 0, limit: int = DEFAULT_LOGS_LIMIT, job_id: str | None = None) -> SessionLogs:
        """A page of the session's log, oldest first: what happened in it (created, ready, execute with its command
        and exit code, reset, state, login, evaluate, snapshots, environments added and removed, close...).
        `after` is the `next_after` of the previous page (0: from the start), `limit` 1-1000 events a page,
        `job_id` only that environment's events. `iter_logs()` reads every page.

        Example::

            page = await session.logs(limit=50)
            for event in page.events:
                print(event.seq, event.kind, event.alias, event.message)
            more = await session.logs(after=page.next_after) if page.next_after is not None else None
        """
        return await fetch_logs(self._ops.http, self._ops.base, after=after, limit=limit, job_id=job_id)

    async def iter_logs(
        self, *, after: int = 0, limit: int = DEFAULT_LOGS_LIMIT, job_id: str | None = None
    ) -> AsyncIterator[SessionEvent]:
        """Every event of the session's log from `after` on (of one environment with `job_id`), page by page of
        `limit` events.

        Example::

            kinds = [event.kind async for event in session.iter_logs()]  # ["created", "ready", "execute", ...]
        """
        while True:
            page = await self.logs(after=after, limit=limit, job_id=job_id)
            for event in page.events:
                yield event
            if page.next_after is None:
                return
            after = page.next_after

    async def wait_for_ready(self, *, timeout: float | None = None) -> WaitForReadyAnswer:
        """Waits until every environment's app answers its readiness check (`timeout` seconds, default 120);
        `create` does this already. `status` is `ready`, `pending`, or `failed` (one cannot start and never will).

        Example::

            answer = await session.wait_for_ready(timeout=60)
            print(answer.status, {job: r.error for job, r in answer.results.items()})
        """
        return await self._ops.wait_for_ready(WaitForReadyAnswer, timeout)

    async def reset(self) -> ResetAnswer:
        """Brings every environment back to its starting state; job ids and aliases stay.

        Example::

            for job_id, outcome in (await session.reset()).results.items():
                print(job_id, outcome.success)
        """
        return await self._ops.outcome(ResetAnswer, "reset")

    @overload
    async def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["utf8"] = "utf8"
    ) -> ExecuteAnswer: ...
    @overload
    async def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["base64"]
    ) -> BinaryExecuteResponse: ...
    async def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["utf8", "base64"] = "utf8"
    ) -> ExecuteAnswer | BinaryExecuteResponse:
        """Runs a shell command in every environment (`timeout` in seconds, default 30). An environment where it
        could not run has `error` set in its entry. Never retried: the command may have run.

        Example::

            result = await session.execute("whoami")
            for job_id, output in result.results.items():
                print(f"{job_id}: {output.stdout}")
        """
        if encoding == "base64":
            answer = await self._ops.execute(ExecuteAnswer, command, timeout, binary=True)
            return BinaryExecuteResponse(
                session_id=answer.session_id,
                results={job: binary_result(result) for job, result in answer.results.items()},
            )
        return await self._ops.execute(ExecuteAnswer, command, timeout)

    async def get_state(self, *, merge_mutations: bool = True, noise: bool = True) -> StateAnswer:
        """Database rows and files every environment changed since its start or last reset: net changes, or with
        `merge_mutations=False` the ordered log. `noise=False` leaves the simulator's noise rules out. Each
        environment's row changes are also in `mutations`, in Plato's shape (`table_name`, `action`, `values`).

        Example::

            state = await session.get_state()
            for job_id, env_state in state.results.items():
                print(job_id, env_state.state.dbs if env_state.state else env_state.error)
                print([(m.table_name, m.action) for m in env_state.mutations])
        """
        return await self._ops.state(StateAnswer, merge_mutations, noise)

    async def get_public_url(self, *, port: int | None = None) -> dict[str, str]:
        """Browser-reachable URLs of the environments, by alias: the app's port, or `port`.

        Example::

            urls = await session.get_public_url()  # {"forge": "http://j-0123456789ab.localhost:7351/"}
        """
        answer = await self._ops.public_urls(PublicUrlResponse, port)
        return {r.alias: r.url for r in answer.results.values()}

    async def login(
        self,
        browser: Browser,
        flow: str = "login",
        screenshots_dir: str | None = None,
        *,
        env_alias: str | None = None,
        aliases: list[str] | None = None,
        context: BrowserContext | None = None,
        retries: int = 0,
        retry_delay_ms: int = 0,
        step_timeout: float = 20.0,
    ) -> AsyncLoginResult:
        """Logs in to every environment whose simulator declares a browser login (or only `env_alias`, or those of
        `aliases`), in one new context of `browser` (a Playwright async `Browser`; `pip install terrarium-sdk[login]`)
        or in `context`: one page per environment, by alias, each at its public URL and logged in as the
        simulator's user. `flow` is the flow to run (simulators declare one, `login`). A failed step is retried
        `retries` times, `retry_delay_ms` apart, from the public URL; then a `LoginError` names the environment, the
        step, the page and a screenshot (in `screenshots_dir`, default a temporary folder). Each environment's
        outcome goes into the session's log (`session.logs()`).

        Example::

            browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            result = await session.login(browser)
            await result.pages["forge"].click("text=Tickets")
            await result.context.close()
        """
        from ._login import log_in

        plans = await self._ops.login_plans(LoginPlanResponse)
        return await log_in(
            browser,
            plans,
            flow=flow,
            targets=targets(env_alias, aliases),
            context=context,
            retries=retries,
            retry_delay_ms=retry_delay_ms,
            step_timeout=step_timeout,
            screenshots_dir=screenshots_dir,
            record=self._record_login,
        )

    async def _record_login(self, job_id: str, flow: str, success: bool, error: str | None) -> None:
        """Puts one environment's login outcome into the session's log. Best effort: the log is for reading later,
        and a login that worked in the browser is not undone by a record the server could not take."""
        body: dict[str, Any] = {"job_id": job_id, "success": success, "flow": flow[:200]}
        if error is not None:
            body["error"] = error[:4096]
        with contextlib.suppress(TerrariumError):
            await self._ops.http.request("POST", f"{self._ops.base}/logs/login", body=body)

    async def evaluate(self, *, value: str | None = None) -> EvaluationAnswer:
        """Scores the session's current state against the criteria of the task it was made from. `value` is the
        agent's final answer, for tasks that ask for one. `status == "error"` means a check could not run (the
        evaluator's or the environment's fault, never the agent's).

        Example::

            result = await session.evaluate(value="42")
            print(result.success, result.score)
        """
        return await self._ops.http.parse(
            EvaluationAnswer,
            "POST",
            f"{self._ops.base}/evaluate",
            body={} if value is None else {"value": value},
            idempotent=True,
        )

    async def snapshot(self) -> SnapshotAnswer:
        """Memory snapshot of every environment (processes, memory and disk), one artifact each; they keep
        running. `Env.artifact(id)` resumes an artifact, as often as wanted. Where the host cannot checkpoint
        memory, each entry says so in `error`.

        Example::

            for job_id, info in (await session.snapshot()).results.items():
                print(job_id, info.artifact_id)
        """
        return await self._ops.snapshot(SnapshotAnswer)

    async def disk_snapshot(
        self,
        *,
        override_service: str | None = None,
        override_version: str | None = None,
        override_dataset: str | None = None,
    ) -> DiskSnapshotAnswer:
        """Disk snapshot of every environment (databases made consistent first), one artifact each, booted fresh
        by `Env.artifact(id)`. With `override_version` it is also published as that version of the simulator,
        which `Env.simulator(name, tag=version)` starts; `override_service` may name a new simulator for a session
        of one environment (`session.get_env(alias).disk_snapshot()` publishes one of several), and
        `override_dataset` publishes it as that dataset of the version (`Env.simulator(name, tag=, dataset=)`).

        Example::

            await session.disk_snapshot(override_service="redmine", override_version="with-triage")
            await session.disk_snapshot(override_service="my-service", override_version="v1.0.0")  # a new simulator
        """
        return await self._ops.disk_snapshot(DiskSnapshotAnswer, override_service, override_version, override_dataset)

    async def set_date(self, date: datetime | str, *, timeout: int | None = None) -> SetDateAnswer:
        """Moves the clock of every environment (what its app, its databases and executed commands see) to `date`,
        from where it runs on; a reset brings back the real time. A naive datetime, or a string without an
        offset, is UTC. `timeout` is the seconds moving it may take in each environment (2-300, default 30).

        Example::

            moved = await session.set_date("2031-05-04T10:00:00Z")
            print({job: r.success for job, r in moved.results.items()})
        """
        return await self._ops.set_date(SetDateAnswer, date, timeout)

    async def heartbeat(self) -> HeartbeatAnswer:
        """Tells the server the session is still in use; the SDK does this on its own (see `start_heartbeat`)."""
        return await self._ops.outcome(HeartbeatAnswer, "heartbeat")

    async def start_heartbeat(self) -> None:
        """Sends heartbeats in the background, every `heartbeat_interval` of the client (30 s by default), from a
        thread of their own, so they go on while the event loop is busy. They never raise, and stop once the
        server says the session is gone. `create` and `load` start them.

        Example::

            await session.stop_heartbeat()  # ... hand the session to another process, or take it back:
            await session.start_heartbeat()
        """
        if self._closed is None:
            self.client._heartbeats.start(self.session_id)

    async def stop_heartbeat(self) -> None:
        """Stops the background heartbeats; the server closes the environments after their heartbeat timeout."""
        self.client._heartbeats.stop(self.session_id)

    @property
    def heartbeat_running(self) -> bool:
        """Whether background heartbeats are running."""
        return self.client._heartbeats.running(self.session_id)

    async def details(self) -> SessionDetails:
        """The server's record of the session and its environments.

        Example::

            details = await session.details()
            print(details.status, details.envs[0].last_heartbeat_at)
        """
        return await self._ops.http.parse(SessionDetails, "GET", self._ops.base, idempotent=True)

    def dump(self) -> SerializedSession:
        """The session as a `SerializedSession` for `AsyncSession.load` (or `Session.load`, or the TypeScript
        SDK's `Session.load`), in this process or another. The API key is not in it.

        Example::

            text = session.dump().model_dump_json()
        """
        return SerializedSession(
            version=1,
            session_id=self.session_id,
            task_public_id=self.task_public_id,
            base_url=self.client.base_url,
            envs=[
                SerializedEnv(job_id=e.job_id, alias=e.alias, simulator=e.simulator, artifact_id=e.artifact_id)
                for e in self.envs
            ],
            heartbeat=self.heartbeat_running,
        )

    @classmethod
    async def load(
        cls,
        serialized: SerializedSession | dict[str, Any] | str,
        *,
        client: AsyncTerrarium | None = None,
        heartbeat: bool | None = None,
    ) -> AsyncSession:
        """Drives a dumped session again, through `client` or a new client for the dumped server URL (its API key
        from `TERRARIUM_API_KEY`); resumes heartbeats if they were running when dumped (or as `heartbeat` says).
        It asks the server first, so that a dead session fails here rather than at its first use: a malformed
        dump, or one whose jobs are not the session's, raises `InvalidSessionError`; a closed session
        `ConflictError` (with the time and reason); one the server does not know `NotFoundError`.

        Example::

            data = SerializedSession.model_validate_json(text)
            session = await AsyncSession.load(data)
        """
        from ._client import AsyncTerrarium

        data = SerializedSession.parse(serialized)
        client = client or AsyncTerrarium(base_url=data.base_url)
        try:
            info = await client.sessions.retrieve(data.session_id)
        except NotFoundError as error:
            raise NotFoundError(
                error.status,
                error.code,
                f'cannot load session "{data.session_id}": the server at {client.base_url} answered: {error}',
                error.request_id,
                error.details,
            ) from error
        if info.status == "closed":
            raise _closed_error(info)
        for i, env in enumerate(data.envs):
            if not any(job.job_id == env.job_id and job.alias == env.alias for job in info.envs):
                raise InvalidSessionError(
                    f"envs[{i}].job_id",
                    f'session "{data.session_id}" has no job "{env.job_id}" with alias "{env.alias}"',
                )
        # Not known to be started here: `wait()` asks the server, which answers at once when it is.
        session = cls(client, data.session_id, data.task_public_id, data.envs)
        if data.heartbeat if heartbeat is None else heartbeat:
            await session.start_heartbeat()
        return session

    async def close(self) -> CloseAnswer:
        """Closes the session: heartbeats stop, its environments and network are removed. Closing again sends
        nothing and answers as the first close did; a session closed elsewhere answers success per job, each
        message saying since when it is closed. When the close itself fails (server unreachable), calling it
        again tries again.

        Example::

            for job_id, outcome in (await session.close()).results.items():
                print(job_id, outcome.success)
        """
        await self.stop_heartbeat()
        if self._closed is None:
            # Shielded: a cancelled caller must not leave the session half closed and believed open.
            self._closed = await asyncio.shield(self._ops.outcome(CloseAnswer, "close"))
        return self._closed

    async def __aenter__(self) -> AsyncSession:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def targets(env_alias: str | None, aliases: list[str] | None) -> list[str] | None:
    """The aliases a login is for: Plato's `env_alias` (one) or `aliases` (several); None: every one with a login."""
    if env_alias is not None and aliases is not None:
        raise ValueError("login takes env_alias='<alias>' or aliases=[...], not both")
    return [env_alias] if env_alias is not None else aliases


async def close_quietly(session: AsyncSession) -> None:
    # Shielded: a cancelled create must still close what it made.
    # The error being raised says more than a failed clean-up would.
    with contextlib.suppress(Exception):
        await asyncio.shield(session.close())


def _positive(value: float, name: str) -> float:
    if not (isinstance(value, (int, float)) and value > 0 and value != float("inf")):
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    return float(value)


def _closed_error(info: SessionDetails) -> ConflictError:
    """Why a closed session cannot be loaded: when it closed, and the reasons its environments closed for."""
    reasons = list(dict.fromkeys(e.close_reason for e in info.envs if e.close_reason))
    when = f" at {info.closed_at}" if info.closed_at else ""
    why = f" ({', '.join(reasons)})" if reasons else ""
    return ConflictError(
        409,
        "conflict",
        f'session "{info.session_id}" was closed{when}{why}, so it cannot be loaded; make a new session',
        None,
        {"session_id": info.session_id, "closed_at": info.closed_at, "close_reasons": reasons},
    )
