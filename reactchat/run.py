"""One execution of the script for one session: its trigger, its tree builder, its cancel token, and the
per-feature records that the modules declaring things keep for the length of the run."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

    from reactchat.identity import Identity
    from reactchat.interrupts import Cancel
    from reactchat.media import MediaStore
    from reactchat.reconcile import Reconciler
    from reactchat.registry import Registry
    from reactchat.state import SessionState, WidgetValues
    from reactchat.transcript import Transcript
    from reactchat.trigger import Trigger
    from reactchat.uploads import Uploads

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a run may use of its session and app; all of it outlives the run."""

    state: SessionState
    widgets: WidgetValues
    media: MediaStore
    uploads: Uploads
    registry: Registry
    frame_interval: float
    event_loop: Callable[[], asyncio.AbstractEventLoop]  # the worker thread's loop, made on first use
    transcript: Transcript | None = None  # the stored conversation, when the app is served with a store
    user: Identity | None = None  # the signed-in user (None: an anonymous browser)
    sign_in_url: str | None = None  # where an anonymous visitor can sign in (None: the app has no sign-in)


class Run:
    """One execution of the script for one session.

    Modules keep what they declare during a run (chat options, the sidebar, thoughts, pending media) in
    records of their own types: ``run.part(Record)`` makes one on first use, ``run.put(record)`` replaces it.
    """

    __slots__ = ("_parts", "cancel", "id", "reconciler", "scope", "trigger")

    def __init__(
        self, run_id: int, trigger: Trigger, reconciler: Reconciler, cancel: Cancel, scope: Scope
    ) -> None:
        self.id = run_id
        self.trigger = trigger
        self.reconciler = reconciler
        self.cancel = cancel
        self.scope = scope
        self._parts: dict[type, Any] = {}

    def part(self, kind: type[T]) -> T:
        """This run's record of type ``kind``, made with ``kind()`` on first use."""
        record = self._parts.get(kind)
        if record is None:
            record = self._parts[kind] = kind()
        return record

    def find(self, kind: type[T]) -> T | None:
        """This run's record of type ``kind``, or None if nothing made one."""
        return self._parts.get(kind)

    def put(self, record: object) -> None:
        """Replace this run's record of ``record``'s type."""
        self._parts[type(record)] = record

    def checkpoint(self) -> None:
        """Raise the pending interrupt, if any."""
        self.cancel.check()
