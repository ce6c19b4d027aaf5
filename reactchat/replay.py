"""A local HTTP server that answers model API requests with recorded streams, so an app (its tests, an
example) runs its real model client (``openai``, ``anthropic``, ...) with no network and no key.

    with rc.ReplayServer(events) as server:
        client = openai.OpenAI(base_url=server.url, api_key="none")

Each POST is answered with server-sent events: one per item of ``events`` (a list, or a function of the
request's JSON body returning one). An item with a ``"type"`` is sent under that event name (the Responses
API's and Anthropic's streams); a stream whose items have none ends with ``data: [DONE]`` (Chat Completions).
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

Events = Sequence[Mapping[str, Any]]

_SHARED: dict[str, ReplayServer] = {}
_SHARING = threading.Lock()


class ReplayServer:
    """Serves recorded streams on 127.0.0.1 until closed (see the module's docstring).

    Args:
        events: The stream's events, or a function from the request's JSON body to them.
        delay: Seconds between events, to watch a stream arrive.
        hold: After the last event, keep the response open (as a model that stalls) until the client closes
            it: what a test of Stop needs. ``closed_early`` is set when the client did.
    """

    def __init__(
        self, events: Events | Callable[[dict[str, Any]], Events], *, delay: float = 0.0, hold: bool = False
    ) -> None:
        self._events, self._delay, self._hold = events, delay, hold
        self.requests: list[dict[str, Any]] = []
        """Each request's JSON body, in order."""
        self.closed_early = threading.Event()
        """Set when a client closed a held response (pressing Stop closed the upstream request)."""
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="reactchat-replay", daemon=True
        )
        self._thread.start()

    @classmethod
    def shared(cls, events: Callable[[dict[str, Any]], Events], **options: Any) -> ReplayServer:
        """The server this process started for the function of this name (started on the first call), now
        answering with this version of it: a script runs again on every interaction, and its stand-in model
        must not start a server each time."""
        name = f"{events.__code__.co_filename}:{events.__qualname__}"
        with _SHARING:
            server = _SHARED.get(name)
            if server is None:
                server = _SHARED[name] = cls(events, **options)
            server._events = events
        return server

    @property
    def url(self) -> str:
        """The base URL to give the client, ending in ``/v1``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplayServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        replay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # the stream ends when the connection does

            def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the events
                pass

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                replay.requests.append(body)
                events = replay._events(body) if callable(replay._events) else replay._events
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                try:
                    replay._send(self.wfile, events)
                except (BrokenPipeError, ConnectionResetError):
                    replay.closed_early.set()

        return Handler

    def _send(self, out: Any, events: Events) -> None:
        typed = False
        for event in events:
            kind = event.get("type")
            typed = typed or kind is not None
            head = f"event: {kind}\n" if isinstance(kind, str) else ""
            out.write(f"{head}data: {json.dumps(event)}\n\n".encode())
            out.flush()
            if self._delay:
                time.sleep(self._delay)
        if self._hold:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # a comment line every tick: writing is how a close shows
                out.write(b": waiting\n\n")
                out.flush()
                time.sleep(0.02)
        if not typed:
            out.write(b"data: [DONE]\n\n")
            out.flush()
