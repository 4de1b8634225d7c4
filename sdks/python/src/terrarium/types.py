"""The typed answers of the API: pydantic models generated from the server's OpenAPI document (`_wire`), under
the names `packages/wire` gives them, plus what the SDK adds (`BinaryExecuteResult`).

Session operations answer per job id: `(await session.execute("ls")).results[job_id].stdout`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ._wire import (
    Account,
    Artifact,
    ArtifactDetails,
    ArtifactEnvSpec,
    CalibrationReport,
    CheckResult,
    DbState,
    DiskSnapshotResponse,
    DiskSnapshotResult,
    EnvState,
    EvaluationResult,
    ExecuteResponse,
    ExecuteResult,
    FileChange,
    Health,
    JobDetails,
    JobOutcome,
    JobState,
    LoginFlow,
    LoginPlan,
    MadeEnv,
    OutcomeResponse,
    PublicUrl,
    Readiness,
    RowChange,
    SessionDetails,
    SimulatorEnvSpec,
    SimulatorInfo,
    SnapshotResponse,
    SnapshotResult,
    StateResponse,
    Task,
    TaskList,
    TaskSummary,
    WaitForReadyResponse,
)

__all__ = [
    "Account",
    "Artifact",
    "ArtifactDetails",
    "ArtifactEnvSpec",
    "BinaryExecuteResponse",
    "BinaryExecuteResult",
    "CalibrationReport",
    "CheckResult",
    "DbState",
    "DiskSnapshotResponse",
    "DiskSnapshotResult",
    "EnvSpec",
    "EnvState",
    "EvaluationResult",
    "ExecuteResponse",
    "ExecuteResult",
    "FileChange",
    "Health",
    "JobDetails",
    "JobOutcome",
    "JobState",
    "LoginFlow",
    "LoginPlan",
    "MadeEnv",
    "OutcomeResponse",
    "PublicUrl",
    "Readiness",
    "RowChange",
    "SessionDetails",
    "SimulatorEnvSpec",
    "SimulatorInfo",
    "SnapshotResponse",
    "SnapshotResult",
    "StateResponse",
    "Task",
    "TaskList",
    "TaskSummary",
    "WaitForReadyResponse",
]

EnvSpec = SimulatorEnvSpec | ArtifactEnvSpec
"""An environment to start in a session: `Env.simulator(...)` or `Env.artifact(...)`."""


class BinaryExecuteResult(BaseModel):
    """`execute(..., encoding="base64")`: an `ExecuteResult` whose `stdout` and `stderr` are the exact bytes."""

    model_config = ConfigDict(extra="allow")

    stdout: bytes
    stderr: bytes
    exit_code: int | None
    """None when the command was killed by its timeout or could not run (see `error`)."""
    timed_out: bool
    truncated: bool
    """Output beyond the server's limit (4 MiB per stream) was cut."""
    stdout_lossy: bool
    stderr_lossy: bool
    error: str | None = None
    """Why the command could not run in this environment at all."""


class BinaryExecuteResponse(BaseModel):
    """Per job id, a `BinaryExecuteResult`."""

    results: dict[str, BinaryExecuteResult]
