"""`Terrarium`, `Session`, `Environment`: the synchronous twins of the async classes.

Each sync client runs the async implementation on an event loop of its own, in a daemon thread (a "portal"),
and every method waits for its coroutine there. One implementation serves both, and a sync client works
anywhere: in plain scripts, in threads, and inside a running event loop (a notebook), where `asyncio.run` per
call would fail. Ctrl-C while waiting cancels the call on the loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from ._client import (
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AsyncTerrarium,
)
from ._operations import DEFAULT_WAIT_TIMEOUT
from ._session import (
    DEFAULT_ADD_TIMEOUT,
    DEFAULT_LOGS_LIMIT,
    DEFAULT_READY_TIMEOUT,
    AsyncEnvironment,
    AsyncSession,
    targets,
)
from ._wire import (
    Artifact,
    ArtifactDetails,
    ArtifactEnvSpec,
    CalibrationReport,
    CloseAnswer,
    DiskSnapshotAnswer,
    DiskSnapshotResult,
    EnvState,
    EvaluationAnswer,
    ExecuteAnswer,
    Health,
    HeartbeatAnswer,
    JobDetails,
    JobExecuteResult,
    JobInfo,
    LinkTestcaseResponse,
    LoginPlanResponse,
    OutcomeResponse,
    RemoveJobResponse,
    ResetAnswer,
    SessionDetails,
    SessionEvent,
    SessionLogs,
    SetDateAnswer,
    SetDateResult,
    SimulatorEnvSpec,
    SimulatorInfo,
    SnapshotAnswer,
    SnapshotResult,
    StateAnswer,
    Task,
    TaskList,
    WaitForReadyAnswer,
)
from .errors import TerrariumError
from .serialized import SerializedSession
from .types import BinaryExecuteResponse, BinaryExecuteResult, WaitForReadyResponse

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

    from ._login import LoginResult

T = TypeVar("T")


class _Portal:
    """An event loop on a daemon thread, running the coroutines of one sync client."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="terrarium-sync", daemon=True)
        self._thread.start()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise TerrariumError("a sync Terrarium call from inside its own event loop would wait forever")
        if self._loop.is_closed():
            coroutine.close()
            raise TerrariumError("this Terrarium client is closed; make a new one")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result()
        except BaseException:
            # Ctrl-C (or any interruption) while waiting: cancel the call rather than leave it running.
            future.cancel()
            raise

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class Terrarium:
    """Synchronous client of a Terrarium server; the same arguments and methods as `AsyncTerrarium`, without
    `await`.

    Example::

        with Terrarium() as client:
            session = client.sessions.create(envs=[Env.simulator("fossil", alias="forge")])
            print(session.execute("whoami").results)
            session.close()
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
        self._portal = _Portal()

        async def make() -> AsyncTerrarium:
            # Made on the portal's loop, which its connections then belong to.
            return AsyncTerrarium(
                base_url=base_url,
                api_key=api_key,
                timeout=timeout,
                max_retries=max_retries,
                heartbeat_interval=heartbeat_interval,
            )

        try:
            self._async = self._portal.call(make())
        except BaseException:
            self._portal.close()
            raise
        self.sessions = Sessions(self)
        """Create, list, retrieve and close sessions."""
        self.simulators = Simulators(self)
        """The simulators environments can be made from."""
        self.tasks = Tasks(self)
        """The tasks sessions can be made from and evaluated against."""
        self.artifacts = Artifacts(self)
        """Snapshots of environments."""

    @property
    def base_url(self) -> str:
        """The server's URL, without a trailing slash."""
        return self._async.base_url

    @property
    def timeout(self) -> float:
        return self._async.timeout

    @property
    def heartbeat_interval(self) -> float:
        return self._async.heartbeat_interval

    def __repr__(self) -> str:
        return f"Terrarium(base_url={self.base_url!r})"

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._portal.call(coroutine)

    def health(self) -> Health:
        """The server's health, version and capabilities."""
        return self._call(self._async.health())

    def close(self) -> None:
        """Stops the heartbeats of this client's sessions, closes its connections and its event loop thread.
        The sessions stay open: close them with `session.close()`."""
        if not self._portal._loop.is_closed():
            self._call(self._async.close())
            self._portal.close()

    def __enter__(self) -> Terrarium:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class Sessions:
    """`client.sessions`: create, list, retrieve and close sessions (see `AsyncSessions`)."""

    def __init__(self, client: Terrarium) -> None:
        self._client = client
        self._async = client._async.sessions

    def create(
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
    ) -> Session:
        """Creates a session from exactly one of envs, task, testcase or artifacts, and waits until its environments
        are ready, unless `wait_for_ready=False` (see `AsyncSessions.create`).

        Example::

            session = client.sessions.create(envs=[Env.simulator("fossil", alias="forge")])
            graded = client.sessions.create(testcase="fossil/count-open-storage-tickets")
        """
        made = self._client._call(
            self._async.create(
                envs=envs,
                task=task,
                testcase=testcase,
                artifacts=artifacts,
                timeout=timeout,
                heartbeat_timeout=heartbeat_timeout,
                wait_for_ready=wait_for_ready,
                wait=wait,
                heartbeat=heartbeat,
                shutdown_callback_url=shutdown_callback_url,
                shutdown_callback_token=shutdown_callback_token,
            )
        )
        return Session(self._client, made)

    def list(self, *, status: Literal["active", "closed", "all"] = "active") -> list[SessionDetails]:
        """Sessions on the server (`status` default `active`)."""
        return self._client._call(self._async.list(status=status))

    def retrieve(self, session_id: str) -> SessionDetails:
        """One session's record; `NotFoundError` for an unknown id."""
        return self._client._call(self._async.retrieve(session_id))

    def logs(
        self, session_id: str, *, after: int = 0, limit: int = DEFAULT_LOGS_LIMIT, job_id: str | None = None
    ) -> SessionLogs:
        """A page of a session's log by session id, a closed session's too (see `AsyncSessions.logs`)."""
        return self._client._call(self._async.logs(session_id, after=after, limit=limit, job_id=job_id))

    def state(self, session_id: str, *, merge_mutations: bool = True, noise: bool = True) -> StateAnswer:
        """What changed in a session's environments, by session id."""
        return self._client._call(self._async.state(session_id, merge_mutations=merge_mutations, noise=noise))

    def public_urls(self, session_id: str, *, port: int | None = None) -> dict[str, str]:
        """Browser-reachable URLs of a session's environments by session id, per alias."""
        return self._client._call(self._async.public_urls(session_id, port=port))

    def snapshot(self, session_id: str) -> SnapshotAnswer:
        """Memory snapshot of a session's environments by session id."""
        return self._client._call(self._async.snapshot(session_id))

    def disk_snapshot(
        self,
        session_id: str,
        *,
        override_service: str | None = None,
        override_version: str | None = None,
        override_dataset: str | None = None,
    ) -> DiskSnapshotAnswer:
        """Disk snapshot of a session's environments by session id."""
        return self._client._call(
            self._async.disk_snapshot(
                session_id,
                override_service=override_service,
                override_version=override_version,
                override_dataset=override_dataset,
            )
        )

    def close(self, session_id: str) -> CloseAnswer:
        """Closes a session by id; safe to repeat (a closed session answers success again, saying since when)."""
        return self._client._call(self._async.close(session_id))


class Simulators:
    """`client.simulators`: what environments can be made from."""

    def __init__(self, client: Terrarium) -> None:
        self._client = client

    def list(self) -> list[SimulatorInfo]:
        """Every simulator of the server, and whether its image is built."""
        return self._client._call(self._client._async.simulators.list())

    def calibrate(self, name: str, *, idle_seconds: float = 5, job_id: str | None = None) -> CalibrationReport:
        """Finds a simulator's noise (see `AsyncSimulators.calibrate`)."""
        return self._client._call(
            self._client._async.simulators.calibrate(name, idle_seconds=idle_seconds, job_id=job_id)
        )


class Tasks:
    """`client.tasks`: the server's task catalog."""

    def __init__(self, client: Terrarium) -> None:
        self._client = client

    def list(self) -> TaskList:
        """Every task, and every task file that does not validate with its problems."""
        return self._client._call(self._client._async.tasks.list())

    def retrieve(self, task_id: str) -> Task:
        """One task: its prompt, environments and criteria."""
        return self._client._call(self._client._async.tasks.retrieve(task_id))


class Artifacts:
    """`client.artifacts`: snapshots of environments."""

    def __init__(self, client: Terrarium) -> None:
        self._client = client

    def list(self, *, role: Literal["snapshot", "ready", "all"] | None = None) -> list[Artifact]:
        """The server's artifacts, newest first (see `AsyncArtifacts.list`)."""
        return self._client._call(self._client._async.artifacts.list(role=role))

    def retrieve(self, artifact_id: str) -> ArtifactDetails:
        """One artifact with its lineage and children; `NotFoundError` if unknown."""
        return self._client._call(self._client._async.artifacts.retrieve(artifact_id))

    def remove(self, artifact_id: str, *, force: bool = False) -> None:
        """Removes an artifact (see `AsyncArtifacts.remove`)."""
        self._client._call(self._client._async.artifacts.remove(artifact_id, force=force))


class Environment:
    """One running environment (job) of a session (see `AsyncEnvironment`).

    Example::

        forge = session.get_env("forge")
        print(forge.execute("ls /data").stdout)
    """

    def __init__(self, client: Terrarium, env: AsyncEnvironment) -> None:
        self._client = client
        self._async = env
        self.job_id = env.job_id
        """The server's id of this environment; session answers are keyed by it."""
        self.alias = env.alias
        """Its name in the session, and its host name on the session's network."""
        self.simulator = env.simulator
        self.artifact_id = env.artifact_id

    def __repr__(self) -> str:
        return f"Environment(alias={self.alias!r}, job_id={self.job_id!r})"

    @overload
    def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["utf8"] = "utf8"
    ) -> JobExecuteResult: ...
    @overload
    def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["base64"]
    ) -> BinaryExecuteResult: ...
    def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["utf8", "base64"] = "utf8"
    ) -> JobExecuteResult | BinaryExecuteResult:
        """Runs a shell command in this environment (see `AsyncEnvironment.execute`)."""
        if encoding == "base64":
            return self._client._call(self._async.execute(command, timeout=timeout, encoding="base64"))
        return self._client._call(self._async.execute(command, timeout=timeout))

    def get_state(self, *, merge_mutations: bool = True, noise: bool = True) -> EnvState:
        """Database rows and files this environment changed since its start or last reset."""
        return self._client._call(self._async.get_state(merge_mutations=merge_mutations, noise=noise))

    def get_public_url(self, *, port: int | None = None) -> str:
        """This environment's browser-reachable URL."""
        return self._client._call(self._async.get_public_url(port=port))

    def reset(self) -> OutcomeResponse:
        """Brings this environment back to its starting state."""
        return self._client._call(self._async.reset())

    def snapshot(self) -> SnapshotResult:
        """Memory snapshot of this environment."""
        return self._client._call(self._async.snapshot())

    def disk_snapshot(
        self,
        *,
        override_service: str | None = None,
        override_version: str | None = None,
        override_dataset: str | None = None,
    ) -> DiskSnapshotResult:
        """Disk snapshot of this environment, optionally published (see `AsyncEnvironment.disk_snapshot`)."""
        return self._client._call(
            self._async.disk_snapshot(
                override_service=override_service,
                override_version=override_version,
                override_dataset=override_dataset,
            )
        )

    def set_date(self, date: datetime | str, *, timeout: int | None = None) -> SetDateResult:
        """Moves this environment's clock to `date` (see `AsyncEnvironment.set_date`)."""
        return self._client._call(self._async.set_date(date, timeout=timeout))

    def wait_for_ready(self, *, timeout: float | None = None) -> WaitForReadyResponse:
        """Waits until the environment's app answers its readiness check."""
        return self._client._call(self._async.wait_for_ready(timeout=timeout))

    def heartbeat(self) -> OutcomeResponse:
        """Tells the server this environment is still in use."""
        return self._client._call(self._async.heartbeat())

    def close(self) -> OutcomeResponse:
        """Closes just this environment."""
        return self._client._call(self._async.close())

    def details(self) -> JobDetails:
        """The server's record of this job."""
        return self._client._call(self._async.details())


class Session:
    """A group of running environments (see `AsyncSession`); `with session:` closes it at the end.

    Example::

        with client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as session:
            session.reset()
    """

    def __init__(self, client: Terrarium, session: AsyncSession) -> None:
        self.client = client
        """The client this session talks through."""
        self._async = session
        self.session_id = session.session_id
        self.task_public_id = session.task_public_id
        self._wrapped: dict[str, Environment] = {}

    @property
    def envs(self) -> list[Environment]:
        """Its environments, in the order they were asked for, then those `add_env` added."""
        return [self._wrap(env) for env in self._async.envs]

    def _wrap(self, env: AsyncEnvironment) -> Environment:
        """The one sync twin of each environment, so that `get_env` answers the same object every time."""
        wrapper = self._wrapped.get(env.job_id)
        if wrapper is None:
            wrapper = self._wrapped[env.job_id] = Environment(self.client, env)
        return wrapper

    def __repr__(self) -> str:
        return f"Session(session_id={self.session_id!r}, envs={[e.alias for e in self.envs]!r})"

    def get_env(self, alias: str) -> Environment | None:
        """The environment with this alias, or None."""
        return next((env for env in self.envs if env.alias == alias), None)

    def wait(self, *, timeout: float = DEFAULT_WAIT_TIMEOUT) -> None:
        """Finishes a session created with `wait_for_ready=False` (see `AsyncSession.wait`).

        Example::

            session = client.sessions.create(envs=[Env.simulator("fossil")], wait_for_ready=False)
            session.wait(timeout=300)
        """
        self.client._call(self._async.wait(timeout=timeout))

    def wait_until_ready(self, *, timeout: float = DEFAULT_WAIT_TIMEOUT) -> None:
        """`wait()` under the name of Plato's newer SDKs."""
        self.client._call(self._async.wait_until_ready(timeout=timeout))

    def add_env(
        self,
        env: SimulatorEnvSpec | ArtifactEnvSpec,
        *,
        timeout: float = DEFAULT_ADD_TIMEOUT,
        ready_timeout: float = DEFAULT_READY_TIMEOUT,
        heartbeat_timeout: int | None = None,
        wait_for_ready: bool = True,
    ) -> Environment:
        """Adds an environment to this running session, on its network under its alias (see
        `AsyncSession.add_env`).

        Example::

            mirror = session.add_env(Env.simulator("fossil", alias="mirror"))
        """
        added = self.client._call(
            self._async.add_env(
                env,
                timeout=timeout,
                ready_timeout=ready_timeout,
                heartbeat_timeout=heartbeat_timeout,
                wait_for_ready=wait_for_ready,
            )
        )
        return self._wrap(added)

    def remove_env(self, env: Environment | str) -> RemoveJobResponse:
        """Removes an environment (or the one with this alias) from this running session (see
        `AsyncSession.remove_env`).

        Example::

            session.remove_env("mirror")
        """
        removed = self.client._call(self._async.remove_env(env if isinstance(env, str) else env._async))
        self._wrapped.pop(removed.job_id, None)
        return removed

    def remove_job(self, job_id: str) -> RemoveJobResponse:
        """Removes an environment by job id (see `AsyncSession.remove_job`)."""
        removed = self.client._call(self._async.remove_job(job_id))
        self._wrapped.pop(removed.job_id, None)
        return removed

    def list_jobs(self) -> list[JobInfo]:
        """Every environment of the session as the server sees it now (see `AsyncSession.list_jobs`)."""
        return self.client._call(self._async.list_jobs())

    def link_testcase(self, testcase_id: str) -> LinkTestcaseResponse:
        """Attaches a task to this running session, so `evaluate()` scores it (see `AsyncSession.link_testcase`)."""
        answer = self.client._call(self._async.link_testcase(testcase_id))
        self.task_public_id = answer.testcase_id
        return answer

    def logs(self, *, after: int = 0, limit: int = DEFAULT_LOGS_LIMIT, job_id: str | None = None) -> SessionLogs:
        """A page of the session's log, oldest first (see `AsyncSession.logs`)."""
        return self.client._call(self._async.logs(after=after, limit=limit, job_id=job_id))

    def iter_logs(
        self, *, after: int = 0, limit: int = DEFAULT_LOGS_LIMIT, job_id: str | None = None
    ) -> Iterator[SessionEvent]:
        """Every event of the session's log from `after` on, page by page.

        Example::

            print([event.kind for event in session.iter_logs()])  # ["created", "ready", "execute", ...]
        """
        while True:
            page = self.logs(after=after, limit=limit, job_id=job_id)
            yield from page.events
            if page.next_after is None:
                return
            after = page.next_after

    def wait_for_ready(self, *, timeout: float | None = None) -> WaitForReadyAnswer:
        """Waits until every environment's app answers its readiness check."""
        return self.client._call(self._async.wait_for_ready(timeout=timeout))

    def reset(self) -> ResetAnswer:
        """Brings every environment back to its starting state."""
        return self.client._call(self._async.reset())

    @overload
    def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["utf8"] = "utf8"
    ) -> ExecuteAnswer: ...
    @overload
    def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["base64"]
    ) -> BinaryExecuteResponse: ...
    def execute(
        self, command: str, *, timeout: float | None = None, encoding: Literal["utf8", "base64"] = "utf8"
    ) -> ExecuteAnswer | BinaryExecuteResponse:
        """Runs a shell command in every environment; results keyed by job id."""
        if encoding == "base64":
            return self.client._call(self._async.execute(command, timeout=timeout, encoding="base64"))
        return self.client._call(self._async.execute(command, timeout=timeout))

    def get_state(self, *, merge_mutations: bool = True, noise: bool = True) -> StateAnswer:
        """Database rows and files every environment changed since its start or last reset."""
        return self.client._call(self._async.get_state(merge_mutations=merge_mutations, noise=noise))

    def get_public_url(self, *, port: int | None = None) -> dict[str, str]:
        """Browser-reachable URLs of the environments, by alias."""
        return self.client._call(self._async.get_public_url(port=port))

    def login(
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
    ) -> LoginResult:
        """Logs in to every environment whose simulator declares a login, in one new context of `browser` (a
        Playwright sync `Browser`, driven from this thread) or in `context`. See `AsyncSession.login`."""
        from ._login import log_in_sync

        def record(job_id: str, flow: str, success: bool, error: str | None) -> None:
            self.client._call(self._async._record_login(job_id, flow, success, error))

        plans = self.client._call(self._async._ops.login_plans(LoginPlanResponse))
        return log_in_sync(
            browser,
            plans,
            flow=flow,
            targets=targets(env_alias, aliases),
            context=context,
            retries=retries,
            retry_delay_ms=retry_delay_ms,
            step_timeout=step_timeout,
            screenshots_dir=screenshots_dir,
            record=record,
        )

    def evaluate(self, *, value: str | None = None) -> EvaluationAnswer:
        """Scores the session's current state against its task's criteria."""
        return self.client._call(self._async.evaluate(value=value))

    def snapshot(self) -> SnapshotAnswer:
        """Memory snapshot of every environment, one artifact each."""
        return self.client._call(self._async.snapshot())

    def disk_snapshot(
        self,
        *,
        override_service: str | None = None,
        override_version: str | None = None,
        override_dataset: str | None = None,
    ) -> DiskSnapshotAnswer:
        """Disk snapshot of every environment, one artifact each (see `AsyncSession.disk_snapshot`)."""
        return self.client._call(
            self._async.disk_snapshot(
                override_service=override_service,
                override_version=override_version,
                override_dataset=override_dataset,
            )
        )

    def set_date(self, date: datetime | str, *, timeout: int | None = None) -> SetDateAnswer:
        """Moves the clock of every environment to `date` (see `AsyncSession.set_date`)."""
        return self.client._call(self._async.set_date(date, timeout=timeout))

    def heartbeat(self) -> HeartbeatAnswer:
        """Tells the server the session is still in use."""
        return self.client._call(self._async.heartbeat())

    def start_heartbeat(self) -> None:
        """Sends heartbeats in the background (a thread), every `heartbeat_interval` of the client."""
        self.client._call(self._async.start_heartbeat())

    def stop_heartbeat(self) -> None:
        """Stops the background heartbeats."""
        self.client._call(self._async.stop_heartbeat())

    @property
    def heartbeat_running(self) -> bool:
        """Whether background heartbeats are running."""
        return self._async.heartbeat_running

    def details(self) -> SessionDetails:
        """The server's record of the session and its environments."""
        return self.client._call(self._async.details())

    def dump(self) -> SerializedSession:
        """The session as a `SerializedSession`, for `Session.load` or `AsyncSession.load`."""
        return self._async.dump()

    @classmethod
    def load(
        cls,
        serialized: SerializedSession | dict[str, Any] | str,
        *,
        client: Terrarium | None = None,
        heartbeat: bool | None = None,
    ) -> Session:
        """Drives a dumped session again (see `AsyncSession.load`), through `client` or a new `Terrarium` for
        the dumped server URL.

        Example::

            session = Session.load(SerializedSession.model_validate_json(text))
        """
        data = SerializedSession.parse(serialized)
        owner = client or Terrarium(base_url=data.base_url)
        try:
            loaded = owner._call(AsyncSession.load(data, client=owner._async, heartbeat=heartbeat))
        except BaseException:
            if client is None:
                owner.close()
            raise
        return cls(owner, loaded)

    def close(self) -> CloseAnswer:
        """Closes the session: heartbeats stop, its environments and network are removed."""
        return self.client._call(self._async.close())

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


__all__ = ["Artifacts", "Environment", "Session", "Sessions", "Simulators", "Tasks", "Terrarium"]
