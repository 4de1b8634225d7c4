"""JSON over httpx with the API key, timeouts, retries with backoff and typed errors."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import random
import time
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from .errors import ApiError, ConnectionError, TerrariumError, TimeoutError, api_error_for

Model = TypeVar("Model", bound=BaseModel)

RETRY_STATUSES = frozenset({502, 503, 504})
# A server's Retry-After is honoured up to this long; beyond, the usual backoff applies.
MAX_RETRY_AFTER = 60.0
USER_AGENT = "terrarium-sdk-python/0.1.0"


class Http:
    """One server's HTTP client. Idempotent calls are retried on connection errors and 502/503/504."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float, max_retries: int) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        headers = {"accept": "application/json", "user-agent": USER_AGENT}
        if api_key:
            headers["x-api-key"] = api_key
        self.headers = headers
        # No timeout of its own: each request gets its whole duration as a deadline below.
        self._client = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=None)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str | int | float | bool | None] | None = None,
        body: Any = None,
        idempotent: bool = False,
        timeout: float | None = None,
    ) -> Any:
        """The answer's JSON (None for an empty body); an `ApiError` subclass for an error status."""
        attempts = self.max_retries + 1 if idempotent else 1
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        for attempt in range(1, attempts + 1):
            try:
                return await self._once(method, path, params, body, self.timeout if timeout is None else timeout)
            except TerrariumError as error:
                server = error if isinstance(error, ApiError) else None
                retryable = isinstance(error, ConnectionError) or (
                    server is not None and server.status in RETRY_STATUSES
                )
                if not retryable or attempt >= attempts:
                    raise
                await asyncio.sleep(backoff(attempt, server.retry_after if server else None))
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def parse(self, model: type[Model], method: str, path: str, **options: Any) -> Model:
        """The answer read as `model`; a `TerrariumError` naming the route when it does not fit."""
        value = await self.request(method, path, **options)
        try:
            return model.model_validate(value)
        except ValidationError as error:
            raise TerrariumError(
                f"{method} /{path} answered what this SDK cannot read as {model.__name__} ({error.errors()[0]}); "
                "is the SDK older than the server? Update terrarium-sdk"
            ) from error

    async def _once(self, method: str, path: str, params: dict[str, str], body: Any, timeout: float) -> Any:
        where = f"{method} /{path}"
        content = None if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json"} if content is not None else None
        try:
            # A deadline for the whole exchange: httpx's own timeouts are per read, so a server that
            # trickles bytes would never time out.
            response = await asyncio.wait_for(
                self._client.request(method, path, params=params, content=content, headers=headers), timeout
            )
        except (asyncio.TimeoutError, httpx.TimeoutException) as error:
            raise TimeoutError(f"{where} took longer than {timeout:g} s") from error
        except httpx.TransportError as error:
            raise ConnectionError(
                f"cannot reach the Terrarium server at {self.base_url} ({describe(error)}); is it running? "
                "`terrarium up` starts one"
            ) from error
        text = response.text
        if response.is_error:
            raise self._error(response.status_code, text, where, response.headers.get("retry-after"))
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise TerrariumError(
                f"{where} answered {response.status_code} with a body that is not JSON: {text[:200]}"
            ) from None

    @staticmethod
    def _error(status: int, text: str, where: str, retry_after: str | None) -> ApiError:
        # Open to error codes this SDK does not know yet: a newer server must still give its message.
        fields: Any = None
        with contextlib.suppress(ValueError, AttributeError):
            fields = json.loads(text).get("error")
        if isinstance(fields, dict) and isinstance(fields.get("code"), str) and isinstance(fields.get("message"), str):
            details = fields.get("details")
            error = api_error_for(
                status,
                fields["code"],
                fields["message"],
                fields.get("request_id") if isinstance(fields.get("request_id"), str) else None,
                details if isinstance(details, dict) else None,
            )
        else:
            error = api_error_for(status, "http_error", f"{where} answered {status}: {text[:200]}")
        error.retry_after = retry_after_seconds(retry_after)
        return error


def _query_value(value: str | int | float | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def describe(error: httpx.TransportError) -> str:
    cause = error.__cause__ or error.__context__
    return str(cause or error) or type(error).__name__


def retry_after_seconds(header: str | None) -> float | None:
    """`Retry-After` in seconds or as an HTTP date, when it asks for at most a minute."""
    if not header:
        return None
    header = header.strip()
    try:
        seconds = float(header)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(header).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return seconds if 0 <= seconds <= MAX_RETRY_AFTER else None


def backoff(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter: about 0.5 s, 1 s, 2 s... at most 8 s."""
    if retry_after is not None:
        return retry_after
    return float(min(8.0, 0.5 * 2 ** (attempt - 1)) * (0.75 + random.random() * 0.5))
