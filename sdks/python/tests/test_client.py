"""Configuration, retries and error mapping, against a stand-in HTTP server that answers what each case needs
(a real server cannot be made to answer 503 on cue). Everything else runs against the real server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from terrarium import (
    AsyncTerrarium,
    GatewayTimeoutError,
    InternalServerError,
    NotFoundError,
    ServiceUnavailableError,
    Terrarium,
    TerrariumError,
)

pytestmark = pytest.mark.anyio

SESSIONS: dict[str, list[object]] = {"sessions": []}


@dataclass
class StandIn:
    url: str
    # Per "METHOD path", the answers to give in turn (status, body); the last one repeats.
    answers: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.seen if (m, p) == (method, path))


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    state = StandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            path = self.path.split("?")[0]
            state.seen.append((self.command, path, {k.lower(): v for k, v in self.headers.items()}))
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            queue = state.answers.get(f"{self.command} {path}", [(404, error("not_found", f"no {path}"))])
            status, body = queue.pop(0) if len(queue) > 1 else queue[0]
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("retry-after", "0")
            self.send_header("content-length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())

        do_GET = do_POST = do_DELETE = answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def error(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message, "request_id": "req_test"}})


async def test_url_and_key_come_from_the_environment_and_arguments_win(
    stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in.answers["GET /api/v2/sessions"] = [(200, json.dumps(SESSIONS))]
    monkeypatch.setenv("TERRARIUM_URL", stand_in.url + "/")
    monkeypatch.setenv("TERRARIUM_API_KEY", "from-env")
    async with AsyncTerrarium() as client:
        assert client.base_url == stand_in.url
        assert await client.sessions.list() == []
    async with AsyncTerrarium(base_url=stand_in.url, api_key="from-argument") as client:
        await client.sessions.list()
    keys = [headers.get("x-api-key") for _, _, headers in stand_in.seen]
    assert keys == ["from-env", "from-argument"]
    monkeypatch.delenv("TERRARIUM_API_KEY")
    async with AsyncTerrarium() as client:
        await client.sessions.list()
    assert "x-api-key" not in stand_in.seen[-1][2]


async def test_idempotent_calls_retry_on_503_and_504(stand_in: StandIn) -> None:
    stand_in.answers["GET /api/v2/sessions"] = [
        (503, error("unavailable", "podman is restarting")),
        (504, error("timeout", "slow")),
        (200, json.dumps(SESSIONS)),
    ]
    async with AsyncTerrarium(base_url=stand_in.url, max_retries=2) as client:
        assert await client.sessions.list() == []
    assert stand_in.count("GET", "/api/v2/sessions") == 3


async def test_retries_end_with_the_last_error(stand_in: StandIn) -> None:
    stand_in.answers["DELETE /api/v2/artifacts/a_1"] = [(504, error("timeout", "the server gave up"))]
    async with AsyncTerrarium(base_url=stand_in.url, max_retries=1) as client:
        with pytest.raises(GatewayTimeoutError, match="the server gave up") as caught:
            await client.artifacts.remove("a_1")
    assert caught.value.status == 504
    assert caught.value.request_id == "req_test"
    assert stand_in.count("DELETE", "/api/v2/artifacts/a_1") == 2


async def test_execute_and_create_are_never_retried(stand_in: StandIn) -> None:
    stand_in.answers["POST /api/v2/sessions/make"] = [(503, error("unavailable", "podman is down"))]
    async with AsyncTerrarium(base_url=stand_in.url) as client:
        with pytest.raises(ServiceUnavailableError, match="podman is down"):
            await client.sessions.create(task="t")
    assert stand_in.count("POST", "/api/v2/sessions/make") == 1


async def test_errors_keep_the_server_message_whatever_the_body(stand_in: StandIn) -> None:
    stand_in.answers["GET /api/v2/sessions/s_1"] = [(404, error("a_code_from_the_future", 'unknown session "s_1"'))]
    stand_in.answers["GET /api/v2/simulators"] = [(500, "<html>proxy error</html>")]
    stand_in.answers["GET /api/v2/tasks"] = [(200, "not json")]
    async with AsyncTerrarium(base_url=stand_in.url, max_retries=0) as client:
        with pytest.raises(NotFoundError, match='unknown session "s_1"') as caught:
            await client.sessions.retrieve("s_1")
        assert caught.value.code == "a_code_from_the_future"
        with pytest.raises(InternalServerError, match=r"GET /api/v2/simulators answered 500: <html>proxy error"):
            await client.simulators.list()
        with pytest.raises(TerrariumError, match="answered 200 with a body that is not JSON: not json"):
            await client.tasks.list()


def test_an_answer_the_sdk_cannot_read_names_the_route(stand_in: StandIn) -> None:
    stand_in.answers["GET /api/v2/sessions"] = [(200, json.dumps({"sessions": [{"session_id": 1}]}))]
    with (
        Terrarium(base_url=stand_in.url) as client,
        pytest.raises(TerrariumError, match=r"GET /api/v2/sessions answered what this SDK cannot read as SessionList"),
    ):
        client.sessions.list()
