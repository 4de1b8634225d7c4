"""The operations a session and one of its environments share, on `/api/v2/sessions/{id}/...` or
`/api/v2/jobs/{id}/...`: both answer per job id."""

from __future__ import annotations

import base64
from typing import Any

from ._http import Http
from ._wire import (
    DiskSnapshotResponse,
    ExecuteResponse,
    LoginPlanResponse,
    OutcomeResponse,
    PublicUrlResponse,
    SnapshotResponse,
    StateResponse,
    WaitForReadyResponse,
)
from .errors import ConflictError
from .types import BinaryExecuteResponse, BinaryExecuteResult

DEFAULT_WAIT_TIMEOUT = 120.0
DEFAULT_EXECUTE_TIMEOUT = 30.0
# Slack on top of a server-side wait (a command, a readiness wait) before the client gives up.
SLACK = 30.0


class Operations:
    def __init__(self, http: Http, base: str) -> None:
        self.http = http
        self.base = base  # e.g. api/v2/sessions/s_0123456789ab

    async def wait_for_ready(self, timeout: float | None) -> WaitForReadyResponse:
        wait = DEFAULT_WAIT_TIMEOUT if timeout is None else timeout
        return await self.http.parse(
            WaitForReadyResponse,
            "GET",
            f"{self.base}/wait_for_ready",
            query={"timeout": wait},
            idempotent=True,
            timeout=wait + SLACK,
        )

    async def execute(self, command: str, timeout: float | None) -> ExecuteResponse:
        """Never retried: a command may have run even when its answer was lost."""
        limit = DEFAULT_EXECUTE_TIMEOUT if timeout is None else timeout
        return await self.http.parse(
            ExecuteResponse,
            "POST",
            f"{self.base}/execute",
            body={"command": command, "timeout": limit},
            timeout=limit + SLACK,
        )

    async def execute_binary(self, command: str, timeout: float | None) -> BinaryExecuteResponse:
        limit = DEFAULT_EXECUTE_TIMEOUT if timeout is None else timeout
        answer = await self.http.parse(
            ExecuteResponse,
            "POST",
            f"{self.base}/execute",
            body={"command": command, "timeout": limit, "encoding": "base64"},
            timeout=limit + SLACK,
        )
        return BinaryExecuteResponse(
            results={
                job: BinaryExecuteResult.model_validate(
                    {**r.model_dump(), "stdout": base64.b64decode(r.stdout), "stderr": base64.b64decode(r.stderr)}
                )
                for job, r in answer.results.items()
            }
        )

    async def outcome(self, op: str, timeout: float | None = None) -> OutcomeResponse:
        """reset and heartbeat: each answers `{success}` per job, and may be sent again."""
        return await self.http.parse(OutcomeResponse, "POST", f"{self.base}/{op}", idempotent=True, timeout=timeout)

    async def close(self) -> OutcomeResponse:
        """Closes; "already closed" (409) counts as done, which also makes a retry after a lost answer safe.
        Answers no results then: nothing was closed by this call."""
        try:
            return await self.http.parse(OutcomeResponse, "POST", f"{self.base}/close", idempotent=True)
        except ConflictError:
            return OutcomeResponse(results={})

    async def snapshot(self) -> SnapshotResponse:
        """Not retried: each call makes new artifacts."""
        return await self.http.parse(SnapshotResponse, "POST", f"{self.base}/snapshot")

    async def disk_snapshot(self, override_service: str | None, override_version: str | None) -> DiskSnapshotResponse:
        body: dict[str, Any] = {}
        if override_service is not None:
            body["override_service"] = override_service
        if override_version is not None:
            body["override_version"] = override_version
        return await self.http.parse(DiskSnapshotResponse, "POST", f"{self.base}/disk_snapshot", body=body)

    async def state(self, merge_mutations: bool, noise: bool) -> StateResponse:
        return await self.http.parse(
            StateResponse,
            "GET",
            f"{self.base}/state",
            query={"merge_mutations": merge_mutations, "noise": noise},
            idempotent=True,
        )

    async def public_urls(self, port: int | None) -> PublicUrlResponse:
        return await self.http.parse(
            PublicUrlResponse, "GET", f"{self.base}/public_url", query={"port": port}, idempotent=True
        )

    async def login_plans(self) -> LoginPlanResponse:
        return await self.http.parse(LoginPlanResponse, "GET", f"{self.base}/login", idempotent=True)
