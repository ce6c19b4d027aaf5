"""Passwords for ``--auth password``: argon2id hashes (argon2-cffi), a check that costs the same for an
unknown user as for a wrong password, and the limit on failed attempts per user and per address."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

__all__ = ["MAX_FAILURES", "MAX_NAME", "WINDOW", "Attempts", "check", "hash_password", "valid_name"]

MAX_FAILURES = 5  # failed attempts allowed per user, and per address, in a WINDOW
WINDOW = 300.0  # seconds
KEPT = 10_000  # users and addresses whose failures are remembered (the oldest are forgotten first)
MAX_NAME = 64
MAX_PASSWORD = 1024  # hashing a megabyte would be a cheap way to spend the server's CPU


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise RuntimeError("--auth password needs argon2-cffi: pip install 'reactchat[auth]'") from None
    return PasswordHasher()


def valid_name(name: str) -> str | None:
    """Why ``name`` cannot be a user name (None when it can): 1-64 characters, no spaces or control
    characters."""
    if not 0 < len(name) <= MAX_NAME:
        return f"a user name has 1 to {MAX_NAME} characters, got {len(name)}"
    if any(c.isspace() or not c.isprintable() for c in name):
        return f"a user name has no spaces or control characters, got {name!r}"
    return None


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (with its own salt and parameters, as argon2 encodes them).

    Raises:
        ValueError: the password is empty or longer than 1,024 characters.
    """
    if not password or len(password) > MAX_PASSWORD:
        raise ValueError(f"a password has 1 to {MAX_PASSWORD} characters, got {len(password)}")
    return str(_hasher().hash(password))


_DUMMY: list[str] = []  # a hash to check unknown users against, made on first use


def check(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches ``password_hash``. With no hash (an unknown user, a removed password)
    a dummy hash is still checked, so the answer takes as long as for a wrong password."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    if len(password) > MAX_PASSWORD:
        return False
    if not _DUMMY:
        _DUMMY.append(hasher.hash("reactchat: no such user"))
    try:
        return bool(hasher.verify(password_hash or _DUMMY[0], password)) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


class Attempts:
    """Failed sign-ins per key (a user name, an address) within a sliding ``window``; a key with
    ``limit`` failures is refused until the oldest ages out. Thread-safe; bounded to ``kept`` keys."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = WINDOW, kept: int = KEPT) -> None:
        self.limit = limit
        self.window = window
        self.kept = kept
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> float:
        """Seconds until every one of ``keys`` may try again (0: now)."""
        now = time.monotonic()
        longest = 0.0
        with self._lock:
            for key in keys:
                times = [t for t in self._failures.get(key, ()) if now - t < self.window]
                if len(times) >= self.limit:
                    longest = max(longest, times[-self.limit] + self.window - now)
        return longest

    def fail(self, *keys: str) -> None:
        """Count a failed attempt against each of ``keys``."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                times = [t for t in self._failures.pop(key, ()) if now - t < self.window]
                self._failures[key] = [*times, now][-self.limit :]
            while len(self._failures) > self.kept:
                self._failures.popitem(last=False)

    def forget(self, *keys: str) -> None:
        """A successful sign-in clears the user's failures (not the address's: one good password does not
        buy an address more guesses at other users)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
