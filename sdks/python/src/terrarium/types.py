"""The typed answers of the API: pydantic models generated from the server's OpenAPI document (`_wire`), under
the names `packages/wire` gives them, plus what the SDK adds (`BinaryExecuteResult`, `WaitForReadyResponse`).

Session operations answer per job id: `(await session.execute("ls")).results[job_id].stdout`; an environment's
answer its own result: `(await env.execute("ls")).stdout`.
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
    CloseAnswer,
    DbState,
    DiskSnapshotAnswer,
    DiskSnapshotResult,
    EnvironmentContext,
    EnvState,
    EvaluationAnswer,
    ExecuteAnswer,
    FileChange,
    Health,
    HeartbeatAnswer,
    JobDetails,
    JobExecuteResult,
    JobInfo,
    JobOutcome,
    JobReadiness,
    JobStateResult,
    LoginFlow,
    LoginPlan,
    MadeEnv,
    Mutation,
    OutcomeResponse,
    PublicUrl,
    PublishedFrom,
    RemoveJobResponse,
    ResetAnswer,
    RowChange,
    SessionContext,
    SessionDetails,
    SessionEvent,
    SessionLogs,
    SetDateAnswer,
    SetDateResult,
    SimulatorDataset,
    SimulatorEnvSpec,
    SimulatorInfo,
    SnapshotAnswer,
    SnapshotResult,
    StateAnswer,
    Task,
    TaskList,
    TaskSummary,
    WaitForReadyAnswer,
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
    "CloseAnswer",
    "DbState",
    "DiskSnapshotAnswer",
    "DiskSnapshotResult",
    "EnvSpec",
    "EnvState",
    "EnvironmentContext",
    "EvaluationAnswer",
    "ExecuteAnswer",
    "FileChange",
    "Health",
    "HeartbeatAnswer",
    "JobDetails",
    "JobExecuteResult",
    "JobInfo",
    "JobOutcome",
    "JobReadiness",
    "JobStateResult",
    "LoginFlow",
    "LoginPlan",
    "MadeEnv",
    "Mutation",
    "OutcomeResponse",
    "PublicUrl",
    "PublishedFrom",
    "RemoveJobResponse",
    "ResetAnswer",
    "RowChange",
    "SessionContext",
    "SessionDetails",
    "SessionEvent",
    "SessionLogs",
    "SetDateAnswer",
    "SetDateResult",
    "SimulatorDataset",
    "SimulatorEnvSpec",
    "SimulatorInfo",
    "SnapshotAnswer",
    "SnapshotResult",
    "StateAnswer",
    "Task",
    "TaskList",
    "TaskSummary",
    "WaitForReadyAnswer",
    "WaitForReadyResponse",
]

EnvSpec = SimulatorEnvSpec | ArtifactEnvSpec
"""An environment to start in a session: `Env.simulator(...)` or `Env.artifact(...)`."""


class BinaryExecuteResult(BaseModel):
    """`execute(..., encoding="base64")`: a `JobExecuteResult` whose `stdout` and `stderr` are the exact bytes."""

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
    success: bool
    """The command ran to its end and exited 0."""


class BinaryExecuteResponse(BaseModel):
    """`session.execute(..., encoding="base64")`: per job id, a `BinaryExecuteResult`."""

    session_id: str
    results: dict[str, BinaryExecuteResult]


class WaitForReadyResponse(BaseModel):
    """`env.wait_for_ready()`: whether the environment is ready, and its `JobReadiness` under its job id, as a
    session's `WaitForReadyAnswer` has it (which adds the session's `status` and `context`)."""

    ready: bool
    results: dict[str, JobReadiness]
