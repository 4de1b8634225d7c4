"""`Env.simulator(...)` and `Env.artifact(...)`: the environments to start in a session."""

from __future__ import annotations

from typing import Any

from ._wire import ArtifactEnvSpec, SimulatorEnvSpec

__all__ = ["Env"]


class Env:
    """Describes an environment to start in a session.

    Example::

        session = await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")])
    """

    @staticmethod
    def simulator(
        name: str,
        *,
        alias: str | None = None,
        tag: str | None = None,
        dataset: str | None = None,
        heartbeat_timeout: int | None = None,
    ) -> SimulatorEnvSpec:
        """An environment from a simulator's image (`tag` default `latest`), of one of its datasets (variants of its
        seed data, default `base`; `client.simulators.list()` shows each simulator's `datasets`). `alias` names it
        in the session (and on the session's network); `heartbeat_timeout` is the seconds without heartbeats
        before the server closes it (0 never, default 300).

        Example::

            Env.simulator("fossil", alias="forge", tag="triaged")
            Env.simulator("fossil", dataset="blank")  # an empty repository: no tickets, no wiki pages
        """
        # Not validated here: the server checks every field and answers a 400 naming the bad one.
        return SimulatorEnvSpec.model_construct(
            type="simulator",
            simulator=name,
            **_given(alias=alias, tag=tag, dataset=dataset, heartbeat_timeout=heartbeat_timeout),
        )

    @staticmethod
    def artifact(
        artifact_id: str,
        *,
        alias: str | None = None,
        restore_memory: bool | None = None,
        heartbeat_timeout: int | None = None,
    ) -> ArtifactEnvSpec:
        """An environment from a snapshot (artifact): its memory resumed when it has one, unless
        `restore_memory=False` (then it boots fresh from the artifact's disk).

        Example::

            Env.artifact("a_0123456789ab", alias="restored", restore_memory=False)
        """
        return ArtifactEnvSpec.model_construct(
            type="artifact",
            artifact_id=artifact_id,
            **_given(alias=alias, restore_memory=restore_memory, heartbeat_timeout=heartbeat_timeout),
        )


def _given(**options: Any) -> dict[str, Any]:
    """The options given, so that the server's defaults apply to the rest."""
    return {key: value for key, value in options.items() if value is not None}
