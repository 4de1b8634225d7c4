"""Each failure kind is its own exception class, carrying the server's message."""

from __future__ import annotations

import contextlib
import socket

import anyio
import pytest

from terrarium import (
    ApiError,
    AsyncSession,
    AsyncTerrarium,
    BadRequestError,
    ConflictError,
    ConnectionError,
    Env,
    EnvironmentError,
    GatewayTimeoutError,
    InternalServerError,
    NotFoundError,
    TerrariumError,
    TimeoutError,
)

from support import Server

pytestmark = pytest.mark.anyio


async def test_unknown_simulator_is_a_not_found_error_listing_the_known_ones(client: AsyncTerrarium) -> None:
    with pytest.raises(NotFoundError) as caught:
        await client.sessions.create(envs=[Env.simulator("gitea")])
    assert caught.value.status == 404
    assert caught.value.code == "not_found"
    assert caught.value.request_id is not None and caught.value.request_id.startswith("req_")
    assert 'unknown simulator "gitea"' in str(caught.value)
    assert "fossil" in str(caught.value)


async def test_duplicate_alias_is_a_bad_request_naming_it(client: AsyncTerrarium) -> None:
    with pytest.raises(BadRequestError, match='duplicate alias "same"') as caught:
        await client.sessions.create(
            envs=[Env.simulator("fossil", alias="same"), Env.simulator("fossil", alias="same")]
        )
    assert caught.value.status == 400
    with pytest.raises(BadRequestError, match=r"alias"):
        await client.sessions.create(envs=[Env.simulator("fossil", alias="Bad Alias!")])


async def test_unknown_session_is_a_not_found_error(client: AsyncTerrarium) -> None:
    with pytest.raises(NotFoundError, match='unknown session "s_nothere00000"'):
        await client.sessions.retrieve("s_nothere00000")


async def test_a_closed_session_answers_conflict_with_when_and_why(client: AsyncTerrarium) -> None:
    session = await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")])
    forge = session.get_env("forge")
    assert forge is not None
    await session.close()
    with pytest.raises(ConflictError, match=r"closed \(closed at \d{4}-\d\d-\d\dT") as caught:
        await forge.execute("true")
    assert caught.value.status == 409
    assert caught.value.details is not None
    closed_at = caught.value.details["closed_at"]
    with pytest.raises(ConflictError):
        await session.reset()
    # Closing is safe to repeat, by id too: success again, saying since when.
    again = await client.sessions.close(session.session_id)
    assert again.success and again.message == f'session "{session.session_id}" was already closed'
    assert again.results[forge.job_id].message == f"already closed (closed at {closed_at})"
    assert (await session.close()).results[forge.job_id].success


async def test_a_call_slower_than_the_client_timeout_is_a_timeout_error(client: AsyncTerrarium, server: Server) -> None:
    session = await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")])
    try:
        impatient = AsyncTerrarium(base_url=server.url, timeout=0.05)
        try:
            # A reset boots a fresh environment (no warm pool here): far longer than 50 ms.
            loaded = await AsyncSession.load(session.dump(), client=impatient, heartbeat=False)
            with pytest.raises(TimeoutError, match=r"POST /api/v2/sessions/s_\w+/reset took longer than 0.05 s"):
                await loaded.reset()
        finally:
            await impatient.close()
        # The server goes on with the reset. A wait during a reset does not wait for it: it answers at once
        # with the replaced container's exit, or a 500 when it looks the container up just as it is removed
        # (a server race, reported). So ask again until the new environment is ready.
        for _ in range(120):
            with contextlib.suppress(InternalServerError):
                if (await session.wait_for_ready(timeout=60)).ready:
                    break
            await anyio.sleep(1)
        assert (await session.execute("true")).results[session.envs[0].job_id].exit_code == 0
    finally:
        await session.close()


async def test_an_unreachable_server_is_a_connection_error_naming_it() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = AsyncTerrarium(base_url=f"http://127.0.0.1:{port}", max_retries=1)
    try:
        with pytest.raises(ConnectionError, match=rf"cannot reach the Terrarium server at http://127.0.0.1:{port}"):
            await client.health()
    finally:
        await client.close()


async def test_a_bad_server_url_is_refused_at_once() -> None:
    with pytest.raises(TerrariumError, match=r'"localhost:7350" is not an http\(s\) URL \(from base_url\)'):
        AsyncTerrarium(base_url="localhost:7350")


def test_the_hierarchy() -> None:
    gateway = GatewayTimeoutError(504, "timeout", "slow")
    assert isinstance(gateway, ApiError) and isinstance(gateway, TimeoutError)
    assert not isinstance(NotFoundError(404, "not_found", "x"), TimeoutError)
    assert not isinstance(TimeoutError("client-side"), ApiError)
    for cls in (ApiError, ConnectionError, TimeoutError):
        assert issubclass(cls, TerrariumError)


async def test_an_environment_not_ready_in_time_closes_the_session_with_an_environment_error(
    client: AsyncTerrarium,
) -> None:
    # No environment boots in a millisecond: the server answers it not ready, and create gives up on it.
    with pytest.raises(EnvironmentError, match=r"session s_\w+ could not start, so it was closed; forge: ") as caught:
        await client.sessions.create(envs=[Env.simulator("fossil", alias="forge")], timeout=0.001)
    assert set(caught.value.failures) == {"forge"}
    assert caught.value.session_id is not None
    assert (await client.sessions.retrieve(caught.value.session_id)).status == "closed"
