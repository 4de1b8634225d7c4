"""Every error the SDK raises derives from `TerrariumError`, so one `except` catches them all.

Example::

    try:
        await client.sessions.retrieve("s_000000000000")
    except NotFoundError as error:
        print(error.status, error.code, error)  # 404 not_found unknown session "s_000000000000"
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "CaptureError",
    "ConflictError",
    "ConnectionError",
    "EnvironmentError",
    "GatewayTimeoutError",
    "InternalServerError",
    "InvalidSessionError",
    "LoginError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "ServiceUnavailableError",
    "TerrariumError",
    "TimeoutError",
]


class TerrariumError(Exception):
    """Base of every error of the SDK; `str(error)` is its message (the server's, for an `ApiError`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiError(TerrariumError):
    """The server answered an error status: `status`, its `code` (`bad_request`, `not_found`...), the server's
    message, `request_id` (find it in the server's log) and `details` (structured facts, when given).

    Example::

        except ApiError as error:
            print(error.status, error.code, error.request_id)
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details = details
        # Seconds the server asked to wait before trying again (Retry-After), when it did.
        self.retry_after: float | None = None


class BadRequestError(ApiError):
    """400: the request was malformed; the message names the field (or, say, the duplicate alias)."""


class AuthenticationError(ApiError):
    """401: missing or unknown API key: set `TERRARIUM_API_KEY` or pass `api_key=`."""


class NotFoundError(ApiError):
    """404: unknown session, job, simulator, artifact or task."""


class MethodNotAllowedError(ApiError):
    """405: a known route asked with the wrong method (an SDK older or newer than the server)."""


class ConflictError(ApiError):
    """409: the operation does not fit the current state, e.g. the session is closed (the message says when
    and why)."""


class PayloadTooLargeError(ApiError):
    """413: the request body is over the server's limit (16 MiB), e.g. a huge command."""


class ServiceUnavailableError(ApiError):
    """503: the server cannot do it now (Podman or the environment is unreachable); idempotent calls retry first."""


class InternalServerError(ApiError):
    """A 5xx other than 503 and 504: a fault of the server; `request_id` finds it in the server's log."""


class TimeoutError(TerrariumError):
    """The call took longer than its timeout: the client's own (this class) or a 504 from the server
    (`GatewayTimeoutError`, a subclass).

    Example::

        except TimeoutError:
            ...  # the server may still be doing it: check with session.details()
    """


class GatewayTimeoutError(ApiError, TimeoutError):
    """504: the server gave up waiting. Both an `ApiError` (status, code, request_id) and a `TimeoutError`."""


class ConnectionError(TerrariumError):
    """The server could not be reached at all; the message names the URL."""


class EnvironmentError(TerrariumError):
    """Environments could not start or become ready: those of a new session (`sessions.create`, `session.wait()`),
    which was then closed, or one `session.add_env` added, which was then removed (the session staying as it was).
    `failures` maps each failing alias to the server's message; `session_id` is the session.

    Example::

        except EnvironmentError as error:
            for alias, why in error.failures.items():
                print(alias, why)
    """

    def __init__(self, message: str, failures: dict[str, str], session_id: str | None = None) -> None:
        super().__init__(message)
        self.failures = failures
        self.session_id = session_id


class CaptureError(TerrariumError):
    """An environment's state could not be captured; the message says why."""


class InvalidSessionError(TerrariumError):
    """What was given to `AsyncSession.load` is not a dumped session, or does not match the session on the
    server. `field` names the first bad field, e.g. `envs[0].job_id`."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"not a dumped session: {field}: {problem}; pass what session.dump() returned")
        self.field = field


class LoginError(TerrariumError):
    """A browser login step failed: names the environment, the step and what the page showed, and where its
    screenshot is. The password never appears in it."""

    def __init__(
        self,
        alias: str,
        step_index: int,
        step: str,
        url: str,
        text: str,
        screenshot: str | None,
        cause: BaseException,
    ) -> None:
        first_line = str(cause).split("\n")[0]
        shot = f"; screenshot: {screenshot}" if screenshot else ""
        super().__init__(
            f'login to "{alias}" failed at step {step_index} ({step}): {first_line}; '
            f'the page was {url} showing "{text}"{shot}'
        )
        self.alias = alias
        self.step_index = step_index
        self.step = step
        self.url = url
        self.text = text
        self.screenshot = screenshot


def api_error_for(
    status: int,
    code: str,
    message: str,
    request_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> ApiError:
    """The error class of an HTTP error status."""
    cls: type[ApiError]
    if status == 400:
        cls = BadRequestError
    elif status == 401:
        cls = AuthenticationError
    elif status == 404:
        cls = NotFoundError
    elif status == 405:
        cls = MethodNotAllowedError
    elif status == 409:
        cls = ConflictError
    elif status == 413:
        cls = PayloadTooLargeError
    elif status == 503:
        cls = ServiceUnavailableError
    elif status == 504:
        cls = GatewayTimeoutError
    elif status >= 500:
        cls = InternalServerError
    else:
        cls = ApiError
    return cls(status, code, message, request_id, details)
