"""The run threads: a bounded pool that sessions' runs wait in line for, and that streams' pumps only borrow
from."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reactchat.config import Config
from reactchat.feed import consume_sync
from reactchat.interrupts import Cancel
from reactchat.markdown import DEFAULT
from reactchat.ops import NOTE, RUN, Op
from reactchat.pool import Pool, Ticket
from reactchat.protocol import Event, decode_frame
from reactchat.reconcile import Reconciler
from reactchat.runner import Script
from reactchat.session import Session
from reactchat.stream import Writer
from reactchat.tree import Tree

WAIT = 10.0  # seconds a test waits for a condition before it fails


class Gate:
    """Work that blocks until opened, counting how many are inside at once."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.open = False
        self.inside = self.most = self.entered = 0

    def enter(self) -> None:
        with self.cond:
            self.inside += 1
            self.entered += 1
            self.most = max(self.most, self.inside)
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.open, WAIT)
            self.inside -= 1
            self.cond.notify_all()

    def until(self, condition: Callable[[], bool]) -> None:
        with self.cond:
            assert self.cond.wait_for(condition, WAIT)

    def release(self) -> None:
        with self.cond:
            self.open = True
            self.cond.notify_all()


GATE = Gate()  # the scripts below reach it as tests.test_pool.GATE


@pytest.fixture
def gate() -> Iterator[Gate]:
    global GATE
    GATE = Gate()
    yield GATE
    GATE.release()


def test_no_more_than_size_jobs_run_at_once_and_the_waiting_ones_all_run(gate: Gate) -> None:
    pool = Pool(2)
    tickets = [pool.submit(gate.enter) for _ in range(5)]
    gate.until(lambda: gate.inside == 2)
    assert [t.state for t in tickets] == ["running"] * 2 + ["waiting"] * 3
    assert pool.ahead(tickets[4]) == 2 and pool.waiting == 3
    gate.release()
    gate.until(lambda: gate.entered == 5 and gate.inside == 0)
    assert gate.most == 2 and pool.peak == 2


def test_a_borrowed_thread_is_only_a_spare_one(gate: Gate) -> None:
    pool = Pool(2)
    pool.submit(gate.enter)
    assert pool.borrow(gate.enter) is not None  # the second thread was spare
    assert pool.borrow(gate.enter) is None  # none left
    waiting = pool.submit(gate.enter)
    assert waiting.waiting and pool.wanted()
    assert not pool.held_by_runs  # it waits behind a pump, which gives its thread back at its next chunk
    gate.release()
    gate.until(lambda: gate.entered == 3 and gate.inside == 0)
    _until(lambda: pool.running == 0)  # (each thread gives its slot back just after its job returns)
    closed = Gate()
    pool.submit(closed.enter)
    pool.submit(closed.enter)
    closed.until(lambda: closed.inside == 2)
    assert pool.held_by_runs  # runs alone hold them: a run submitted now would be told it waits
    closed.release()
    closed.until(lambda: closed.entered == 2 and closed.inside == 0)


def test_settle_waits_for_the_threads_lent_to_pumps(gate: Gate) -> None:
    pool = Pool(2)
    assert pool.settle(0) and pool.borrow(gate.enter) is not None
    gate.until(lambda: gate.inside == 1)
    assert not pool.settle(0.01)  # the pump still has its thread
    gate.release()
    assert pool.settle(WAIT)


def test_wait_quiet_returns_after_a_stretch_without_runs(gate: Gate) -> None:
    pool = Pool(1)
    assert pool.wait_quiet(0.0, timeout=WAIT)  # nothing runs
    pool.submit(gate.enter)
    gate.until(lambda: gate.inside == 1)
    assert not pool.wait_quiet(0.01, timeout=0.05)  # a run holds its thread throughout
    got: list[tuple[bool, int, float]] = []
    waiter = threading.Thread(
        target=lambda: got.append((pool.wait_quiet(0.2, timeout=WAIT), gate.inside, time.monotonic()))
    )
    waiter.start()
    gate.release()
    gate.until(lambda: gate.inside == 0)
    ended = time.monotonic()
    waiter.join(WAIT)
    quiet, inside, at = got[0]
    assert quiet and inside == 0 and at - ended > 0.1  # 0.2 s from the run's end, seen a little after it


def test_a_waiting_ticket_can_be_withdrawn_and_never_runs(gate: Gate) -> None:
    pool = Pool(1)
    pool.submit(gate.enter)
    ran: list[int] = []
    ticket = pool.submit(lambda: ran.append(1))
    assert pool.withdraw(ticket) and ticket.state == "withdrawn" and not pool.wanted()
    last = pool.submit(gate.enter)
    gate.release()
    gate.until(lambda: gate.entered == 2 and gate.inside == 0)
    _until(lambda: last.finished)
    assert ran == [] and not pool.withdraw(last)


def test_abandoned_runs_are_counted_until_their_thread_is_free(gate: Gate) -> None:
    pool = Pool(1)
    stuck = pool.submit(gate.enter)
    gate.until(lambda: gate.inside == 1)
    pool.abandon(stuck)
    pool.abandon(stuck)  # once
    assert pool.abandoned == 1
    after = pool.submit(lambda: None)
    assert after.waiting  # the abandoned run still holds the only thread: the pool is exhausted
    gate.release()
    _until(lambda: after.finished)
    assert pool.abandoned == 0


def _until(condition: Callable[[], bool]) -> None:
    done = threading.Event()
    for _ in range(int(WAIT / 0.01)):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("condition still false")


# -- sessions on a pool -------------------------------------------------------------------------------------


def _session(
    write_app: Callable[[str, str], str], pool: Pool, name: str = "app.py", config: Config | None = None
) -> Session:
    path = write_app(
        """
        import reactchat as rc
        import tests.test_pool as t
        t.GATE.enter()
        rc.chat_input()
        """,
        name,
    )
    script = Script(path)
    script.load()
    config = config or Config(frame_interval=0)
    return Session(script, config, lambda _session, _urgent: None, pool=pool)


def _ops(session: Session) -> list[Op]:
    ops: list[Op] = []
    while (frame := session.outbox.take_frame()) is not None:
        ops.extend(decode_frame(frame)[2])
    return ops


def test_sessions_beyond_the_pool_wait_shown_waiting_and_all_complete(
    write_app: Callable[[str, str], str], gate: Gate
) -> None:
    pool = Pool(2)
    sessions = [_session(write_app, pool) for _ in range(5)]
    for session in sessions:
        session.start()
    gate.until(lambda: gate.inside == 2)
    waiting = [s for s in sessions if s.waiting]
    assert len(waiting) == 3
    for session in waiting:
        ops = _ops(session)
        assert [RUN, "running"] in ops  # the tab shows an answer going (Stop works)
        assert any(op[0] == NOTE and "Waiting for the server" in op[1] for op in ops)
        session.snapshot()
        assert [RUN, "running"] in _ops(session)
    gate.release()
    assert all(s.wait_idle(WAIT) for s in sessions)
    assert gate.most == 2 and gate.entered == 5
    assert all(s.status == "done" and not s.waiting for s in sessions)
    for session in sessions:
        session.close()


def test_stop_of_a_waiting_run_drops_its_events(write_app: Callable[[str, str], str], gate: Gate) -> None:
    pool = Pool(1)
    first, second = _session(write_app, pool, "a.py"), _session(write_app, pool, "b.py")
    first.start()
    gate.until(lambda: gate.inside == 1)
    second.start()
    second.submit(Event(ev_seq=1, node_id=1, action="submit", value="hi"), tab="t")
    assert second.waiting
    assert second.stop()
    ops = _ops(second)
    assert [RUN, "stopped"] in ops and any(op[0] == NOTE and "before it started" in op[1] for op in ops)
    gate.release()
    assert first.wait_idle(WAIT) and second.wait_idle(WAIT)
    assert gate.entered == 2  # the second session rendered its page; the stopped event never ran


def test_a_waiting_session_that_closes_gives_its_place_up(
    write_app: Callable[[str, str], str], gate: Gate
) -> None:
    pool = Pool(1)
    first, second = _session(write_app, pool, "a.py"), _session(write_app, pool, "b.py")
    first.start()
    gate.until(lambda: gate.inside == 1)
    second.start()
    second.close()  # closing withdraws it from the line
    assert pool.waiting == 0
    gate.release()
    assert first.wait_idle(WAIT) and second.wait_idle(WAIT)
    assert gate.entered == 1


def test_a_run_abandoned_in_a_blocking_call_keeps_its_thread_and_later_runs_are_told_why_they_wait(
    write_app: Callable[[str, str], str], gate: Gate
) -> None:
    pool = Pool(1)
    config = Config(frame_interval=0, stop_grace=0.2)
    stuck, later = _session(write_app, pool, "a.py", config), _session(write_app, pool, "b.py", config)
    stuck.start()
    gate.until(lambda: gate.inside == 1)  # blocked in a lock's wait: C code, which Stop cannot interrupt
    assert stuck.stop()
    _until(lambda: pool.abandoned == 1)
    later.start()
    assert later.waiting  # the abandoned run still holds the only thread: the pool is exhausted
    notes = [op[1] for op in _ops(later) if op[0] == NOTE]
    assert any("could not be stopped" in note for note in notes)
    gate.release()  # the blocking call returns: its thread is free again, and the waiting run takes it
    assert later.wait_idle(WAIT)
    _until(lambda: pool.abandoned == 0)
    assert later.status == "done" and gate.entered == 2


# -- streams on a pool --------------------------------------------------------------------------------------


def _writer() -> Writer:
    ops: list[Op] = []
    rec = Reconciler(Tree(), ops.append, threading.Lock())
    rec.begin()
    node = rec.emit("markdown", {"html": "", "cuts": []})
    return Writer(rec, node, DEFAULT, 0.01)


def _on_pool(pool: Pool, job: Callable[[], Any]) -> Ticket:
    return pool.submit(job)


def test_with_no_spare_thread_a_stream_runs_on_the_runs_own_thread() -> None:
    pool = Pool(1)
    threads: list[str] = []
    w = _writer()

    def chunks() -> Iterator[str]:
        for chunk in ["a", "b", "c"]:
            threads.append(threading.current_thread().name)
            yield chunk

    def run() -> None:
        consume_sync(w, chunks(), Cancel())
        threads.append(threading.current_thread().name)

    ticket = _on_pool(pool, run)
    _until(lambda: ticket.finished)
    assert w.finish() == "abc" and len(set(threads)) == 1 and pool.peak == 1


def test_a_pump_gives_its_thread_back_when_a_run_waits(gate: Gate) -> None:
    pool = Pool(2)
    w = _writer()
    step = threading.Semaphore(0)
    closed: list[bool] = []

    def chunks() -> Iterator[str]:
        try:
            for chunk in ["a", "b", "c", "d"]:
                step.acquire(timeout=WAIT)
                yield chunk
        finally:
            closed.append(True)

    done = pool.submit(lambda: consume_sync(w, chunks(), Cancel()))
    _until(lambda: pool.running == 2)  # the run and its pump
    step.release()  # "a", from the pump
    waiting = pool.submit(gate.enter)
    assert waiting.waiting
    step.release()  # "b": then the pump sees the waiting run and hands the rest back
    gate.until(lambda: gate.inside == 1)
    step.release()
    step.release()
    gate.release()
    _until(lambda: done.finished)
    assert w.finish() == "abcd" and closed == [True] and pool.peak == 2


def test_an_async_script_with_no_spare_thread_reads_a_sync_stream_on_its_loop() -> None:
    import asyncio

    from reactchat.feed import consume_async

    pool = Pool(1)
    threads: list[str] = []
    w = _writer()

    def chunks() -> Iterator[str]:
        for chunk in ["a", "b"]:
            threads.append(threading.current_thread().name)
            yield chunk

    def run() -> None:
        asyncio.run(consume_async(w, chunks(), Cancel()))
        threads.append(threading.current_thread().name)

    ticket = pool.submit(run)
    _until(lambda: ticket.finished)
    assert w.finish() == "ab" and len(set(threads)) == 1
