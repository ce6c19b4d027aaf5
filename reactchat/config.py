"""One frozen ``Config``: every limit and interval the runtime enforces, and the ``Auth`` it signs users in
with."""

from __future__ import annotations

import dataclasses
from typing import Literal

AuthMode = Literal["none", "password", "header", "oidc"]
AUTH_MODES: tuple[AuthMode, ...] = ("none", "password", "header", "oidc")


@dataclasses.dataclass(frozen=True)
class Auth:
    """How users sign in (``--auth`` and its flags, or ``[auth]`` in ``reactchat.toml``).

    Attributes:
        mode: ``none`` (anonymous browsers, each with its own conversations), ``password`` (users kept in the
            store, added with ``reactchat users add``), ``header`` (a trusted proxy names the user) or
            ``oidc`` (an OpenID Connect provider).
        allow_anonymous: With a sign-in mode, visitors who have not signed in may still use the app (each as
            an anonymous browser) and sign in from the sidebar; ``rc.require_user()`` gates parts.
        header: The header an authenticating proxy puts the user's name or email in (``header`` mode).
        trusted_proxies: Addresses or networks (``10.0.0.0/8``) of the proxies whose ``header`` and
            ``X-Forwarded-Proto``/``-Host``/``-For`` are believed; from anywhere else they are ignored.
        public_url: The address users reach the app at (``https://chat.example.com``), for the OpenID
            redirect; empty: taken from the request (and a trusted proxy's forwarded headers).
        oidc_issuer, oidc_client_id, oidc_client_secret, oidc_scopes: The OpenID Connect provider.
        session_days: How long a sign-in lasts without signing in again.
    """

    mode: AuthMode = "none"
    allow_anonymous: bool = False
    header: str = "X-Forwarded-Email"
    trusted_proxies: tuple[str, ...] = ()
    public_url: str = ""
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    session_days: float = 30.0

    @property
    def sign_in_url(self) -> str | None:
        """Where a visitor signs in (None: this app has no sign-in page)."""
        return "/_rc/sign-in" if self.mode in ("password", "oidc") else None

    @property
    def required(self) -> bool:
        """Whether a visitor must sign in before using the app at all."""
        return self.mode != "none" and not self.allow_anonymous


@dataclasses.dataclass(frozen=True)
class Config:
    """Server and session settings. Every limit here is enforced, and each has a test.

    Attributes:
        host: Interface to bind. Loopback by default; anything else must be asked for.
        port: TCP port.
        watch: Rerun sessions when the script's folder changes.
        frame_interval: Minimum seconds between two frames to one client (ops in between are coalesced).
        max_message_bytes: Largest inbound WebSocket message accepted.
        replay_bytes: Size bound of the per-session buffer of sent frames kept for reconnects.
        send_timeout: Seconds a frame may wait on a client that does not read before the connection is
            dropped (the session survives; the client resumes with a snapshot).
        session_grace: Seconds a session lives on without a connected tab before its run is stopped and
            its memory freed.
        stop_grace: Seconds an interrupted run may ignore the interrupt before it is abandoned. (After 0.5 s,
            or half the grace, the interrupt is raised inside the script's thread, which ends pure-Python
            loops; code blocked in C only sees it when the call returns.)
        max_memory_bytes: The process's resident memory past which every running run is stopped (None: no
            limit).
        store: Where conversations are stored: ``"memory"``, ``"sqlite:///path.db"`` or
            ``"postgresql://..."``; empty: a SQLite file in a ``.reactchat`` folder next to the script.
        run_threads: Threads running scripts at once in the process (``--run-threads``,
            ``REACTCHAT_RUN_THREADS`` or ``run_threads`` in ``reactchat.toml``'s ``[server]``). An idle tab
            holds none; a run takes one for its length (a stream's pump borrows a spare one); past it, runs
            wait in line, their tabs told so. Abandoned runs keep theirs until their blocked call returns.
        max_abandoned_runs: Abandoned runs of one session whose threads still run; past it, the session
            queues new events until one ends.
        allowed_origins: Extra WebSocket origins accepted besides the page's own host.
        allowed_hosts: Host header names accepted besides loopback names, the machine's own names and the
            addresses the server is reached at (``--allowed-host``; e.g. the name a reverse proxy forwards).
        max_sessions: Sessions kept at once. When full, a session no event ever reached is evicted (the
            oldest, a tab-less one first) for a new tab; with none, the new tab is refused.
        max_sessions_per_client: Sessions one client address may hold; past it, that address's oldest
            tab-less session that never had an event is evicted, else the new tab is refused.
        max_upload_bytes: Largest file a user can attach (an input's ``max_file_size`` can lower it).
        max_session_upload_bytes: Total bytes of attachments one session can hold (counted from the start
            of each upload, so parallel uploads cannot pass it together).
        max_uploads_in_progress: Uploads one session may have in progress at once; more get a 429. (Browsers
            open at most 6 connections to a server, so a page never needs more.)
        min_body_rate: Bytes per second a request body (an upload, an API call) must arrive at, averaged
            over ``body_rate_window``; a slower one is cut with a 408.
        body_rate_window: Seconds over which ``min_body_rate`` is measured.
        max_api_body_bytes: Largest HTTP API request body; a larger one gets a 413.
        max_api_calls: HTTP API calls answered whole (not streamed) at once; more get a 503 with
            ``Retry-After``.
        max_api_streams: Streamed HTTP API calls at once (each holds a thread while it streams); more get a
            503 with ``Retry-After``.
        max_api_waiting: HTTP API calls that may wait in the line of a ``concurrency_limit`` at once (they
            hold no thread while they wait); more get a 503 with ``Retry-After``.
        drain_grace: Seconds a stopping server (SIGTERM, Ctrl-C) lets running answers finish while it takes
            no new runs; its idle tabs reconnect elsewhere at once (a rolling restart loses nothing).
        auth: How users sign in (by default they do not: each browser is an anonymous user).
    """

    host: str = "127.0.0.1"
    port: int = 8700
    watch: bool = True
    frame_interval: float = 0.025
    max_message_bytes: int = 1 << 20
    replay_bytes: int = 2 << 20
    send_timeout: float = 10.0
    session_grace: float = 120.0
    stop_grace: float = 3.0
    run_threads: int = 100
    max_abandoned_runs: int = 2
    max_memory_bytes: int | None = None
    store: str = ""
    allowed_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    max_sessions: int = 1000
    max_sessions_per_client: int = 50
    max_upload_bytes: int = 100 << 20
    max_session_upload_bytes: int = 1 << 30
    max_uploads_in_progress: int = 6
    min_body_rate: int = 4 << 10
    body_rate_window: float = 10.0
    max_api_body_bytes: int = 1 << 20
    max_api_calls: int = 8
    max_api_streams: int = 32
    max_api_waiting: int = 16
    drain_grace: float = 30.0
    auth: Auth = Auth()

    def replace(self, **changes: object) -> Config:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
