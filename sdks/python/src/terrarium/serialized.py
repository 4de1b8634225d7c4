"""`SerializedSession`: a session as plain JSON, to drive it again elsewhere with `AsyncSession.load`."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError, field_validator

from .errors import InvalidSessionError

__all__ = ["SerializedEnv", "SerializedSession"]


class SerializedEnv(BaseModel):
    """One environment of a dumped session."""

    job_id: str
    alias: str
    simulator: str | None
    artifact_id: str | None


class SerializedSession(BaseModel):
    """What `session.dump()` answers: the same JSON as the TypeScript SDK's `session.dump()`, so either SDK loads
    what the other dumped. The API key is not part of it: the loading side brings its own.

    Example::

        text = session.dump().model_dump_json()
        again = await AsyncSession.load(SerializedSession.model_validate_json(text))
    """

    version: Literal[1]
    session_id: str
    task_public_id: str | None
    base_url: str
    envs: list[SerializedEnv] = Field(min_length=1)
    heartbeat: bool
    """Whether heartbeats were running when it was dumped; `load` resumes them if so."""

    @field_validator("base_url")
    @classmethod
    def _an_http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not the http(s) URL of a Terrarium server")
        return value

    @classmethod
    def parse(cls, value: SerializedSession | dict[str, Any] | str | bytes) -> SerializedSession:
        """`value` (a `SerializedSession`, its dict, or its JSON) as a `SerializedSession`; an
        `InvalidSessionError` naming the first bad field otherwise.

        Example::

            data = SerializedSession.parse(open("session.json").read())
        """
        if isinstance(value, SerializedSession):
            value = value.model_dump()
        try:
            if isinstance(value, (str, bytes)):
                return cls.model_validate_json(value)
            return cls.model_validate(value)
        except ValidationError as error:
            first = error.errors()[0]
            raise InvalidSessionError(_field(first["loc"]), first["msg"]) from None


def _field(loc: tuple[int | str, ...]) -> str:
    """`("envs", 0, "job_id")` as `envs[0].job_id`, the way the field reads in the JSON."""
    if not loc:
        return "(the whole value)"
    text = ""
    for key in loc:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text
