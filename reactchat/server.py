"""The Tornado application: the page, static files, the WebSocket, and the registry of sessions."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import html
import os
import time
import urllib.parse
from typing import Any

import tornado.web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.netutil import bind_sockets

from reactchat.chat_interface import ChatFunction
from reactchat.config import Config
from reactchat.endpoints import routes
from reactchat.media import MediaEntry
from reactchat.runner import Script
from reactchat.session import Session
from reactchat.uploads import Upload, accepts
from reactchat.websocket import CLOSE_REPLACED, ChatSocket, Sender

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # sanitised markdown keeps text-align styles on table cells
        "img-src 'self' data: blob: https: http:",
        "media-src 'self' blob: https: http:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
    ]
)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_rc/static/app.css?v={css}">
</head><body><div id="rc-root"></div>
<script type="module" src="/_rc/static/app.js?v={js}"></script>
</body></html>
"""


@functools.cache
def _asset_version(name: str) -> str:
    try:
        with open(os.path.join(STATIC_DIR, name), "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()[:12]
    except OSError:
        return "missing"


class App:
    """One served script: its sessions, their senders, and the routes."""

    def __init__(self, script: Script, config: Config) -> None:
        self.script = script
        self.config = config
        self.sessions: dict[str, Session] = {}
        self.senders: dict[Session, Sender] = {}
        self.media: dict[str, Session] = {}  # media key -> session (the key is not the resume token)
        self.loop = IOLoop.current()
        self._discovering = asyncio.Lock()
        self._reaper = PeriodicCallback(self.reap, max(250.0, min(config.session_grace * 250, 5000.0)))

    # -- sessions ------------------------------------------------------------------------------------------

    def resume(self, token: str | None) -> Session | None:
        """The session for ``token``, or a new one (None when at the session limit)."""
        session = self.sessions.get(token) if token else None
        if session is not None and not session.closed:
            return session
        if len(self.sessions) >= self.config.max_sessions:
            self.reap()
            if len(self.sessions) >= self.config.max_sessions:
                return None
        session = Session(self.script, self.config, self._wake)
        self.sessions[session.token] = session
        self.senders[session] = Sender(session)
        self.media[session.media.key] = session
        session.start()
        return session

    def _wake(self, session: Session, urgent: bool) -> None:
        # Called from the session's worker thread: the loop's add_callback is the only door in.
        sender = self.senders.get(session)
        if sender is not None:
            self.loop.add_callback(sender.hurry if urgent else sender.drain)

    def attach(self, session: Session, socket: ChatSocket) -> Sender:
        sender = self.senders[session]
        previous = sender.socket
        sender.socket = socket
        session.detached_since = None
        if previous is not None and previous is not socket:
            previous.session = None
            previous.close(CLOSE_REPLACED, "session resumed elsewhere")
        return sender

    def detach(self, session: Session, socket: ChatSocket) -> None:
        sender = self.senders.get(session)
        if sender is not None and sender.socket is socket:
            sender.socket = None
            session.detached_since = time.monotonic()

    def reap(self) -> None:
        """Close sessions whose tab has been away longer than the grace period."""
        now = time.monotonic()
        for token, session in list(self.sessions.items()):
            since = session.detached_since
            if session.closed or (since is not None and now - since > self.config.session_grace):
                session.close()
                del self.sessions[token]
                self.senders.pop(session, None)
                self.media.pop(session.media.key, None)

    def reload(self) -> None:
        """The script's folder changed: recompile, then show the error overlay or rerun every session."""
        try:
            changed = self.script.load()
        except OSError as exc:
            self.script.overlay = {"message": f"cannot read the script: {exc}", "file": self.script.path,
                                   "line": 0, "text": ""}  # fmt: skip
            changed = True
        if not changed:
            return
        for session in self.sessions.values():
            session.show_overlay()
            if self.script.overlay is None:
                session.request_rerun()

    async def interface(self) -> ChatFunction | None:
        """The app's chat_interface, for the HTTP API. If no session has run the script yet, it runs once in
        a session of its own (off the loop) so the function is known."""
        registry = self.script.registry
        if registry.get(ChatFunction) is None and self.script.code is not None:
            async with self._discovering:
                if registry.get(ChatFunction) is None:
                    await self.loop.run_in_executor(None, self._discover)
        return registry.get(ChatFunction)

    def _discover(self) -> None:
        session = Session(self.script, self.config, lambda _session, _urgent: None)
        session.start()
        session.wait_idle(30)
        session.close()

    def rerun_all(self) -> None:
        """A module the script imports changed: rerun every session."""
        for session in self.sessions.values():
            session.request_rerun()

    def close(self) -> None:
        self._reaper.stop()
        for session in self.sessions.values():
            session.close()
        self.sessions.clear()

    # -- HTTP ----------------------------------------------------------------------------------------------

    def check_host(self, handler: tornado.web.RequestHandler) -> None:
        """On a loopback bind, refuse Host headers that are not loopback names (DNS rebinding)."""
        if self.config.host not in LOOPBACK_HOSTS:
            return
        host = handler.request.host.lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name not in LOOPBACK_HOSTS:
            raise tornado.web.HTTPError(403, f"unexpected Host header {host!r}")

    def application(self) -> tornado.web.Application:
        self._reaper.start()
        return tornado.web.Application(
            [
                (r"/", PageHandler, {"app": self}),
                (r"/_rc/ws", ChatSocket, {"app": self}),
                (r"/_rc/highlight\.css", HighlightCssHandler, {"app": self}),
                (r"/_rc/health", HealthHandler, {"app": self}),
                (r"/_rc/media/([A-Za-z0-9_-]{1,64})/([0-9a-f]{1,64})", MediaHandler, {"app": self}),
                (r"/_rc/upload/([0-9]{1,12})", UploadHandler, {"app": self}),
                *routes(self),
                (r"/_rc/static/(.*)", StaticHandler, {"path": STATIC_DIR, "app": self}),
            ],
            compress_response=True,
            xsrf_cookies=True,  # uploads (the only POST) need the _xsrf cookie echoed in X-Xsrftoken
            # Up to 4x the cap is read and answered with a NOTE; beyond that Tornado closes the socket.
            websocket_max_message_size=4 * self.config.max_message_bytes,
            websocket_ping_interval=20,
        )


class _Handler(tornado.web.RequestHandler):
    app: App

    def initialize(self, app: App) -> None:
        self.app = app

    def prepare(self) -> None:
        self.app.check_host(self)

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")


class PageHandler(_Handler):
    def get(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie the upload requests echo back
        title = os.path.splitext(os.path.basename(self.app.script.path))[0]
        self.write(
            PAGE.format(title=html.escape(title), css=_asset_version("app.css"), js=_asset_version("app.js"))
        )


class HighlightCssHandler(_Handler):
    def get(self) -> None:
        from reactchat.markdown import highlight_css

        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.set_header("Cache-Control", "public, max-age=86400")
        self.write(highlight_css())


class HealthHandler(_Handler):
    def get(self) -> None:
        self.write({"ok": True, "sessions": len(self.app.sessions)})


# Types a browser may show inline from our origin; anything else (HTML, SVG, ...) is a download.
INLINE_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "audio/",
    "video/",
    "application/pdf",
)
CHUNK = 256 << 10


class MediaHandler(_Handler):
    """``/_rc/media/<key>/<id>``: a file the app registered, by id only; HTTP Range for audio and video."""

    def set_default_headers(self) -> None:
        super().set_default_headers()
        # Even if something slipped through as HTML, it would run in a sandbox with nothing allowed.
        self.set_header("Content-Security-Policy", "default-src 'none'; sandbox")

    def _entry(self, key: str, media_id: str) -> MediaEntry:
        session = self.app.media.get(key)
        entry = session.media.get(media_id) if session is not None else None
        if entry is None:
            raise tornado.web.HTTPError(404)
        return entry

    def head(self, key: str, media_id: str) -> None:
        entry = self._entry(key, media_id)
        self._headers_for(entry)
        self.set_header("Content-Length", str(entry.size))

    async def get(self, key: str, media_id: str) -> None:
        entry = self._entry(key, media_id)
        self._headers_for(entry)
        start, end = 0, entry.size
        header = self.request.headers.get("Range")
        if header:
            parsed = _byte_range(header, entry.size)
            if parsed is None:
                self.set_status(416)
                self.set_header("Content-Range", f"bytes */{entry.size}")
                return
            start, end = parsed
            self.set_status(206)
            self.set_header("Content-Range", f"bytes {start}-{end - 1}/{entry.size}")
        self.set_header("Content-Length", str(end - start))
        if entry.data is not None:
            self.write(entry.data[start:end])
            return
        assert entry.path is not None
        with open(entry.path, "rb") as f:
            f.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = f.read(min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                self.write(chunk)
                await self.flush()

    def _headers_for(self, entry: MediaEntry) -> None:
        inline = entry.mime.startswith(INLINE_TYPES)
        self.set_header("Content-Type", entry.mime if inline else "application/octet-stream")
        quoted = urllib.parse.quote(entry.name)
        disposition = "inline" if inline else "attachment"
        self.set_header("Content-Disposition", f"{disposition}; filename*=UTF-8''{quoted}")
        self.set_header("Accept-Ranges", "bytes")
        self.set_header("Cache-Control", "private, max-age=3600")


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) of a single ``bytes=`` range, or None when unsatisfiable."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if first:
            start = int(first)
            end = min(int(last) + 1, size) if last else size
        else:
            start, end = max(0, size - int(last)), size
    except ValueError:
        return None
    if start >= size or start >= end or start < 0:
        return None
    return start, end


@tornado.web.stream_request_body
class UploadHandler(_Handler):
    """``POST /_rc/upload/<input id>``: one attached file, streamed to the session's upload folder.

    Refused with a JSON error, leaving nothing on disk: a missing or forged session (403), a missing XSRF
    token (403, by Tornado), an input that takes no files (404), a file too big (413) or of a type the
    input does not accept (415).
    """

    session: Session
    _file: Any = None
    _path: str | None = None
    _size = 0
    _limit = 0

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self._discard()
        exc = kwargs.get("exc_info", (None, None))[1]
        message = (
            exc.log_message if isinstance(exc, tornado.web.HTTPError) and exc.log_message else self._reason
        )
        self.finish({"error": message})

    def prepare(self) -> None:
        super().prepare()
        session = self.app.sessions.get(self.request.headers.get("X-Reactchat-Session", ""))
        if session is None or session.closed:
            raise tornado.web.HTTPError(403, "unknown session")
        self.session = session
        node = session.tree.nodes.get(int(self.path_args[0]))
        if node is None or node.kind != "chat_input" or not node.props.get("multimodal"):
            raise tornado.web.HTTPError(404, "this input takes no files")
        name = urllib.parse.unquote(self.request.headers.get("X-File-Name", "")) or "file"
        mime = self.request.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()
        if not accepts(node.props.get("file_types"), name, mime):
            allowed = ", ".join(node.props.get("file_types", []))
            raise tornado.web.HTTPError(415, f"{name!r} is not an accepted file type ({allowed})")
        limit = min(
            node.props.get("max_file_size") or self.app.config.max_upload_bytes,
            self.app.config.max_upload_bytes,
        )
        room = session.uploads.max_total - session.uploads.total
        length = int(self.request.headers.get("Content-Length", "0") or 0)
        if length > limit:
            raise tornado.web.HTTPError(413, f"{name!r} is {length} bytes; the limit is {limit} bytes")
        if length > room:
            raise tornado.web.HTTPError(413, "this session's attachments are full")
        self._limit = min(limit, room)
        self.request.connection.set_max_body_size(self._limit)  # type: ignore[union-attr]
        self._name, self._mime = name, mime
        self._id, self._path = session.uploads.new_path(name)
        self._file = open(self._path, "wb")

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            raise tornado.web.HTTPError(413, f"{self._name!r} is larger than {self._limit} bytes")
        self._file.write(chunk)

    def post(self, _node_id: str) -> None:
        self._file.close()
        assert self._path is not None
        upload = Upload(self._id, self._name, self._mime, self._size, self._path)
        self.session.uploads.add(upload)
        self._file = self._path = None
        self.write({"id": upload.id, "name": upload.name, "size": upload.size, "mime": upload.mime})

    def on_connection_close(self) -> None:
        self._discard()

    def _discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._path is not None:
            with contextlib.suppress(OSError):
                os.remove(self._path)
            self._path = None


class StaticHandler(tornado.web.StaticFileHandler):
    """The prebuilt frontend: only files inside reactchat/static, never a client-chosen path elsewhere."""

    def initialize(self, path: str, app: App, default_filename: str | None = None) -> None:  # type: ignore[override]
        super().initialize(path, default_filename)
        self.app = app

    def prepare(self) -> None:
        self.app.check_host(self)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        if self.get_query_argument("v", None):
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")


def start(script: Script, config: Config) -> tuple[App, HTTPServer, int]:
    """Create the app and listen on the current IOLoop; returns the app, the HTTP server and the port
    (useful with ``port=0``). The caller runs the IOLoop.

    Raises:
        OSError: when the address cannot be bound (e.g. the port is taken).
    """
    sockets = bind_sockets(config.port, address=config.host)
    app = App(script, config)
    server = HTTPServer(app.application(), max_body_size=config.max_message_bytes)
    server.add_sockets(sockets)
    return app, server, sockets[0].getsockname()[1]
