"""The registry of one served script's live sessions, by resume token: their senders, sockets and lifetimes.

It is the only place sessions are made, found and freed: a tab resumes or starts one, attaches its socket
and detaches it; sessions whose tab stays away are reaped; an edit of the script reruns them all.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
import time
from collections.abc import Iterator, Mapping

from tornado.ioloop import IOLoop, PeriodicCallback

from reactchat.chatbot import ChatFunction
from reactchat.config import Config
from reactchat.identity import Identity, anonymous
from reactchat.media import MediaEntry
from reactchat.ops import ERR
from reactchat.pool import Pool
from reactchat.protocol import Event
from reactchat.runner import Script, ScriptFailed
from reactchat.sender import (
    CLOSE_EVICTED,
    CLOSE_REPLACED,
    CLOSE_RESTART,
    CLOSE_SIGN_IN,
    FIRST_FRAME_WAIT,
    Sender,
    Socket,
)
from reactchat.session import Session
from reactchat.store import Store
from reactchat.transcript import Transcript

OWNERS_KEPT = 10_000  # user identifiers whose owner id is remembered
DRAIN_POLL = 0.1  # seconds between two looks at the running answers while the server drains


class Sessions(Mapping[str, Session]):
    """Every live session of ``script``, by resume token, and the sender of each to its tab's socket.

    Used on the loop thread only (``owner`` excepted); a session's worker thread reaches its sender through
    ``loop``.

    When full (``max_sessions``, or ``max_sessions_per_client`` for one address), sessions no event ever
    reached are evicted, oldest first and tab-less ones before others, to make room: a thousand bare
    connections that only said hello must not lock real tabs out for the grace period.
    """

    def __init__(self, script: Script, config: Config, store: Store | None = None) -> None:
        self.script = script
        self.config = config
        self.store = store
        self.app_name = os.path.splitext(os.path.basename(script.path))[0]
        self.senders: dict[Session, Sender] = {}
        self.pool = Pool(config.run_threads)  # the threads every session's runs take turns on
        self.loop = IOLoop.current()
        self._sessions: dict[str, Session] = {}
        self._owners: dict[str, str] = {}  # user identifier -> owner id, least recent first
        self._owners_lock = threading.Lock()  # owner() runs on the loop and on the executor's threads
        self._media: dict[str, Session] = {}  # media key -> session (the key is not the resume token)
        self._clients: dict[Session, str] = {}  # the address each session was started from
        self._untouched: dict[Session, None] = {}  # sessions no event has reached yet, oldest first
        self._discovering = asyncio.Lock()
        self.draining = False  # stopping: no new runs (drain)
        self._reaper = PeriodicCallback(self.reap, max(250.0, min(config.session_grace * 250, 5000.0)))

    def __getitem__(self, token: str) -> Session:
        return self._sessions[token]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sessions)

    def __len__(self) -> int:
        return len(self._sessions)

    def start_reaper(self) -> None:
        """Reap sessions whose tab stays away from now on, every quarter of the grace period (at most 5 s)."""
        self._reaper.start()

    def resume(
        self,
        token: str | None,
        client: str = "",
        user: Identity | None = None,
        conversation: str | None = None,
    ) -> Session | None:
        """The session for ``token`` if it is ``user``'s, or a new one for a tab at address ``client`` (None
        when there is no room, even after evicting sessions that never had an event). With a store, the
        session belongs to ``user`` (a random anonymous one when None) and shows ``conversation`` if it is
        theirs.

        Raises:
            StoreError: the store cannot be reached.
        """
        session = self._sessions.get(token) if token else None
        if session is not None and _id(session.user) != _id(user):
            session = None  # signed out, or in as someone else, since: their session is not for this tab
        if session is not None and not session.closed:
            if conversation and session.transcript is not None and session.transcript.id != conversation:
                session.show(conversation)
            return session
        if not self._room(client):
            return None
        transcript = None
        if self.store is not None:
            owner = self.owner(user or anonymous(f"anonymous:{secrets.token_hex(12)}"))
            transcript = Transcript(self.store, owner, self.app_name)
        session = Session(self.script, self.config, self._wake, transcript, user, self.pool)
        if conversation and transcript is not None:
            session.show(conversation)  # read on the session's worker, before its first run, not on the loop
        self._sessions[session.token] = session
        self.senders[session] = Sender(session, first_wait=FIRST_FRAME_WAIT)
        self._media[session.media.key] = session
        self._clients[session] = client
        self._untouched[session] = None
        session.start()
        return session

    def submit(self, session: Session, event: Event, tab: str) -> bool:
        """``Session.submit``, noting that the session has been used (it is no longer evicted first). While
        the server drains, nothing is taken: the tab sends it again to the server it reconnects to.

        Raises:
            ValueError: as ``Session.submit``.
        """
        if self.draining:
            return False
        accepted = session.submit(event, tab)
        self._untouched.pop(session, None)
        return accepted

    def _room(self, client: str) -> bool:
        config = self.config
        mine = [s for s, c in self._clients.items() if c == client]
        if len(self._sessions) >= config.max_sessions or len(mine) >= config.max_sessions_per_client:
            self.reap()
            mine = [s for s, c in self._clients.items() if c == client]
        if len(mine) >= config.max_sessions_per_client:
            # Only this address's own sessions, and only tab-less ones: its open tabs are not taken.
            if not self._evict([s for s in mine if self._detached(s)]):
                return False
        if len(self._sessions) >= config.max_sessions:
            return self._evict(list(self._sessions.values()))
        return True

    def _detached(self, session: Session) -> bool:
        sender = self.senders.get(session)
        return sender is None or sender.socket is None

    def _evict(self, candidates: list[Session]) -> bool:
        """Free the oldest of ``candidates`` no event has reached, tab-less ones first; False if none."""
        allowed = set(candidates)
        untouched = [s for s in self._untouched if s in allowed]
        if not untouched:
            return False
        victim = min(untouched, key=lambda s: not self._detached(s))  # min is stable: oldest first
        socket = self.senders[victim].socket
        if socket is not None:
            socket.session = None
            socket.close(CLOSE_EVICTED, "session evicted: the server needed room")
        self._remove(victim)
        return True

    def _remove(self, session: Session) -> None:
        session.close()
        self._sessions.pop(session.token, None)
        self.senders.pop(session, None)
        self._media.pop(session.media.key, None)
        self._clients.pop(session, None)
        self._untouched.pop(session, None)

    def _wake(self, session: Session, urgent: bool) -> None:
        # Called from the session's worker thread: the loop's add_callback is the only door in.
        sender = self.senders.get(session)
        if sender is not None:
            self.loop.add_callback(sender.hurry if urgent else sender.drain)

    def attach(self, session: Session, socket: Socket) -> Sender:
        """Make ``socket`` the one ``session`` sends to; a socket it replaces is closed."""
        sender = self.senders[session]
        previous = sender.socket
        sender.socket = socket
        session.detached_since = None
        if previous is not None and previous is not socket:
            previous.session = None
            previous.close(CLOSE_REPLACED, "session resumed elsewhere")
        return sender

    def detach(self, session: Session, socket: Socket) -> None:
        """``socket`` closed: if it was the session's, the grace period starts."""
        sender = self.senders.get(session)
        if sender is not None and sender.socket is socket:
            sender.socket = None
            session.detached_since = time.monotonic()

    def running(self) -> int:
        """How many sessions have a run going or events waiting."""
        return sum(not s.wait_idle(0) for s in self._sessions.values())

    async def drain(self, grace: float) -> None:
        """Stop taking new runs and let the running ones finish, up to ``grace`` seconds: each session's tab
        is closed (CLOSE_RESTART: it reconnects, through the balancer, to another server) once its session
        is idle, at once for the idle ones. Nothing is stopped here: ``close`` does that after."""
        self.draining = True
        deadline = time.monotonic() + grace
        while True:
            busy = 0
            for session, sender in list(self.senders.items()):
                if not session.wait_idle(0):
                    busy += 1
                elif sender.socket is not None:
                    socket, sender.socket = sender.socket, None
                    socket.session = None
                    socket.close(CLOSE_RESTART, "server restarting")
            if not busy or time.monotonic() >= deadline:
                return
            await asyncio.sleep(DRAIN_POLL)

    def sign_out(self, user_id: str) -> int:
        """``user_id`` signed out: close their sessions (their tabs get CLOSE_SIGN_IN and reload to the
        sign-in page); how many were closed."""
        ended = [s for s in self._sessions.values() if s.user is not None and s.user.id == user_id]
        for session in ended:
            socket = self.senders[session].socket
            if socket is not None:
                socket.session = None
                socket.close(CLOSE_SIGN_IN, "signed out")
            self._remove(session)
        return len(ended)

    def owner(self, user: Identity) -> str:
        """The store's user id for ``user`` (made on first sight, with their name and email). Remembered for
        the most recent users, as it never changes: a page's images do not each write "seen now" to the
        store.

        Raises:
            StoreError: the store cannot be reached. RuntimeError: there is no store.
        """
        if self.store is None:
            raise RuntimeError("sessions without a store have no owners")
        identifier = user.id
        with self._owners_lock:
            owner = self._owners.pop(identifier, None)
        if owner is None:
            owner = self.store.user(
                identifier,
                provider=user.provider,
                name=user.name,
                email=user.email,
                claims=dict(user.claims) if user.claims else None,
            )
        with self._owners_lock:
            self._owners[identifier] = owner  # the most recent last
            while len(self._owners) > OWNERS_KEPT:
                del self._owners[next(iter(self._owners))]
        return owner

    def media(self, key: str, media_id: str) -> MediaEntry | None:
        """The entry a session registered under ``media_id``; ``key`` names the session (without being its
        resume token)."""
        session = self._media.get(key)
        return session.media.get(media_id) if session is not None else None

    def reap(self) -> None:
        """Close sessions whose tab has been away longer than the grace period."""
        now = time.monotonic()
        for session in list(self._sessions.values()):
            since = session.detached_since
            if session.closed or (since is not None and now - since > self.config.session_grace):
                self._remove(session)

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
        for session in self._sessions.values():
            session.outbox.push_now([ERR, session.script.overlay])
            if self.script.overlay is None:
                session.request_rerun()

    def rerun_all(self) -> None:
        """A module the script imports changed: rerun every session."""
        for session in self._sessions.values():
            session.request_rerun()

    async def chat_function(self) -> ChatFunction | None:
        """The function ``rc.chat_interface`` registered, for the HTTP API (None when the app has none).

        The rule: every run of the script registers it. When no run has since the server started or the
        script last changed, the first API request runs the script once, in a session of its own with no
        browser (off the loop), and takes what that run registered.

        Raises:
            ScriptFailed: the script did not compile, or raised in that run.
        """
        registry = self.script.registry
        if registry.get(ChatFunction) is None:
            async with self._discovering:
                if registry.get(ChatFunction) is None:
                    await self.loop.run_in_executor(None, self._discover)
        return registry.get(ChatFunction)

    def _discover(self) -> None:
        if self.script.code is None:
            overlay = self.script.overlay or {}
            message = overlay.get("message", "the script did not compile")
            raise ScriptFailed(f"{message} ({overlay.get('file')}:{overlay.get('line')})")
        # A hidden session: never registered, so no tab can reach it and the reaper never sees it. With a
        # store, it has a transcript (a script calling rc.conversation() needs one), of an owner no browser
        # can be; the run stores nothing (nothing is submitted).
        transcript = None
        if self.store is not None:
            transcript = Transcript(self.store, self.owner(anonymous("reactchat:discovery")), self.app_name)
        session = Session(
            self.script, self.config, lambda _session, _urgent: None, transcript, pool=self.pool
        )
        session.start()
        try:
            session.wait_idle(30)
            errors = session.tree.find("error")
        finally:
            session.close()
        if errors and self.script.registry.get(ChatFunction) is None:
            props = errors[0].props
            where = props["frames"][-1] if props.get("frames") else None
            place = f" ({where['file']}:{where['line']})" if where else ""
            raise ScriptFailed(f"{props.get('type')}: {props.get('message')}{place}")

    def close(self) -> None:
        """Stop reaping and close every session."""
        self._reaper.stop()
        for session in list(self._sessions.values()):
            self._remove(session)


def _id(user: Identity | None) -> str | None:
    return user.id if user is not None else None
