"""The operations a session and one of its environments share, on `/api/v2/sessions/{id}/...` or
`/api/v2/jobs/{id}/...`. A session answers per job id, with its own id at the top; a job answers its bare result,
as Plato's do. So each call takes the model its caller reads the answer as: a session's answer or a job's."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any, TypeVar

from pydantic import BaseModel

from ._http import Http
from ._wire import JobExecuteResult
from .types import BinaryExecuteResult

Answer = TypeVar("Answer", bound=BaseModel)

DEFAULT_WAIT_TIMEOUT = 120.0
# The longest readiness wait the server takes in one request (wait_for_ready's and make's `timeout`).
MAX_SERVER_WAIT = 3600.0
DEFAULT_EXECUTE_TIMEOUT = 30.0
DEFAULT_SET_DATE_TIMEOUT = 30
# Slack on top of a server-side wait (a command, a readiness wait, a clock move) before the client gives up.
SLACK = 30.0


class Operations:
    def __init__(self, http: Http, base: str) -> None:
        self.http = http
        self.base = base  # e.g. api/v2/sessions/s_0123456789ab

    async def wait_for_ready(self, model: type[Answer], timeout: float | None) -> Answer:
        wait = DEFAULT_WAIT_TIMEOUT if timeout is None else timeout
        return await self.http.parse(
            model,
            "GET",
            f"{self.base}/wait_for_ready",
            query={"timeout": wait},
            idempotent=True,
            timeout=wait + SLACK,
        )

    async def execute(self, model: type[Answer], command: str, timeout: float | None, binary: bool = False) -> Answer:
        """Never retried: a command may have run even when its answer was lost. `binary` asks for base64 output
        (see `binary_result`)."""
        limit = DEFAULT_EXECUTE_TIMEOUT if timeout is None else timeout
        body: dict[str, Any] = {"command": command, "timeout": limit}
        if binary:
            body["encoding"] = "base64"
        return await self.http.parse(model, "POST", f"{self.base}/execute", body=body, timeout=limit + SLACK)

    async def outcome(self, model: type[Answer], op: str, timeout: float | None = None) -> Answer:
        """reset, heartbeat and close: each answers `{success}` per job, and may be sent again (a closed session or
        job answers success again, its message saying since when it is closed)."""
        return await self.http.parse(model, "POST", f"{self.base}/{op}", idempotent=True, timeout=timeout)

    async def snapshot(self, model: type[Answer]) -> Answer:
        """Not retried: each call makes new artifacts."""
        return await self.http.parse(model, "POST", f"{self.base}/snapshot")

    async def disk_snapshot(
        self,
        model: type[Answer],
        override_service: str | None,
        override_version: str | None,
        override_dataset: str | None,
    ) -> Answer:
        given = {
            "override_service": override_service,
            "override_version": override_version,
            "override_dataset": override_dataset,
        }
        body = {key: value for key, value in given.items() if value is not None}
        return await self.http.parse(model, "POST", f"{self.base}/disk_snapshot", body=body)

    async def state(self, model: type[Answer], merge_mutations: bool, noise: bool) -> Answer:
        return await self.http.parse(
            model,
            "GET",
            f"{self.base}/state",
            query={"merge_mutations": merge_mutations, "noise": noise},
            idempotent=True,
        )

    async def public_urls(self, model: type[Answer], port: int | None) -> Answer:
        return await self.http.parse(model, "GET", f"{self.base}/public_url", query={"port": port}, idempotent=True)

    async def login_plans(self, model: type[Answer]) -> Answer:
        return await self.http.parse(model, "GET", f"{self.base}/login", idempotent=True)

    async def set_date(self, model: type[Answer], date: datetime | str, timeout: int | None) -> Answer:
        """Safe to send again: the same date is set again."""
        limit = DEFAULT_SET_DATE_TIMEOUT if timeout is None else timeout
        return await self.http.parse(
            model,
            "POST",
            f"{self.base}/set_date",
            body={"datetime": wire_date(date), "timeout": limit},
            idempotent=True,
            timeout=limit + SLACK,
        )


def binary_result(result: JobExecuteResult) -> BinaryExecuteResult:
    """A result of `execute(..., encoding="base64")` with its output decoded to the exact bytes."""
    return BinaryExecuteResult.model_validate(
        {**result.model_dump(), "stdout": base64.b64decode(result.stdout), "stderr": base64.b64decode(result.stderr)}
    )


def wire_date(date: datetime | str) -> str:
    """The date as the server reads it: an aware datetime in UTC, a naive one as it is (the server takes a date
    without an offset as UTC, as environments run on UTC), a string as it is (the server checks it)."""
    if isinstance(date, str):
        return date
    if not isinstance(date, datetime):
        raise TypeError(f"set_date takes a datetime or an ISO 8601 string (2031-05-04T10:00:00Z), not {date!r}")
    if date.tzinfo is not None:
        return date.astimezone(timezone.utc).replace(tzinfo=None).isoformat() + "Z"
    return date.isoformat()
