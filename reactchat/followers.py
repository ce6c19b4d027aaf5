"""Tabs that show the same stored conversation, in this process and in others on the same store: whom to tell
when it changes, so they follow it live; whose turn it is, so runs that answer in one conversation never
overlap (a lock here, and the conversation's lease in the store across processes); and where a Stop pressed
in a tab that is not running the answer must go.

A process keeps a conversation's lease for ``KEEP`` seconds after a turn ends, so the next turn of the same
tab (the usual case) costs no store write to take it and none to give it back; it gives it back sooner when
another process asks for it.

Processes on one PostgreSQL store tell each other with ``Store.notify`` (ids only: the data stays in the
store, where the woken tabs read it): ``c`` a conversation changed, ``o`` an owner's list changed, ``s`` stop
the answer running in a conversation, ``r`` a conversation's lease was released, ``w`` a process waits for a
conversation's lease (its holder gives it back as soon as no turn runs), ``*`` anything may have changed (the
listener was away).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import socket
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from reactchat.leases import Fence, LeaseStore, fenced

__all__ = ["LEASE_TTL", "Followers", "followers_for"]

log = logging.getLogger("reactchat")

LEASE_TTL = 5.0  # seconds a process holds a conversation's lease without renewing it (a dead one's moves on)
RENEW_EVERY = LEASE_TTL / 3
WAIT_POLL = 0.5  # seconds between two tries of a lease another process holds (a release wakes us sooner)
ASK_EVERY = 4  # tries between two "w" (asking the holder to give the lease back), should one be lost
KEEP = 2.0  # seconds a lease is kept once its turn ended, for the next turn (given back at a renewal after)

Notify = Callable[[], object]


class Followers:
    """For one store: the tabs watching each conversation and list, the turn of each conversation, and this
    process's leases with their renewal."""

    def __init__(self, store: LeaseStore | None = None) -> None:
        self.store = store
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._lock = threading.Lock()
        self._released = threading.Condition(self._lock)  # a lease may be free: waiters try again
        self._watching: dict[str, dict[int, Notify]] = {}
        self._owners: dict[str, dict[int, Notify]] = {}  # tabs showing an owner's list
        self._running: dict[str, dict[int, Notify]] = {}  # how to stop the run answering in a conversation
        self._turns: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        self._held: dict[str, int] = {}  # this process's leases: conversation -> fence number
        self._idle: dict[str, float] = {}  # those whose turn ended: when (time.monotonic())
        self._renewed: dict[str, float] = {}  # when the store last confirmed each (its lease runs from then)
        self._wanted: set[str] = set()  # those another process asked for while a turn ran: given back after
        self._renewing: threading.Thread | None = None
        self.stop_listening = store.listen(self._received) if store is not None else None
        if store is not None:  # a stopping process gives back the leases it kept
            atexit.register(_give_back_kept, weakref.ref(self))

    def watch(self, conversation_id: str | None, who: object, notify: Notify) -> None:
        """``who`` shows ``conversation_id`` now (None: nothing stored); ``notify`` is called when another
        tab, here or in another process, changes it."""
        with self._lock:
            for watchers in self._watching.values():
                watchers.pop(id(who), None)
            if conversation_id is not None:
                self._watching.setdefault(conversation_id, {})[id(who)] = notify

    def watch_list(self, owner: str, who: object, notify: Notify) -> None:
        """``who`` shows ``owner``'s conversation list; ``notify`` is called when another tab changes it."""
        with self._lock:
            self._owners.setdefault(owner, {})[id(who)] = notify

    def forget(self, who: object) -> None:
        """``who`` is gone (its session closed)."""
        with self._lock:
            for watchers in (*self._watching.values(), *self._owners.values()):
                watchers.pop(id(who), None)

    def list_changed(self, owner: str, by: object) -> None:
        """``by`` changed ``owner``'s list (a new conversation, a title, a deletion): tell the owner's other
        tabs."""
        with self._lock:
            others = [n for w, n in self._owners.get(owner, {}).items() if w != id(by)]
        for notify in others:
            notify()
        self._tell("o", owner)

    def changed(self, conversation_id: str | None, by: object) -> None:
        """``by`` changed ``conversation_id``: tell every other tab showing it."""
        if conversation_id is None:
            return
        with self._lock:
            others = [n for w, n in self._watching.get(conversation_id, {}).items() if w != id(by)]
        for notify in others:
            notify()
        self._tell("c", conversation_id)

    def stop(self, conversation_id: str) -> None:
        """Stop the answer running in ``conversation_id``, wherever it runs (a Stop pressed in a tab that
        follows it)."""
        with self._lock:
            here = list(self._running.get(conversation_id, {}).values())
        for stop in here:
            stop()
        self._tell("s", conversation_id)

    def turn(self, conversation_id: str, on_stop: Notify | None = None) -> Any:
        """What a run holds while it answers in ``conversation_id``: this process's lock on it, then the
        conversation's lease (waiting while another process's lasts), under whose fence its writes are made.
        ``on_stop`` stops the run when a Stop for it arrives from another tab."""
        with self._lock:
            lock = self._turns.get(conversation_id)
            if lock is None:
                lock = self._turns[conversation_id] = _Lock()
        return _Turn(self, conversation_id, lock, on_stop)

    # --- leases

    def _take(self, conversation_id: str) -> Fence | None:
        """The conversation's lease for this process, waiting while another holds it (None without a store,
        or when the store cannot be reached: the run's own writes then fail and say so). Called with the
        conversation's turn lock held."""
        store = self.store
        if store is None:
            return None
        started = time.monotonic()
        with self._lock:
            kept = self._held.get(conversation_id)
            if (
                kept is not None
                and self._idle.pop(conversation_id, None) is not None
                and started - self._renewed.get(conversation_id, 0.0) < LEASE_TTL - RENEW_EVERY
            ):  # kept since the last turn, and renewed lately: nobody can have taken it since
                return Fence(conversation_id, self.holder, kept)
        tries = 0
        while True:
            try:
                number = store.take_lease(conversation_id, self.holder, LEASE_TTL)
            except Exception as error:  # the store is down
                log.warning("taking the lease of %s failed: %s", conversation_id, error)
                return None
            if number is not None:
                break
            if tries % ASK_EVERY == 0:  # its holder may only be keeping it: ask for it
                self._tell("w", conversation_id)
            tries += 1
            with self._released:
                self._released.wait(WAIT_POLL)
        with self._lock:
            self._held[conversation_id] = number
            self._renewed[conversation_id] = started
            self._idle.pop(conversation_id, None)
            if self._renewing is None:
                self._renewing = threading.Thread(target=self._renew, name="reactchat-leases", daemon=True)
                self._renewing.start()
        return Fence(conversation_id, self.holder, number)

    def _give_back(self, conversation_id: str) -> None:
        """The turn ended: its lease is kept for the next, unless another process asked for it."""
        with self._lock:
            if conversation_id not in self._held:
                return  # lost meanwhile
            if conversation_id not in self._wanted:
                self._idle[conversation_id] = time.monotonic()
                return
        self._release(conversation_id)

    def _release(self, conversation_id: str) -> None:
        """Give a lease back in the store now. Called with the conversation's turn lock held, or when no
        turn can hold it."""
        with self._lock:
            self._wanted.discard(conversation_id)
            self._idle.pop(conversation_id, None)
            self._renewed.pop(conversation_id, None)
            if self._held.pop(conversation_id, None) is None:
                return
        if self.store is not None:
            try:  # (the store tells the other processes: "r")
                self.store.release_lease(conversation_id, self.holder)
            except Exception as error:  # it runs out by itself
                log.warning("releasing the lease of %s failed: %s", conversation_id, error)

    def _release_kept(self, conversation_id: str, *, asked: bool = False) -> None:
        """Give back a lease kept after its turn, unless a turn holds it now (when another process ``asked``
        for it, that turn gives it back as it ends)."""
        with self._lock:
            lock = self._turns.get(conversation_id)
            if lock is None:
                lock = self._turns[conversation_id] = _Lock()
            if conversation_id not in self._held:
                return
            if asked:
                self._wanted.add(conversation_id)
        if lock.lock.acquire(blocking=False):
            try:
                with self._lock:
                    idle = conversation_id in self._idle
                if idle:
                    self._release(conversation_id)
            finally:
                lock.lock.release()

    def give_back_kept(self) -> None:
        """Give back every lease kept after its turn (the process is stopping)."""
        with self._lock:
            kept = list(self._idle)
        for conversation_id in kept:
            self._release_kept(conversation_id)

    def _renew(self) -> None:
        while True:
            time.sleep(RENEW_EVERY)  # a period, not a wait on news: releases elsewhere need no renewal here
            with self._lock:
                if getattr(self.store, "closed", False):  # nothing left to renew, nor to give back
                    self._held.clear()
                    self._idle.clear()
                held = list(self._held)
                if not held:
                    self._renewing = None
                    return
            asked = time.monotonic()
            try:
                lost = self.store.renew_leases(self.holder, held, LEASE_TTL) if self.store else []
            except Exception as error:  # the store is down: the leases may run out; fences keep it safe
                log.warning("renewing leases failed: %s", error)
                continue
            with self._lock:
                for conversation_id in held:
                    if conversation_id in lost:
                        self._held.pop(conversation_id, None)
                        self._idle.pop(conversation_id, None)
                        self._renewed.pop(conversation_id, None)
                        self._wanted.discard(conversation_id)
                    elif conversation_id in self._held:
                        self._renewed[conversation_id] = asked
                idle = [c for c, since in self._idle.items() if asked - since >= KEEP]
            for conversation_id in idle:  # no next turn came: given back
                self._release_kept(conversation_id)
            for conversation_id in lost:
                log.warning(
                    "the lease of %s was taken by another process: its run here is stopped", conversation_id
                )
                with self._lock:
                    stops = list(self._running.get(conversation_id, {}).values())
                for stop in stops:
                    stop()

    # --- between processes

    def _tell(self, kind: str, ident: str) -> None:
        if self.store is not None:
            self.store.notify(kind, ident)

    def _received(self, kind: str, ident: str) -> None:
        # On the store's listener thread: another process's news.
        with self._lock:
            if kind == "c":
                calls = list(self._watching.get(ident, {}).values())
            elif kind == "o":
                calls = list(self._owners.get(ident, {}).values())
            elif kind == "s":
                calls = list(self._running.get(ident, {}).values())
            elif kind == "*":
                calls = [n for w in (*self._watching.values(), *self._owners.values()) for n in w.values()]
            else:
                calls = []
            if kind in ("r", "*"):
                self._released.notify_all()
            wanted = kind == "w" and ident in self._held
        for call in calls:
            call()
        if wanted:  # another process waits for a lease this one holds: given back once no turn runs
            self._release_kept(ident, asked=True)


class _Lock:
    """A lock that can be held in a WeakValueDictionary (plain locks cannot be weakly referenced)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()


class _Turn:
    """A run's turn in one conversation (``Followers.turn``)."""

    def __init__(
        self, followers: Followers, conversation_id: str, lock: _Lock, on_stop: Notify | None
    ) -> None:
        self.followers = followers
        self.conversation_id = conversation_id
        self.lock = lock  # kept alive while the turn is
        self.on_stop = on_stop
        self._fenced: contextlib.AbstractContextManager[None] | None = None

    def __enter__(self) -> _Turn:
        self.lock.lock.acquire()
        try:
            fence = self.followers._take(self.conversation_id)
        except BaseException:
            self.lock.lock.release()
            raise
        if fence is not None:
            self._fenced = fenced(fence)
            self._fenced.__enter__()
        if self.on_stop is not None:
            with self.followers._lock:
                self.followers._running.setdefault(self.conversation_id, {})[id(self)] = self.on_stop
        return self

    def __exit__(self, *_exc: object) -> None:
        followers = self.followers
        try:
            with followers._lock:
                running = followers._running.get(self.conversation_id, {})
                running.pop(id(self), None)
                if not running:
                    followers._running.pop(self.conversation_id, None)
            if self._fenced is not None:
                self._fenced.__exit__(None, None, None)
                self._fenced = None
                followers._give_back(self.conversation_id)
        finally:
            self.lock.lock.release()
        with followers._lock:  # asked for between the give-back and the lock's release: given back now
            asked = self.conversation_id in followers._wanted and self.conversation_id in followers._idle
        if asked:
            followers._release_kept(self.conversation_id)


def _give_back_kept(followers: weakref.ref[Followers]) -> None:
    found = followers()
    if found is not None and not getattr(found.store, "closed", False):
        found.give_back_kept()


_BY_STORE: weakref.WeakKeyDictionary[Any, Followers] = weakref.WeakKeyDictionary()
_BY_STORE_LOCK = threading.Lock()


def followers_for(store: LeaseStore) -> Followers:
    """The followers of conversations in ``store`` (one registry per store object in this process; it
    listens to the other processes on the store from its creation)."""
    with _BY_STORE_LOCK:
        found = _BY_STORE.get(store)
        if found is None:
            found = _BY_STORE[store] = Followers(store)
        return found
