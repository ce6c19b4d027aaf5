from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from reactchat.interrupts import StopRequested
from reactchat.run import Run
from reactchat.state import SessionState
from reactchat.testing import ChatTest


class Record(list[str]):
    """A per-feature record, as the declaring modules keep them."""


def test_part_makes_a_record_on_first_use_and_keeps_it(bare_run: Run) -> None:
    run = bare_run
    assert run.find(Record) is None
    record = run.part(Record)
    assert record == [] and isinstance(record, Record)
    record.append("x")
    assert run.part(Record) is record and run.find(Record) is record


def test_put_replaces_the_record_of_its_type(bare_run: Run) -> None:
    run = bare_run
    run.part(Record).append("old")
    new = Record(["new"])
    run.put(new)
    assert run.part(Record) is new and run.find(Record) == ["new"]
    assert run.find(list) is None  # kept by exact type


def test_checkpoint_raises_what_the_cancel_token_holds(bare_run: Run) -> None:
    run = bare_run
    run.checkpoint()
    run.cancel.request(StopRequested)
    with pytest.raises(StopRequested):
        run.checkpoint()


def test_a_scope_is_frozen(bare_run: Run) -> None:
    run = bare_run
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.scope.state = SessionState()  # type: ignore[misc]


def test_records_last_one_run_and_the_scope_outlives_it(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import collections
        import reactchat as rc
        from reactchat import context
        run = context.current_run()
        seen = rc.session_state.setdefault("seen", [])
        seen.append((run.id, run.find(collections.Counter), id(run.scope.state)))
        run.part(collections.Counter)["declared"] += 1
        rc.chat_input()
    """)
    )
    t.send("a")
    t.send("b")
    ids = [run_id for run_id, _, _ in t.session.state["seen"]]
    assert len(set(ids)) == 3 and ids == sorted(ids)  # a new run each time
    assert [found for _, found, _ in t.session.state["seen"]] == [None, None, None]
    assert {state for _, _, state in t.session.state["seen"]} == {id(t.session.state)}
