"""The Python side of bench/src/sdk-python.ts: times one call at a time of the Python SDK (`AsyncTerrarium` and the
sync `Terrarium`) and of a bare httpx client making the same request, as the benchmark asks.

Run by the benchmark with the repository's .venv-python interpreter (`scripts/python-sdk.sh` makes it), talking
JSON lines: the first line on stdin is `{"targets": {"real": url, "replay": url}, "session": <dumped session>}`;
each next one `{"target", "client", "op"}` (client: sdk-async, raw-async, sdk-sync, raw-sync; op: create, execute,
reset, get_state) is answered on stdout with `{"ms": ...}`, the call's time measured here, or `{"error": ...}`.
It stops at the end of stdin. The sessions of `execute`, `reset` and `get_state` are the dumped one (the same
environment for every client of both languages); `create` makes a fossil session and closes it after the clock
stopped.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

import terrarium
from terrarium import AsyncSession, AsyncTerrarium, Env, Session, Terrarium
from terrarium._http import USER_AGENT

# What the SDKs send, sent as they send it (`Env.simulator("fossil", alias="forge")`, a 120 s readiness wait,
# a 30 s command timeout, state with mutations merged and noise kept).
MAKE = {"type": "envs", "envs": [{"type": "simulator", "simulator": "fossil", "alias": "forge"}], "timeout": 120.0}
EXECUTE = {"command": "true", "timeout": 30.0}
STATE_QUERY = {"merge_mutations": "true", "noise": "true"}
HEADERS = {"accept": "application/json", "user-agent": USER_AGENT}
JSON_BODY = {**HEADERS, "content-type": "application/json"}


def answer(response: httpx.Response) -> Any:
    """What any bare client does with an answer: check the status, decode the JSON."""
    if response.is_error:
        raise RuntimeError(f"{response.request.method} {response.request.url.path} answered {response.status_code}")
    return json.loads(response.text)


class Target:
    """The four clients of one server, and the dumped session loaded into the SDK's two."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sdk_async = AsyncTerrarium(base_url=url)
        self.sdk_sync = Terrarium(base_url=url)
        self.raw_async = httpx.AsyncClient(base_url=url, timeout=None)
        self.raw_sync = httpx.Client(base_url=url, timeout=None)
        self.session_async: AsyncSession
        self.session_sync: Session
        self.base = ""

    async def load(self, dumped: dict[str, Any]) -> None:
        # No heartbeats of their own: the benchmark's TypeScript side keeps the session alive.
        self.session_async = await AsyncSession.load(dumped, client=self.sdk_async, heartbeat=False)
        self.session_sync = Session.load(dumped, client=self.sdk_sync, heartbeat=False)
        self.base = f"api/v2/sessions/{dumped['session_id']}"

    def calls(self) -> dict[tuple[str, str], Callable[[], Awaitable[Any]]]:
        """The timed call of each (client, op); a create's close comes after it, untimed."""
        sync = self.sdk_sync
        base = self.base

        async def sdk_async_create() -> Callable[[], Any]:
            session = await self.sdk_async.sessions.create(envs=[Env.simulator("fossil", alias="forge")])
            return session.close

        async def raw_async_create() -> Callable[[], Any]:
            made = await self.raw_async.post("api/v2/sessions/make", content=json.dumps(MAKE), headers=JSON_BODY)
            close = f"api/v2/sessions/{answer(made)['session_id']}/close"

            async def closing() -> None:
                answer(await self.raw_async.post(close, headers=HEADERS))

            return closing

        async def sdk_sync_create() -> Callable[[], Any]:
            return sync.sessions.create(envs=[Env.simulator("fossil", alias="forge")]).close

        async def raw_sync_create() -> Callable[[], Any]:
            made = self.raw_sync.post("api/v2/sessions/make", content=json.dumps(MAKE), headers=JSON_BODY)
            close = f"api/v2/sessions/{answer(made)['session_id']}/close"
            return lambda: answer(self.raw_sync.post(close, headers=HEADERS))

        async def raw_async_execute() -> Any:
            return answer(await self.raw_async.post(f"{base}/execute", content=json.dumps(EXECUTE), headers=JSON_BODY))

        async def raw_async_reset() -> Any:
            return answer(await self.raw_async.post(f"{base}/reset", headers=HEADERS))

        async def raw_async_state() -> Any:
            return answer(await self.raw_async.get(f"{base}/state", params=STATE_QUERY, headers=HEADERS))

        def now(call: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
            """A sync call, run on this thread (as a sync program runs it) inside the coroutine that times it."""

            async def run() -> Any:
                return call()

            return run

        return {
            ("sdk-async", "create"): sdk_async_create,
            ("raw-async", "create"): raw_async_create,
            ("sdk-sync", "create"): sdk_sync_create,
            ("raw-sync", "create"): raw_sync_create,
            ("sdk-async", "execute"): lambda: self.session_async.execute("true"),
            ("raw-async", "execute"): raw_async_execute,
            ("sdk-sync", "execute"): now(lambda: self.session_sync.execute("true")),
            ("raw-sync", "execute"): now(
                lambda: answer(self.raw_sync.post(f"{base}/execute", content=json.dumps(EXECUTE), headers=JSON_BODY))
            ),
            ("sdk-async", "reset"): self.session_async.reset,
            ("raw-async", "reset"): raw_async_reset,
            ("sdk-sync", "reset"): now(self.session_sync.reset),
            ("raw-sync", "reset"): now(lambda: answer(self.raw_sync.post(f"{base}/reset", headers=HEADERS))),
            ("sdk-async", "get_state"): self.session_async.get_state,
            ("raw-async", "get_state"): raw_async_state,
            ("sdk-sync", "get_state"): now(self.session_sync.get_state),
            ("raw-sync", "get_state"): now(
                lambda: answer(self.raw_sync.get(f"{base}/state", params=STATE_QUERY, headers=HEADERS))
            ),
        }

    async def close(self) -> None:
        await self.sdk_async.close()
        await self.raw_async.aclose()
        self.sdk_sync.close()
        self.raw_sync.close()


async def main() -> None:
    setup = json.loads(await asyncio.to_thread(sys.stdin.readline))
    targets = {name: Target(url) for name, url in setup["targets"].items()}
    calls: dict[tuple[str, str, str], Callable[[], Awaitable[Any]]] = {}
    try:
        for name, target in targets.items():
            await target.load(setup["session"])
            calls.update({(name, client, op): call for (client, op), call in target.calls().items()})
        python = sys.version.split()[0]
        print(json.dumps({"ready": True, "python": python, "httpx": httpx.__version__, "sdk": terrarium.__version__}))
        sys.stdout.flush()
        while line := await asyncio.to_thread(sys.stdin.readline):
            ask = json.loads(line)
            call = calls[(ask["target"], ask["client"], ask["op"])]
            try:
                started = time.perf_counter()
                result = await call()
                ms = (time.perf_counter() - started) * 1000
                if ask["op"] == "create":
                    closing = result()
                    if inspect.isawaitable(closing):
                        await closing
                print(json.dumps({"ms": ms}), flush=True)
            except Exception as error:
                print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
    finally:
        for target in targets.values():
            await target.close()


if __name__ == "__main__":
    asyncio.run(main())
