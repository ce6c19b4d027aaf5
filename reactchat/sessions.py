"""The registry of one served script's live sessions, by resume token: their senders, sockets and lifetimes.

It is the only place sessions are made, found and freed: a tab resumes or starts one, attaches its socket
and detaches it; sessions whose tab stays away are reaped; an edit of the script reruns them all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping

from tornado.ioloop import IOLoop, PeriodicCallback

from reactchat.chatbot import ChatFunction
from reactchat.config import Config
from reactchat.media import MediaEntry
from reactchat.runner import Script, ScriptFailed
from reactchat.sender import CLOSE_REPLACED, Sender, Socket
from reactchat.session import Session


class Sessions(Mapping[str, Session]):
    """Every live session of ``script``, by resume token, and the sender of each to its tab's socket.

    Used on the loop thread only; a session's worker thread reaches its sender through ``loop``.
    """

    def __init__(self, script: Script, config: Config) -> None:
        self.script = script
        self.config = config
        self.senders: dict[Session, Sender] = {}
        self.loop = IOLoop.current()
        self._sessions: dict[str, Session] = {}
        self._media: dict[str, Session] = {}  # media key -> session (the key is not the resume token)
        self._discovering = asyncio.Lock()
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

    def resume(self, token: str | None) -> Session | None:
        """The session for ``token``, or a new one (None when at the session limit)."""
        session = self._sessions.get(token) if token else None
        if session is not None and not session.closed:
            return session
        if len(self._sessions) >= self.config.max_sessions:
            self.reap()
            if len(self._sessions) >= self.config.max_sessions:
                return None
        session = Session(self.script, self.config, self._wake)
        self._sessions[session.token] = session
        self.senders[session] = Sender(session)
        self._media[session.media.key] = session
        session.start()
        return session

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

    def media(self, key: str, media_id: str) -> MediaEntry | None:
        """The entry a session registered under ``media_id``; ``key`` names the session (without being its
        resume token)."""
        session = self._media.get(key)
        return session.media.get(media_id) if session is not None else None

    def reap(self) -> None:
        """Close sessions whose tab has been away longer than the grace period."""
        now = time.monotonic()
        for token, session in list(self._sessions.items()):
            since = session.detached_since
            if session.closed or (since is not None and now - since > self.config.session_grace):
                session.close()
                del self._sessions[token]
                self.senders.pop(session, None)
                self._media.pop(session.media.key, None)

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
            session.show_overlay()
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
        # A hidden session: never registered, so no tab can reach it and the reaper never sees it.
        session = Session(self.script, self.config, lambda _session, _urgent: None)
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
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()
