"""A session's tabs: event numbers per tab (duplicates refused, jumps refused) and their small numbers."""

from __future__ import annotations

import pytest

from reactchat.tabs import MAX_EVENT_GAP, MAX_TABS, Tabs


def test_a_resent_event_is_a_duplicate_and_each_tab_counts_its_own() -> None:
    tabs = Tabs()
    assert tabs.accept("a", 5) and tabs.accept("b", 1)
    assert not tabs.accept("a", 5) and not tabs.accept("a", 3)
    assert tabs.accept("a", 6)
    assert tabs.hello("a")[0] == 6 and tabs.hello("b")[0] == 1 and tabs.hello("new")[0] == 0


def test_a_number_further_ahead_than_a_tab_can_be_is_refused() -> None:
    tabs = Tabs()
    tabs.accept("a", 1)
    with pytest.raises(ValueError, match="jumps past"):
        tabs.accept("a", 2 + MAX_EVENT_GAP)


def test_each_tab_keeps_its_small_number_and_old_tabs_are_forgotten() -> None:
    tabs = Tabs()
    first = tabs.hello("a")[1]
    assert tabs.hello("b")[1] != first and tabs.hello("a")[1] == first
    for i in range(MAX_TABS + 1):
        tabs.accept(f"tab{i}", 1)
    assert tabs.hello("tab0")[0] == 0  # the least recent tab's events are forgotten
