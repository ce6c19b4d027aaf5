from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from reactchat.reconcile import Reconciler
from reactchat.state import SessionState, WidgetValues
from reactchat.testing import ChatTest
from reactchat.tree import Node, Tree


class Refused(Exception):
    pass


class Guard:
    """A write guard that refuses writes once ``closed``, as the session's does for an abandoned run."""

    def __init__(self) -> None:
        self.closed = False

    def __call__(self) -> None:
        if self.closed:
            raise Refused()


def test_attribute_access_is_item_access() -> None:
    state = SessionState()
    state.history = [1]
    state["count"] = 2
    assert state["history"] == [1] and state.count == 2
    assert dict(state) == {"history": [1], "count": 2} and len(state) == 2 and "count" in state
    del state.history
    del state["count"]
    assert dict(state) == {}


def test_a_missing_name_is_an_attribute_error_saying_how_to_set_it() -> None:
    state = SessionState()
    with pytest.raises(AttributeError, match=r"no key 'history'.*rc\.session_state\.history = \.\.\."):
        _ = state.history
    with pytest.raises(AttributeError):
        del state.history
    with pytest.raises(KeyError):
        _ = state["history"]
    assert getattr(state, "history", "default") == "default"  # hasattr/getattr work as usual


def test_the_guard_refuses_every_write_and_no_read() -> None:
    guard = Guard()
    state = SessionState(guard)
    state.a = 1
    state["b"] = [2]
    state.setdefault("c", 3)
    guard.closed = True
    # Reads, of every kind, still work.
    assert (state.a, state["b"], state.get("c"), list(state), len(state), "a" in state) == (
        1, [2], 3, ["a", "b", "c"], 3, True,
    )  # fmt: skip
    writes: list[Callable[[], object]] = [
        lambda: setattr(state, "a", 9),
        lambda: state.__setitem__("b", 9),
        lambda: delattr(state, "a"),
        lambda: state.__delitem__("b"),
        lambda: state.update(d=4),
        lambda: state.setdefault("e", 5),
        lambda: state.pop("c"),
        lambda: state.clear(),
    ]
    for write in writes:
        with pytest.raises(Refused):
            write()
    assert dict(state) == {"a": 1, "b": [2], "c": 3}  # nothing changed


def widget(rec: Reconciler, key: str | None = None) -> Node:
    return rec.emit("widget", {"type": "text_input"}, key)


def test_widget_values_by_key_live_in_session_state_and_by_key_path_do_not() -> None:
    state = SessionState()
    values = WidgetValues(state)
    rec = Reconciler(Tree(), [].append, threading.Lock())
    rec.begin()
    keyed, unkeyed = widget(rec, "name"), widget(rec)
    sidebar = rec.emit("sidebar", {})
    rec.enter(sidebar)
    nested = widget(rec)  # the same (kind, n) key as ``unkeyed``, in another parent
    rec.exit()
    rec.finish(prune=True)
    assert unkeyed.key == nested.key and unkeyed.key_path() != nested.key_path()
    assert values.get(keyed, "default") == "default"
    values.put(keyed, "Ada")
    values.put(unkeyed, "top")
    values.put(nested, "side")
    assert dict(state) == {"name": "Ada"}  # only the keyed widget's value is session state
    assert (values.get(keyed, None), values.get(unkeyed, None), values.get(nested, None)) == (
        "Ada", "top", "side",
    )  # fmt: skip
    state["name"] = "Grace"  # and the script may set it there
    assert values.get(keyed, None) == "Grace"


def test_a_keyed_widget_value_is_session_state_in_a_real_session(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.session_state.seen = (rc.text_input("Name", "anon", key="name"), rc.text_input("City", "Oslo"))
    """)
    )
    t.set("Name", "Ada")
    t.set("City", "Rome")
    assert t.session.state["seen"] == ("Ada", "Rome")
    assert t.session.state["name"] == "Ada" and "City" not in t.session.state
