"""`AsyncTerrarium`, the client, and its resources: sessions, simulators, tasks, artifacts."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from ._heartbeat import Heartbeats
from ._http import Http
from ._operations import DEFAULT_WAIT_TIMEOUT, MAX_SERVER_WAIT, Operations
from ._session import DEFAULT_LOGS_LIMIT, AsyncSession, close_quietly, fetch_logs
from ._wire import (
    Artifact,
    ArtifactDetails,
    ArtifactEnvSpec,
    ArtifactList,
    CalibrationReport,
    CloseAnswer,
    DiskSnapshotAnswer,
    Health,
    MakeSessionResponse,
    PublicUrlResponse,
    SessionDetails,
    SessionList,
    SessionLogs,
    SimulatorEnvSpec,
    SimulatorInfo,
    SimulatorList,
    SnapshotAnswer,
    StateAnswer,
    Task,
    TaskList,
)
from .env import Env
from .errors import EnvironmentError, TerrariumError
from .serialized import SerializedEnv

DEFAULT_BASE_URL = "http://127.0.0.1:7350"
DEFAULT_TIMEOUT = 300.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_HEARTBEAT_INTERVAL = 30.0


class AsyncTerrarium:
    """Client of a Terrarium server. Configuration is read once, here: arguments win over `TERRARIUM_URL` and
    `TERRARIUM_API_KEY`. `timeout` is each request's, in seconds (execute and waits add their own duration);
    idempotent calls are retried `max_retries` times on connection errors and 502/503/504.

    Example::

        async with AsyncTerrarium() as client:  # or AsyncTerrarium(base_url=..., api_key=...)
            session = await client.sessions.create(envs=[Env.simulator("fossil")])
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL,
    ) -> None:
        url = base_url if base_url is not None else (os.environ.get("TERRARIUM_URL") or DEFAULT_BASE_URL)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            source = "base_url" if base_url is not None else "TERRARIUM_URL"
            raise TerrariumError(
                f'the server URL "{url}" is not an http(s) URL (from {source}); e.g. {DEFAULT_BASE_URL}'
            )
        self.base_url = url.rstrip("/")
        """The server's URL, without a trailing slash."""
        self.timeout = _positive(timeout, "timeout")
        self.max_retries = max(0, int(max_retries))
        self.heartbeat_interval = _positive(heartbeat_interval, "heartbeat_interval")
        key = api_key if api_key is not None else (os.environ.get("TERRARIUM_API_KEY") or None)
        self._http = Http(self.base_url, key, self.timeout, self.max_retries)
        self._heartbeats = Heartbeats(self.base_url, self._http.headers, self.heartbeat_interval, self.timeout)
        self.sessions = AsyncSessions(self)
        """Create, list, retrieve and close sessions."""
        self.simulators = AsyncSimulators(self._http)
        """The simulators environments can be made from."""
        self.tasks = AsyncTasks(self._http)
        """The tasks sessions can be made from and evaluated against."""
        self.artifacts = AsyncArtifacts(self._http)
        """Snapshots of environments."""

    def __repr__(self) -> str:
        return f"AsyncTerrarium(base_url={self.base_url!r})"

    async def health(self) -> Health:
        """The server's health, version and capabilities.

        Example::

            health = await client.health()
            print(health.version, health.capabilities.memory_snapshots)
        """
        return await self._http.parse(Health, "GET", "healthz", idempotent=True, timeout=min(self.timeout, 10.0))

    async def close(self) -> None:
        """Stops the heartbeats of this client's sessions and closes its connections. The sessions stay open:
        close them with `session.close()` (or let the server close them after their heartbeat timeout)."""
        self._heartbeats.close()
        await self._http.aclose()

    async def __aenter__(self) -> AsyncTerrarium:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


class AsyncSessions:
    """`client.sessions`: create, list, retrieve and close sessions.

    Example::

        for info in await client.sessions.list():
            print(info.session_id, len(info.envs))
    """

    def __init__(self, client: AsyncTerrarium) -> None:
        self._client = client
        self._http = client._http

    async def create(
        self,
        *,
        envs: Sequence[SimulatorEnvSpec | ArtifactEnvSpec] | None = None,
        task: str | None = None,
        testcase: str | None = None,
        artifacts: Sequence[str] | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        heartbeat_timeout: int | None = None,
        wait_for_ready: bool = True,
        wait: bool | None = None,
        heartbeat: bool = True,
        shutdown_callback_url: str | None = None,
        shutdown_callback_token: str | None = None,
    ) -> AsyncSession:
        """Creates a session from exactly one of: `envs` (`Env.simulator(...)`, `Env.artifact(...)`), a task (`task=`
        its id), a test case (`testcase=` a task id, Plato's name; the session is reset once ready, which starts its
        mutation log there), or `artifacts` (ids, each started as `Env.artifact(id)`); more or none is a
        `ValueError`. It waits up to `timeout` seconds until every environment is ready; when one cannot start or
        become ready, the session is closed and an `EnvironmentError` names each failing alias with the server's
        message. `wait_for_ready=False` (or Plato's `wait=False`) answers at once, the environments booting in the
        background: `session.wait()` finishes the start. `heartbeat_timeout` applies to every environment without
        its own; heartbeats start on their own. `shutdown_callback_url` is POSTed once when the session ends, for
        any reason, with `shutdown_callback_token` as a bearer token.

        Example::

            session = await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")])
            graded = await client.sessions.create(testcase="fossil/count-open-storage-tickets")  # reset once ready
            later = await client.sessions.create(envs=[Env.simulator("fossil")], wait_for_ready=False)
            await later.wait()
        """
        body = _make_body(envs, task, testcase, artifacts)
        if wait is not None and not wait_for_ready:
            raise ValueError("sessions.create takes wait_for_ready=False or wait=False (Plato's name), not both")
        deferred = not (wait_for_ready if wait is None else wait)
        deadline = time.monotonic() + timeout
        if deferred:
            body["wait"] = False
        elif timeout <= MAX_SERVER_WAIT:
            # The server waits for readiness within make, saving the wait's round trip.
            body["timeout"] = timeout
        given = {
            "heartbeat_timeout": heartbeat_timeout,
            "shutdown_callback_url": shutdown_callback_url,
            "shutdown_callback_token": shutdown_callback_token,
        }
        body.update({key: value for key, value in given.items() if value is not None})
        made = await self._http.parse(
            MakeSessionResponse,
            "POST",
            "api/v2/sessions/make",
            body=body,
            timeout=self._client.timeout + (timeout if "timeout" in body else 0),
        )
        session = AsyncSession(
            self._client,
            made.session_id,
            made.task_public_id,
            [
                SerializedEnv(job_id=e.job_id, alias=e.alias, simulator=e.simulator, artifact_id=e.artifact_id)
                for e in made.envs
            ],
            reset_when_ready=testcase is not None,
        )
        failures = {e.alias: e.error or "could not be made" for e in made.envs if not e.success}
        if failures:
            await close_quietly(session)
            listed = "; ".join(f"{alias}: {why}" for alias, why in failures.items())
            raise EnvironmentError(
                f"session {made.session_id} could not start, so it was closed; {listed}", failures, made.session_id
            )
        if not deferred:
            # The server may have waited within make: only environments it did not see ready need a wait.
            await session._start(max(0.0, deadline - time.monotonic()), {e.job_id for e in made.envs if e.ready})
        if heartbeat:
            # Also for a deferred start: a session that boots for long must not be reaped for want of heartbeats.
            await session.start_heartbeat()
        return session

    async def list(self, *, status: Literal["active", "closed", "all"] = "active") -> list[SessionDetails]:
        """Sessions on the server (`status` default `active`).

        Example::

            every = await client.sessions.list(status="all")
        """
        answer = await self._http.parse(
            SessionList, "GET", "api/v2/sessions", query={"status": status}, idempotent=True
        )
        return answer.sessions

    async def retrieve(self, session_id: str) -> SessionDetails:
        """One session's record; `NotFoundError` for an unknown id.

        Example::

            info = await client.sessions.retrieve("s_0123456789ab")
            print(info.status, [e.alias for e in info.envs])
        """
        return await self._http.parse(SessionDetails, "GET", _session_path(session_id), idempotent=True)

    async def logs(
        self, session_id: str, *, after: int = 0, limit: int = DEFAULT_LOGS_LIMIT, job_id: str | None = None
    ) -> SessionLogs:
        """A page of a session's log by session id, a closed session's too (see `session.logs()`).

        Example::

            page = await client.sessions.logs("s_0123456789ab", limit=50)
            print([(event.kind, event.message) for event in page.events], page.next_after)
        """
        return await fetch_logs(self._http, _session_path(session_id), after=after, limit=limit, job_id=job_id)

    async def state(self, session_id: str, *, merge_mutations: bool = True, noise: bool = True) -> StateAnswer:
        """What changed in a session's environments, by session id (see `session.get_state()`)."""
        return await self._ops(session_id).state(StateAnswer, merge_mutations, noise)

    async def public_urls(self, session_id: str, *, port: int | None = None) -> dict[str, str]:
        """Browser-reachable URLs of a session's environments by session id, per alias."""
        answer = await self._ops(session_id).public_urls(PublicUrlResponse, port)
        return {r.alias: r.url for r in answer.results.values()}

    async def snapshot(self, session_id: str) -> SnapshotAnswer:
        """Memory snapshot of a session's environments by session id (see `session.snapshot()`)."""
        return await self._ops(session_id).snapshot(SnapshotAnswer)

    async def disk_snapshot(
        self,
        session_id: str,
        *,
        override_service: str | None = None,
        override_version: str | None = None,
        override_dataset: str | None = None,
    ) -> DiskSnapshotAnswer:
        """Disk snapshot of a session's environments by session id (see `session.disk_snapshot()`)."""
        return await self._ops(session_id).disk_snapshot(
            DiskSnapshotAnswer, override_service, override_version, override_dataset
        )

    async def close(self, session_id: str) -> CloseAnswer:
        """Closes a session by id (e.g. one another process made). Safe to repeat: a closed session answers
        success again, its `message` and each job's saying since when it is closed.

        Example::

            print((await client.sessions.close("s_0123456789ab")).message)  # closed 2 environment(s)
        """
        return await self._ops(session_id).outcome(CloseAnswer, "close")

    def _ops(self, session_id: str) -> Operations:
        return Operations(self._http, _session_path(session_id))


class AsyncSimulators:
    """`client.simulators`: what environments can be made from."""

    def __init__(self, http: Http) -> None:
        self._http = http

    async def list(self) -> list[SimulatorInfo]:
        """Every simulator of the server, and whether its image is built.

        Example::

            print([s.name for s in await client.simulators.list() if s.built])
        """
        return (await self._http.parse(SimulatorList, "GET", "api/v2/simulators", idempotent=True)).simulators

    async def calibrate(self, name: str, *, idle_seconds: float = 5, job_id: str | None = None) -> CalibrationReport:
        """Finds a simulator's noise: the server starts an environment, logs in through the app's web login,
        idles, and reports every change with rules that would silence it. With ``job_id``: it reads that
        running environment of the simulator instead, one the caller logged in to (a browser login).

        Example::

            report = await client.simulators.calibrate("fossil", idle_seconds=5)
        """
        return await self._http.parse(
            CalibrationReport,
            "POST",
            f"api/v2/simulators/{quote(name, safe='')}/calibrate",
            body={"idle_seconds": idle_seconds, **({"job_id": job_id} if job_id else {})},
            timeout=idle_seconds + 300,
        )


class AsyncTasks:
    """`client.tasks`: the server's task catalog."""

    def __init__(self, http: Http) -> None:
        self._http = http

    async def list(self) -> TaskList:
        """Every task, and every task file that does not validate with its problems.

        Example::

            catalog = await client.tasks.list()
            print([t.id for t in catalog.tasks], catalog.invalid)
        """
        return await self._http.parse(TaskList, "GET", "api/v2/tasks", idempotent=True)

    async def retrieve(self, task_id: str) -> Task:
        """One task: its prompt, environments and criteria.

        Example::

            task = await client.tasks.retrieve("redmine/escalate-webhook-bug")
        """
        path = "/".join(quote(part, safe="") for part in task_id.split("/"))
        return await self._http.parse(Task, "GET", f"api/v2/tasks/{path}", idempotent=True)


class AsyncArtifacts:
    """`client.artifacts`: snapshots of environments (`session.snapshot()`, `session.disk_snapshot()`)."""

    def __init__(self, http: Http) -> None:
        self._http = http

    async def list(self, *, role: Literal["snapshot", "ready", "all"] | None = None) -> list[Artifact]:
        """The server's artifacts, newest first: the snapshots users made, or with `role` the server's own ready
        artifacts (`"ready"`) or everything (`"all"`).

        Example::

            for a in await client.artifacts.list():
                print(a.artifact_id, a.kind, a.simulator)
        """
        answer = await self._http.parse(ArtifactList, "GET", "api/v2/artifacts", query={"role": role}, idempotent=True)
        return answer.artifacts

    async def retrieve(self, artifact_id: str) -> ArtifactDetails:
        """One artifact with its lineage (ancestors, nearest first) and children; `NotFoundError` if unknown.

        Example::

            lineage = (await client.artifacts.retrieve("a_0123456789ab")).lineage
        """
        return await self._http.parse(
            ArtifactDetails, "GET", f"api/v2/artifacts/{quote(artifact_id, safe='')}", idempotent=True
        )

    async def remove(self, artifact_id: str, *, force: bool = False) -> None:
        """Removes an artifact (its image or checkpoint) and the version published from it. Refused
        (`ConflictError`, saying what needs it) while an open environment started from it or runs its published
        version; a ready artifact (the server's own cache of a simulator image) needs `force`.

        Example::

            await client.artifacts.remove("a_0123456789ab")
        """
        await self._http.request(
            "DELETE",
            f"api/v2/artifacts/{quote(artifact_id, safe='')}",
            query={"force": "true" if force else None},
            idempotent=True,
        )


def _session_path(session_id: str) -> str:
    return f"api/v2/sessions/{quote(session_id, safe='')}"


def _make_body(
    envs: Sequence[SimulatorEnvSpec | ArtifactEnvSpec] | None,
    task: str | None,
    testcase: str | None,
    artifacts: Sequence[str] | None,
) -> dict[str, Any]:
    """make's body for the one source given; a `ValueError`, before any request, for more or none."""
    given = {"envs": envs, "task": task, "testcase": testcase, "artifacts": artifacts}
    named = [name for name, value in given.items() if value is not None]
    if len(named) != 1:
        got = f"got {' and '.join(named)}" if named else "got none"
        raise ValueError(
            "sessions.create takes exactly one of envs=[Env.simulator(...), ...], task='<task id>', "
            f"testcase='<task id>' or artifacts=['<artifact id>', ...]; {got}"
        )
    if task is not None:
        return {"type": "task", "task_id": task}
    if testcase is not None:
        return {"type": "testcase", "testcase_id": testcase}
    if artifacts is not None:
        if isinstance(artifacts, str) or not artifacts or not all(isinstance(a, str) for a in artifacts):
            raise ValueError(
                f"artifacts is a non-empty list of artifact ids, e.g. ['a_0123456789ab']; not {artifacts!r}"
            )

        envs = [Env.artifact(artifact_id) for artifact_id in artifacts]
    return {"type": "envs", "envs": [spec.model_dump(mode="json", exclude_unset=True) for spec in envs or []]}


def _positive(value: float, name: str) -> float:
    if not (isinstance(value, (int, float)) and value > 0 and value != float("inf")):
        raise TerrariumError(f"{name} must be a positive number of seconds, not {value!r}")
    return float(value)
