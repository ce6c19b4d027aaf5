"""The served app: the Tornado application with every route, the health check, and ``start()``.

This is the top of the server's modules: it assembles the handlers and hands each the objects it needs
(the config, the session registry, the script, the way to find the chat interface); none of them imports
this module.
"""

from __future__ import annotations

import os
import time
from typing import Any

import tornado.web
from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback
from tornado.netutil import bind_sockets

from reactchat.api_docs import DocsHandler
from reactchat.auth import Gate
from reactchat.completions import CompletionsHandler, ModelsHandler
from reactchat.config import Config
from reactchat.export_route import ExportHandler
from reactchat.handler import Handler
from reactchat.http_api import ChatHandler, ChatStreamHandler
from reactchat.media_route import MediaHandler, StoredFileHandler
from reactchat.memory import Ceiling
from reactchat.page import STATIC_DIR, HighlightCssHandler, PageHandler, StaticHandler, ThemeCssHandler
from reactchat.runner import Script
from reactchat.sessions import Sessions
from reactchat.sign_in_route import SignInHandler, SignOutHandler, oidc_routes
from reactchat.store import Store
from reactchat.upload_route import UploadHandler
from reactchat.websocket import ChatSocket
from reactchat.workers import Workers

MEMORY_CHECK_MS = 250


class App:
    """One served script: its sessions, and the routes that reach them.

    Attributes:
        script: The script every session runs.
        config: The settings it is served with.
        sessions: The live sessions, by resume token.
        loop: The IOLoop the app serves on (the only door from other threads).
    """

    def __init__(self, script: Script, config: Config, store: Store | None = None) -> None:
        self.script = script
        self.config = config
        self.store = store
        self.sessions = Sessions(script, config, store)
        self.loop = self.sessions.loop
        self.workers = Workers(config.max_api_calls, config.max_api_streams)  # the HTTP API's threads
        if config.auth.mode != "none" and store is None:
            raise ValueError(f"--auth {config.auth.mode} needs a store: it keeps the users and their sign-in")
        self.gate = Gate(config.auth, store)
        self._memory: PeriodicCallback | None = None
        if config.max_memory_bytes is not None:
            self._ceiling = Ceiling(config.max_memory_bytes, self.sessions.values)
            self._memory = PeriodicCallback(self._check_memory, MEMORY_CHECK_MS)

    def _check_memory(self) -> None:
        self._ceiling.check()

    def reload(self) -> None:
        """The script's folder changed: recompile, then show the error overlay or rerun every session."""
        self.sessions.reload()

    def rerun_all(self) -> None:
        """A module the script imports changed: rerun every session."""
        self.sessions.rerun_all()

    def close(self, wait: float = 0.0) -> None:
        """Close every session: stop its run and remove its uploaded files. With ``wait``, give the runs up
        to that many seconds in all to end (a stream's generator is closed, so its cleanup runs)."""
        if self._memory is not None:
            self._memory.stop()
        self.workers.close()
        sessions = list(self.sessions.values())
        self.sessions.close()
        deadline = time.monotonic() + wait
        for session in sessions:
            session.wait_idle(max(0.0, deadline - time.monotonic()))
        self.sessions.pool.settle(max(0.0, deadline - time.monotonic()))  # stopped streams' pumps
        if self.store is not None:
            self.store.close()

    def routes(self) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]]:
        """Every route, each with the objects its handler is given (all handlers derive from ``Handler``)."""
        config, sessions = self.config, self.sessions
        app = os.path.splitext(os.path.basename(self.script.path))[0]
        api = {"config": config, "interface": sessions.chat_function, "workers": self.workers, "app": app}
        page = {"config": config, "script": self.script, "store": self.store}
        return [
            (r"/", PageHandler, page),
            (r"/c/([0-9A-Za-z]{1,64})", PageHandler, page),
            (r"/_rc/ws", ChatSocket, {"sessions": sessions}),
            (r"/_rc/sign-in", SignInHandler, {"config": config, "script": self.script}),
            (r"/_rc/sign-out", SignOutHandler, {"sessions": sessions}),
            (r"/_rc/highlight\.css", HighlightCssHandler, {"config": config}),
            (r"/_rc/theme\.css", ThemeCssHandler, {"config": config, "script": self.script}),
            (r"/_rc/health", HealthHandler, {"sessions": sessions}),
            (r"/_rc/media/([A-Za-z0-9_-]{1,64})/([0-9a-f]{1,64})", MediaHandler, {"sessions": sessions}),
            (r"/_rc/files/([0-9A-Za-z]{1,64})", StoredFileHandler, {"sessions": sessions}),
            (r"/_rc/export/([0-9A-Za-z]{1,64})\.(json|md)", ExportHandler, {"sessions": sessions}),
            (r"/_rc/upload/([0-9]{1,12})", UploadHandler, {"sessions": sessions}),
            (r"/api", DocsHandler, api),
            (r"/api/chat", ChatHandler, api),
            (r"/api/chat/stream", ChatStreamHandler, api),
            (r"/v1/chat/completions", CompletionsHandler, api),
            (r"/v1/models", ModelsHandler, api),
            (r"/_rc/static/(.*)", StaticHandler, {"config": config, "path": STATIC_DIR}),
            *(oidc_routes(config, self.gate) if config.auth.mode == "oidc" else []),
        ]

    def application(self) -> tornado.web.Application:
        """The Tornado application; from now on, sessions whose tab stays away are reaped."""
        self.sessions.start_reaper()
        if self._memory is not None:
            self._memory.start()
        return tornado.web.Application(
            self.routes(),
            compress_response=True,
            xsrf_cookies=True,  # every POST (uploads, sign-in, sign-out) must echo the _xsrf cookie
            # Up to 4x the cap is read and answered with a NOTE; beyond that Tornado closes the socket.
            websocket_max_message_size=4 * self.config.max_message_bytes,
            websocket_ping_interval=20,
            # Signs the browser's user cookie; kept in the store, so it survives restarts and is shared.
            cookie_secret=self.store.secret().hex() if self.store is not None else None,
            gate=self.gate,  # who is asking, for every handler (Handler.prepare)
        )


class HealthHandler(Handler):
    """``/_rc/health``: the server is up, how many sessions it holds, and its run threads (``Pool.stats``)."""

    open_to_all = True  # load balancers ask without signing in

    def initialize(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.config = sessions.config

    def get(self) -> None:
        self.write({"ok": True, "sessions": len(self.sessions), "runs": self.sessions.pool.stats()})


def start(script: Script, config: Config, store: Store | None = None) -> tuple[App, HTTPServer, int]:
    """Create the app and listen on the current IOLoop; returns the app, the HTTP server and the port
    (useful with ``port=0``). The caller runs the IOLoop. ``store`` keeps conversations (the app closes it).

    Raises:
        OSError: when the address cannot be bound (e.g. the port is taken).
    """
    sockets = bind_sockets(config.port, address=config.host)
    app = App(script, config, store)
    server = HTTPServer(app.application(), max_body_size=config.max_message_bytes)
    server.add_sockets(sockets)
    return app, server, sockets[0].getsockname()[1]
