"""`TerrariumEnvironment`: Harbor's environment interface on a Terrarium session of one simulator.

Harbor picks a custom environment by import path::

    harbor run -p my-task -a oracle -e terrarium_harbor:TerrariumEnvironment --ek url=http://127.0.0.1:7350

Each trial's environment is a Terrarium session of the simulator the task's `environment/terrarium.toml` names
(see `definition`): `start` creates it (ready, heartbeats running), `exec` runs commands in it, files go in and out
through `execute` (base64, in pieces), `stop` closes the session.
"""

from __future__ import annotations

import asyncio
import base64
import shlex
import tarfile
import uuid
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any, override

from harbor.environments.base import BaseEnvironment, ExecResult, transfer_tar_filter
from harbor.environments.capabilities import EnvironmentCapabilities
from harbor.environments.options import EnvironmentOptions
from harbor.models.task.config import TaskOS
from harbor.models.trial.config import ResourceMode
from pydantic import Field

from terrarium import AsyncEnvironment, AsyncSession, AsyncTerrarium, Env, Terrarium, TerrariumError

from .commands import (
    DOWNLOAD_CHUNK,
    append_command,
    extract_command,
    read_command,
    shell_command,
    size_command,
    upload_chunks,
)
from .definition import TerrariumDefinition, load_definition

__all__ = ["TerrariumEnvironment", "TerrariumOptions"]

# Terrarium's longest command; Harbor passes no timeout for commands it lets run until its own phase timeout.
MAX_EXEC_TIMEOUT = 24 * 3600
# File transfers are bookkeeping commands (base64 pieces, tar): minutes at most.
TRANSFER_TIMEOUT = 600
# The exit status Harbor's other providers (and `timeout(1)`) give a command killed by its timeout.
TIMED_OUT_STATUS = 124
_TRANSFER_DIR = PurePosixPath("/tmp")


class TerrariumOptions(EnvironmentOptions):
    """`--ek` options of the terrarium environment. The API key comes from `TERRARIUM_API_KEY` only, so that it
    stays out of the job's saved configuration."""

    url: str | None = Field(
        default=None,
        description="The Terrarium server's URL; TERRARIUM_URL when unset, else http://127.0.0.1:7350",
    )
    ready_timeout_sec: float = Field(
        default=120.0, gt=0, description="Seconds the simulator may take to start and answer its readiness check"
    )
    heartbeat_timeout_sec: int | None = Field(
        default=None,
        ge=0,
        description="Seconds without heartbeats before the server closes the session (the provider sends them); "
        "the server's default when unset",
    )


class TerrariumEnvironment(BaseEnvironment):
    """A Harbor environment that is one Terrarium simulator, in a session of its own."""

    options_model = TerrariumOptions
    options: TerrariumOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._definition: TerrariumDefinition | None = None
        self._client: AsyncTerrarium | None = None
        self._session: AsyncSession | None = None
        self._job: AsyncEnvironment | None = None
        self._runs_as_root = False
        super().__init__(*args, **kwargs)
        if self._host_mounts:
            targets = ", ".join(str(mount["target"]) for mount in self._host_mounts)
            raise ValueError(
                f"the terrarium environment cannot mount host folders ({targets}): its environments run on the "
                "Terrarium server's Podman; drop --mounts (Harbor's logs are copied out after each phase)"
            )
        config = self.task_env_config
        if config.docker_image:
            raise ValueError(
                f"the task sets [environment].docker_image = {config.docker_image!r}, but a Terrarium environment "
                "is the simulator that environment/terrarium.toml names; remove docker_image"
            )
        unenforced = [
            name
            for name, value, mode in (
                ("cpus", config.cpus, self._cpu_resource_mode),
                ("memory_mb", config.memory_mb, self._memory_resource_mode),
            )
            if value is not None and mode != ResourceMode.IGNORE
        ]
        if unenforced:
            self.logger.warning(
                "the task's %s are not applied: a Terrarium simulator runs with the resources its simulator.yaml "
                "declares",
                " and ".join(unenforced),
            )

    @staticmethod
    @override
    def type() -> str:
        return "terrarium"

    @property
    @override
    def capabilities(self) -> EnvironmentCapabilities:
        # No host mounts, no network policy but the session's own network, no GPUs, Linux simulators only.
        return EnvironmentCapabilities()

    @classmethod
    @override
    def preflight(cls, kwargs: dict[str, Any] | None = None) -> None:
        """Before any trial is queued: the options are valid and the server answers."""
        options = cls._parse_options_model(TerrariumOptions, kwargs)
        try:
            with Terrarium(base_url=options.url, max_retries=0) as client:
                client.health()
        except TerrariumError as error:
            raise SystemExit(
                f"the terrarium environment needs a Terrarium server: {error}. Pass its URL with --ek url=... "
                "or TERRARIUM_URL"
            ) from None

    @override
    def _validate_definition(self) -> None:
        if self.task_env_config.os != TaskOS.LINUX:
            raise ValueError("Terrarium simulators are Linux containers; the task asks for " + self.os.value)
        self._definition = load_definition(self.environment_dir)

    @property
    def definition(self) -> TerrariumDefinition:
        """The simulator this environment runs, from the task's `environment/terrarium.toml`."""
        if self._definition is None:
            self._definition = load_definition(self.environment_dir)
        return self._definition

    @property
    def session(self) -> AsyncSession:
        """The Terrarium session, once started."""
        if self._session is None:
            raise RuntimeError("the Terrarium environment is not started: call start() first")
        return self._session

    def _running_job(self) -> AsyncEnvironment:
        if self._job is None:
            raise RuntimeError("the Terrarium environment is not started: call start() first")
        return self._job

    @override
    async def start(self, force_build: bool) -> None:
        """Creates the session and waits until the simulator is ready. `force_build` has nothing to build: the
        server builds its simulators' images (`terrarium setup`)."""
        definition = self.definition
        if force_build:
            self.logger.debug("force_build ignored: Terrarium builds its simulators' images itself")
        self._client = AsyncTerrarium(base_url=self.options.url)
        spec = Env.simulator(
            definition.simulator, alias=definition.alias, tag=definition.tag, dataset=definition.dataset
        )
        self._session = await self._client.sessions.create(
            envs=[spec],
            timeout=self.options.ready_timeout_sec,
            heartbeat_timeout=self.options.heartbeat_timeout_sec,
        )
        self._job = self._session.envs[0]
        self.logger.debug(
            "Terrarium session %s at %s: %s (job %s)",
            self._session.session_id,
            self._client.base_url,
            definition.simulator,
            self._job.job_id,
        )
        whoami = await self._job.execute("id -u", timeout=30)
        self._runs_as_root = whoami.exit_code == 0 and whoami.stdout.strip() == "0"
        # Harbor's log and artifact folders, which a mounting provider would bind from the host.
        folders = self._mount_targets(writable_only=True)
        if self.task_env_config.workdir:
            folders.append(self.task_env_config.workdir)
        if folders:
            made = await self.exec(self._ensure_dirs_command(folders), user=self._reset_dirs_user())
            if made.return_code != 0:
                raise RuntimeError(f"could not make {', '.join(map(str, folders))}: {made.stderr or made.stdout}")

    @override
    async def stop(self, delete: bool) -> None:
        """Closes the session (its containers and network go). With `delete=False` it is left open without
        heartbeats, for a look at it; the server closes it after its heartbeat timeout."""
        try:
            if self._session is not None:
                if delete:
                    await self._session.close()
                else:
                    await self._session.stop_heartbeat()
                    self.logger.info(
                        "Terrarium session %s left open (delete=False): the server closes it after its heartbeat "
                        "timeout",
                        self._session.session_id,
                    )
        finally:
            self._session = None
            self._job = None
            if self._client is not None:
                await self._client.close()
                self._client = None

    @override
    async def exec(
        self,
        command: str,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        timeout_sec: int | None = None,
        user: str | int | None = None,
    ) -> ExecResult:
        job = self._running_job()
        resolved = self._resolve_user(user)
        if resolved in ("root", 0) and self._runs_as_root:
            resolved = None  # already root: no su, which a minimal image may lack
        script = shell_command(
            command, cwd=cwd or self.task_env_config.workdir, env=self._merge_env(env), user=resolved
        )
        result = await job.execute(script, timeout=timeout_sec or MAX_EXEC_TIMEOUT)
        if result.exit_code is None and not result.timed_out:
            raise RuntimeError(f"Terrarium could not run the command in {job.alias} ({job.job_id}): {result.error}")
        emit = self._output_callback()
        if emit is not None:
            # Terrarium answers when the command ends: the output goes to Harbor's log callbacks then, whole.
            if result.stdout:
                await emit(result.stdout, "stdout")
            if result.stderr:
                await emit(result.stderr, "stderr")
        return ExecResult(
            stdout=result.stdout,
            stderr=result.stderr,
            return_code=TIMED_OUT_STATUS if result.exit_code is None else result.exit_code,
        )

    async def _transfer(self, command: str, what: str) -> str:
        """A file-transfer command, sent as it is (not through bash or su, whose arguments Linux caps at 128 KiB:
        Terrarium hands a long command to its shell whole); it runs as the container's user, root in the
        simulators. Its stdout, or an error saying `what` failed."""
        result = await self._running_job().execute(command, timeout=TRANSFER_TIMEOUT)
        if result.exit_code != 0:
            output = (result.error or result.stderr or result.stdout).strip()
            raise RuntimeError(f"{what} failed (exit {result.exit_code}): {output}")
        return result.stdout

    async def _write(self, data: bytes, target_path: str) -> None:
        for i, piece in enumerate(upload_chunks(data)):
            encoded = base64.b64encode(piece).decode("ascii")
            await self._transfer(append_command(target_path, encoded, first=i == 0), f"writing {target_path}")

    @override
    async def upload_file(self, source_path: Path | str, target_path: str) -> None:
        await self._write(await asyncio.to_thread(Path(source_path).read_bytes), target_path)

    @override
    async def upload_dir(self, source_dir: Path | str, target_dir: str) -> None:
        archive_path = str(_TRANSFER_DIR / f".terrarium-upload-{uuid.uuid4().hex}.tar.gz")
        await self._write(await asyncio.to_thread(_pack, Path(source_dir)), archive_path)
        await self._transfer(extract_command(archive_path, target_dir), f"unpacking {source_dir} into {target_dir}")

    async def _read(self, source_path: str) -> bytes:
        size = int((await self._transfer(size_command(source_path), f"reading {source_path}")).strip())
        job = self._running_job()
        data = bytearray()
        while len(data) < size:
            piece = await job.execute(
                read_command(source_path, len(data), min(DOWNLOAD_CHUNK, size - len(data))),
                timeout=TRANSFER_TIMEOUT,
                encoding="base64",
            )
            if piece.exit_code != 0 or piece.truncated or not piece.stdout:
                detail = piece.error or piece.stderr.decode(errors="replace").strip() or "no data"
                raise RuntimeError(f"reading {source_path} at byte {len(data)} of {size} failed: {detail}")
            data += piece.stdout
        return bytes(data)

    @override
    async def download_file(self, source_path: str, target_path: Path | str) -> None:
        await asyncio.to_thread(_save, await self._read(source_path), Path(target_path))

    @override
    async def download_dir(self, source_dir: str, target_dir: Path | str) -> None:
        archive_path = str(_TRANSFER_DIR / f".terrarium-download-{uuid.uuid4().hex}.tar.gz")
        try:
            await self._transfer(f"tar -czf {archive_path} -C {shlex.quote(source_dir)} .", f"packing {source_dir}")
            data = await self._read(archive_path)
        finally:
            await self._running_job().execute(f"rm -f -- {archive_path}", timeout=TRANSFER_TIMEOUT)
        await asyncio.to_thread(_unpack, data, Path(target_dir))


def _pack(source: Path) -> bytes:
    """A gzipped tar of the folder's contents (modes kept: a solution's scripts stay executable)."""
    if not source.is_dir():
        raise FileNotFoundError(f"no folder at {source} to upload")
    packed = BytesIO()
    with tarfile.open(fileobj=packed, mode="w:gz") as archive:
        for path in sorted(source.rglob("*")):
            archive.add(path, arcname=path.relative_to(source).as_posix(), recursive=False)
    return packed.getvalue()


def _unpack(data: bytes, target: Path) -> None:
    """Unpacks a gzipped tar made in the environment into `target`, with the filter Harbor's providers use."""
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=BytesIO(data), mode="r:gz") as archive:
        archive.extractall(path=target, filter=transfer_tar_filter)


def _save(data: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
