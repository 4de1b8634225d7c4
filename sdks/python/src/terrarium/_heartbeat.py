"""Background heartbeats, on a thread of their own.

A thread rather than an asyncio task: an agent's event loop is often blocked for minutes (a model call made
with a synchronous client, a long computation), and the server closes environments that miss their
heartbeats. The thread keeps beating whenever the interpreter runs any thread at all; only code holding the
GIL for longer than the heartbeat timeout can starve it.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import quote

import httpx

# A heartbeat gets this long at least, and at most the client's timeout.
MIN_HEARTBEAT_TIMEOUT = 10.0


class Heartbeats:
    """Sends a heartbeat for each tracked session every `interval` seconds, one after the other. It never
    raises: a failed heartbeat is tried again at the next tick, and a session the server says is gone (404, 409)
    is dropped."""

    def __init__(self, base_url: str, headers: dict[str, str], interval: float, timeout: float) -> None:
        self.interval = interval
        self._base_url = base_url
        self._headers = headers
        self._timeout = min(timeout, max(MIN_HEARTBEAT_TIMEOUT, interval))
        self._due: dict[str, float] = {}
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(self, session_id: str) -> None:
        with self._wake:
            if self._closed or session_id in self._due:
                return
            self._due[session_id] = time.monotonic() + self.interval
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="terrarium-heartbeats", daemon=True)
                self._thread.start()
            self._wake.notify()

    def stop(self, session_id: str) -> None:
        with self._wake:
            self._due.pop(session_id, None)

    def running(self, session_id: str) -> bool:
        with self._wake:
            return session_id in self._due

    def close(self) -> None:
        """Stops every heartbeat; the thread ends after the heartbeat it may be sending (never waited for here:
        an event loop calling this must not block on it)."""
        with self._wake:
            self._closed = True
            self._due.clear()
            self._wake.notify()

    def _run(self) -> None:
        with httpx.Client(base_url=self._base_url, headers=self._headers, timeout=self._timeout) as http:
            while True:
                with self._wake:
                    while not self._closed:
                        now = time.monotonic()
                        due = [sid for sid, at in self._due.items() if at <= now]
                        if due:
                            break
                        self._wake.wait(min(self._due.values(), default=now + 3600) - now)
                    if self._closed:
                        return
                    for sid in due:
                        self._due[sid] = now + self.interval
                for sid in due:
                    self._beat(http, sid)

    def _beat(self, http: httpx.Client, session_id: str) -> None:
        try:
            response = http.post(f"api/v2/sessions/{quote(session_id, safe='')}/heartbeat")
        except httpx.HTTPError:
            return
        # Closed elsewhere (or reaped): no heartbeat can help any more.
        if response.status_code in (404, 409):
            self.stop(session_id)
