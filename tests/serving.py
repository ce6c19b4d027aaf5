"""Test support: serve a script on a real Tornado server in a thread, a msgpack WebSocket client, and the
scripts and waits the server's tests share."""

from __future__ import annotations

import asyncio
import http.client
import http.cookiejar
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import msgpack
from tornado.httpclient import HTTPRequest
from tornado.ioloop import IOLoop
from tornado.websocket import WebSocketClientConnection, websocket_connect

from reactchat.config import Config
from reactchat.ops import ERR, HELLO, NOTE, RUN, Op, Replica, WireNode, walk
from reactchat.protocol import VERSION
from reactchat.runner import Script
from reactchat.server import App, start
from reactchat.session import Session
from reactchat.store import open_store
from reactchat.watcher import Watcher

ECHO = "examples/echo.py"

SLOW = """
    import time
    import reactchat as rc
    rc.session_state.setdefault("history", [])
    for m in rc.session_state.history:
        rc.message(m)
    def slow(text):
        try:
            for ch in text:
                time.sleep(0.01)
                yield ch
        finally:
            rc_closed = True
    if prompt := rc.chat_input():
        rc.message("user", prompt)
        with rc.message("assistant"):
            reply = rc.write_stream(slow("x" * 60))
        rc.session_state.history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}]
"""
"""A script whose reply streams 60 characters slowly; ``rc_closed = True`` runs when the stream is closed."""

STORED_SLOW = """
import time
import reactchat as rc
conv = rc.conversation()
for m in conv.history:
    rc.message(m)
def words():
    for i in range(40):
        time.sleep(0.05)
        yield f"w{i} "
if prompt := rc.chat_input():
    with conv.reply():
        rc.write_stream(words())
"""
"""A stored conversation whose every answer streams 40 words 50 ms apart into ``conv.reply()``."""

MULTIMODAL = """
    import reactchat as rc
    msg = rc.chat_input("attach", multimodal=True, file_types=["image", ".txt"], max_file_size=1000)
    if msg:
        rc.session_state.got = msg
        rc.message("user", msg["text"])
        for path in msg["files"]:
            rc.message("user", {"path": path})
"""
"""A script with a multimodal chat input that takes images and .txt files up to 1000 bytes."""


class FakeSocket:
    """A ``reactchat.sender.Socket`` that records what it is sent; ``stalled`` writes never complete."""

    def __init__(self, stalled: bool = False) -> None:
        self.session: Session | None = None
        self.stalled = stalled
        self.sent: list[bytes] = []
        self.closed: tuple[int | None, str | None] | None = None

    def write_message(self, message: bytes, binary: bool = False) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not self.stalled:
            self.sent.append(message)
            future.set_result(None)
        return future

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        self.closed = (code, reason)


class Served:
    """A running server for one script; ``url`` is its base address."""

    def __init__(self, script_path: str, *, watch: bool = False, **config: Any) -> None:
        self.config = Config(port=0, watch=watch, **config)
        self.script_path = script_path
        self.app: App
        self.port = 0
        self.loop: IOLoop
        self._watcher: Watcher | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("server did not start")

    def _serve(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = IOLoop.current()
        script = Script(self.script_path)
        script.load()
        # A store per server: "memory" unless the test names one (several servers may share a file).
        self.app, self._server, self.port = start(
            script, self.config, open_store(self.config.store or "memory")
        )
        if self.config.watch:
            self._watcher = Watcher(self.app, debounce=0.05)
            self._watcher.start()
        self._ready.set()
        self.loop.start()

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.config.host}:{self.port}/_rc/ws"

    def call(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the server's loop thread."""
        self.loop.add_callback(fn)

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()

        def shutdown() -> None:
            self._server.stop()
            self.app.close()
            self.loop.stop()

        self.loop.add_callback(shutdown)
        self._thread.join(10)


class Client:
    """A protocol-level WebSocket client that keeps the tree the way the browser does."""

    @property
    def tree(self) -> WireNode:
        return self.replica.root

    def __init__(self, conn: WebSocketClientConnection) -> None:
        self.conn = conn
        self.replica = Replica()  # the tree, updated in place by each frame
        self.token: str | None = None
        self.last_ev_seq = 0
        self.last_seq = -1
        self.run_state = "idle"
        self.overlay: dict[str, Any] | None = None
        self.notes: list[str] = []
        self.frames: list[tuple[int | None, list[Op]]] = []
        self.closed = False

    @classmethod
    async def connect(
        cls, url: str, *, token: str | None = None, last_seq: int = -1, origin: str | None = None,
        hello: bool = True,
    ) -> Client:  # fmt: skip
        headers = {"Origin": origin or url.replace("ws://", "http://").split("/_rc")[0]}
        conn = await websocket_connect(HTTPRequest(url, headers=headers))
        client = cls(conn)
        if hello:
            await client.send(["hello", VERSION, token, last_seq])
        return client

    async def send(self, msg: Any) -> None:
        await self.conn.write_message(msgpack.packb(msg), binary=True)

    async def submit(self, node_id: int, text: str, ev_seq: int | None = None) -> None:
        self.last_ev_seq = ev_seq if ev_seq is not None else self.last_ev_seq + 1
        await self.send(["ev", self.last_ev_seq, node_id, "submit", text])

    async def recv(self, timeout: float = 5.0) -> tuple[int | None, list[Op]] | None:
        """Receive and apply one frame; None when the connection closed."""
        data = await asyncio.wait_for(self.conn.read_message(), timeout)
        if data is None:
            self.closed = True
            return None
        version, seq, ops = msgpack.unpackb(data, raw=False)
        assert version == VERSION
        for op in ops:
            if op[0] == HELLO:
                self.token, self.last_ev_seq = op[1], op[2]
            elif op[0] == NOTE:
                self.notes.append(op[1])
            elif op[0] == RUN:
                self.run_state = op[1]
            elif op[0] == ERR:
                self.overlay = op[1]
        if seq is not None:
            assert seq > self.last_seq or self.last_seq == -1, (seq, self.last_seq)
            self.last_seq = seq
        self.replica.apply(ops)
        self.frames.append((seq, ops))
        return seq, ops

    async def until(self, condition: Callable[[Client], bool], timeout: float = 10.0) -> Client:
        """Receive frames until ``condition(self)`` holds."""
        deadline = time.monotonic() + timeout
        while not condition(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; tree={self.tree!r} notes={self.notes!r}")
            if await self.recv(remaining) is None:
                raise ConnectionError("closed before the condition was met")
        return self

    def nodes(self, kind: str) -> list[WireNode]:
        """All nodes of ``kind`` in document order."""
        return [node for node in walk(self.tree) if node[1] == kind]

    def input_id(self) -> int:
        return int(self.nodes("chat_input")[0][0])

    def texts(self) -> list[tuple[str, str]]:
        from reactchat.testing import html_text

        out = []
        for m in self.nodes("message"):
            body = m[2].get("html", "") + "".join(c[2].get("html", "") for c in m[3] if c[1] == "markdown")
            out.append((m[2]["role"], html_text(body)))
        return out

    def close(self) -> None:
        self.conn.close()


def run(coro: Any) -> Any:
    """Run a test's coroutine, with a deadline."""
    return asyncio.run(asyncio.wait_for(coro, 30))


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``condition()`` holds: for state the server's threads change, which has no event to await.

    Raises:
        TimeoutError: when it does not hold within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.01)


def ready(c: Client) -> bool:
    """The first run has finished and the chat input is shown."""
    return bool(c.nodes("chat_input")) and c.run_state == "done"


async def mid_stream(served: Served, chars: int = 1) -> Client:
    """A connected client whose SLOW reply has shown at least ``chars`` characters."""
    c = await Client.connect(served.ws_url)
    await c.until(ready)
    await c.submit(c.input_id(), "go")
    await c.until(lambda c: len(c.texts()) == 2 and len(c.texts()[1][1]) >= chars)
    return c


class Browser:
    """An HTTP client with cookies, as a page at ``url`` would have them (the XSRF cookie included)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(url + "/").read()
        self.xsrf = next(c.value for c in self.jar if c.name == "_xsrf")

    def upload(
        self, node_id: int, token: str | None, body: bytes, name: str, mime: str, xsrf: str | None = ""
    ) -> tuple[int, dict[str, Any]]:
        headers = {"X-File-Name": name, "Content-Type": mime}
        if token is not None:
            headers["X-Reactchat-Session"] = token
        if xsrf is not None:
            headers["X-Xsrftoken"] = xsrf or self.xsrf
        request = urllib.request.Request(
            f"{self.url}/_rc/upload/{node_id}", data=body, method="POST", headers=headers
        )
        try:
            with self.opener.open(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def start_upload(
        self, node_id: int, token: str, length: int, first: bytes, name: str = "a.txt"
    ) -> RawRequest:
        """An upload of ``length`` bytes of which only ``first`` is sent yet: send the rest with ``send``."""
        headers = {"Content-Type": "text/plain", "X-File-Name": urllib.parse.quote(name),
                   "X-Reactchat-Session": token, "X-Xsrftoken": self.xsrf, "Cookie": f"_xsrf={self.xsrf}"}  # fmt: skip
        return RawRequest(self.url, "POST", f"/_rc/upload/{node_id}", headers, length, first)


class RawRequest:
    """An HTTP request over a plain socket, its body sent when the test says: what a slow or parallel
    client does, which urllib cannot."""

    def __init__(self, url: str, method: str, path: str, headers: dict[str, str], length: int | None,
                 first: bytes = b"") -> None:  # fmt: skip
        netloc = urllib.parse.urlsplit(url).netloc
        host, port = netloc.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {netloc}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + first)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def response(self, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body of the answer (waiting up to ``timeout`` seconds for it)."""
        self.sock.settimeout(timeout)
        answer = http.client.HTTPResponse(self.sock)
        answer.begin()
        body = answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body

    def close(self) -> None:
        self.sock.close()
