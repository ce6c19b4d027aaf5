"""What a session knows of the tabs that show it: the last event each sent, and the small number each is
named by in EVACK."""

from __future__ import annotations

import collections
import itertools

__all__ = ["MAX_EVENT_GAP", "MAX_TABS", "Tabs"]

MAX_EVENT_GAP = 1000  # a tab keeps at most 100 unconfirmed events; numbers far beyond are refused
MAX_TABS = 64  # tabs whose event numbers a session remembers


class Tabs:
    """Event numbers per tab (the most recent ``MAX_TABS`` tabs) and each tab's small number. Not
    thread-safe: the session calls it under its own lock."""

    def __init__(self) -> None:
        self._ev_seqs: collections.OrderedDict[str, int] = collections.OrderedDict()  # per tab, LRU
        self._numbers: dict[str, int] = {}
        self._next = itertools.count(1)

    def accept(self, tab: str, ev_seq: int) -> bool:
        """Note event ``ev_seq`` from ``tab``; False for a duplicate (already received: a resend).

        Raises:
            ValueError: ``ev_seq`` is further ahead than a tab can be.
        """
        last = self._ev_seqs.get(tab)  # a tab new to this session may start anywhere (a restart)
        if last is not None and ev_seq <= last:
            return False
        if last is not None and ev_seq > last + MAX_EVENT_GAP:
            raise ValueError(
                f"event number {ev_seq} jumps past {last + MAX_EVENT_GAP} (last received: {last})"
            )
        self._ev_seqs[tab] = ev_seq
        self._ev_seqs.move_to_end(tab)
        if len(self._ev_seqs) > MAX_TABS:
            self._ev_seqs.popitem(last=False)
        return True

    def hello(self, tab: str) -> tuple[int, int]:
        """The last event received from ``tab``, and the small number EVACK names it by."""
        if len(self._numbers) >= 2 * MAX_TABS and tab not in self._numbers:
            del self._numbers[next(iter(self._numbers))]  # the oldest
        return self._ev_seqs.get(tab, 0), self._numbers.setdefault(tab, next(self._next))
