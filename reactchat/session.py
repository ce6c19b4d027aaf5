"""A browser session: its state, its tree, its queue of events and its turn on the run threads (``pool``)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import itertools
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from reactchat import context
from reactchat.actions import Interactions, interpret
from reactchat.config import Config
from reactchat.gate import OPENINGS
from reactchat.identity import Identity
from reactchat.interrupts import Cancel, RerunRequested, ShuttingDown, StopRequested
from reactchat.markdown import markdown_source_props
from reactchat.media import MediaStore
from reactchat.ops import ERR, EVACK, NOTE, RUN
from reactchat.outbox import Outbox
from reactchat.pool import Pool, Ticket, shared
from reactchat.protocol import Event
from reactchat.reconcile import Reconciler
from reactchat.rerender import send_whole
from reactchat.run import Run, Scope
from reactchat.runner import Outcome, Script, execute
from reactchat.script_loop import ScriptLoop
from reactchat.state import SessionState, WidgetValues
from reactchat.tabs import Tabs
from reactchat.transcript import Transcript
from reactchat.tree import Tree
from reactchat.trigger import RERUN
from reactchat.turns import record_event
from reactchat.uploads import Uploads
from reactchat.widgets import accept_value

_CLOSED, _IDLE = object(), object()  # _IDLE: nothing to do, the worker gives its thread back to the pool
FORCE_AFTER = 0.5  # seconds an interrupt waits for a checkpoint before it is raised inside the script
log = logging.getLogger("reactchat")


class Session:
    """One tab's session. It outlives its WebSocket: a reconnecting tab resumes it by ``token``.

    The worker (the session's ticket on the ``pool``'s threads) owns the tree and the state while a run
    executes; other threads only enqueue events, request interrupts, or read the tree under ``lock`` for a
    snapshot. While the pool has no free thread the worker waits in line: the tab shows a running answer and
    a note saying it waits.
    """

    def __init__(
        self,
        script: Script,
        config: Config,
        wake: Callable[[Session, bool], None],
        transcript: Transcript | None = None,
        user: Identity | None = None,
        pool: Pool | None = None,
    ) -> None:
        self.token = f"{config.port}.{secrets.token_urlsafe(24)}"  # the port: nginx routes uploads by it
        self.user = user  # who the tab is (an anonymous browser, a signed-in user; None without a store)
        self.script = script
        self.config = config
        self.pool = pool if pool is not None else shared(config.run_threads)
        self.lock = threading.Lock()
        self.tree = Tree(markdown_source_props)  # a markdown render goes with its frame (tree.Rendered)
        self.outbox = Outbox(self.lock, config.replay_bytes, lambda urgent: wake(self, urgent))
        self.state = SessionState(_refuse_abandoned_writes)
        self.widgets = WidgetValues(self.state)
        self.media = MediaStore()
        self.uploads = Uploads(config.max_session_upload_bytes)
        self.interactions = Interactions()  # what the last rc.chat declared: callbacks, examples
        self.transcript = transcript  # the stored conversation this tab shows, when served with a store
        self._widget_updates: dict[int, Any] = {}  # node id -> value, applied at the next run's start
        self.status = "running"  # until the first run ends: a snapshot before then holds no page yet
        self._tabs = Tabs()  # the last event number of each tab, and what EVACK names it by
        self.detached_since: float | None = time.monotonic()
        self.run: Run | None = None
        self._run_ids = itertools.count(1)
        self._cond = threading.Condition()
        self._events: collections.deque[Event] = collections.deque()
        self._rerun = True  # the first run renders the page
        self._closed = False
        self._busy = True
        self._worker: Ticket | None = None  # waiting for a pool thread, or running on one
        self._abandoned: list[Ticket] = []  # workers of abandoned runs, until their thread is free
        self._blocked = False  # too many abandoned runs: no worker until one of them ends
        self._loop = ScriptLoop(self._cond)  # for async scripts
        self._show: str | None = None  # a stored conversation to show from the next run (a tab's URL)
        self._reload = False  # another tab changed the conversation shown: read it again before the next run
        if transcript is not None:
            transcript.on_change = self.follow
            transcript.on_stop = self._stop_run

    # -- called from any thread --------------------------------------------------------------------------

    def start(self) -> None:
        with self._cond:
            self._wake()  # the first run renders the page

    def _wake(self) -> None:
        # Called with _cond held, after queueing work: a session holds a thread only while it has work, so
        # start one unless one is running (it takes the work) or abandoned runs block new ones.
        self._busy = True
        if self._worker is None and not self._closed and not self._blocked:
            self._spawn_worker()

    def submit(self, event: Event, tab: str = "") -> bool:
        """Queue a user event from ``tab``; False for a duplicate (``ev_seq`` already received from that tab:
        a resend). A widget's ``set`` is state, not a run: the latest value wins, applied at the next run's
        start, and one rerun follows. Raises ValueError for an ``ev_seq`` further ahead than a tab can be."""
        with self._cond:
            if not self._tabs.accept(tab, event.ev_seq):
                return False
            event = dataclasses.replace(event, tab=tab)
            if event.action == "set":
                self._widget_updates[event.node_id] = event.value
                self._rerun = True
            else:
                self._events.append(event)
            self._wake()
        if self._blocked:
            self._spawn_worker_if_allowed()  # kept in the queue until an abandoned run's thread ends
        return True

    def hello(self, tab: str = "") -> tuple[int, int]:
        """What a tab's HELLO tells it: its last event received, and the small number EVACK names it by."""
        with self._cond:
            return self._tabs.hello(tab)

    def show(self, conversation_id: str) -> None:
        """Show the stored conversation ``conversation_id`` from the next run (a tab opened its URL)."""
        self.outbox.hold_tree(True)  # a page that has nothing yet gets nothing until it is read
        with self._cond:
            self._show, self._rerun = conversation_id, True
            self._wake()

    def follow(self) -> None:
        """Another tab changed the stored conversation this one shows: show it again (after the run going,
        if any; a run is never interrupted for it)."""
        with self._cond:
            self._reload = self._rerun = True
            self._wake()

    def request_rerun(self) -> None:
        """Run again with the current code: interrupts a running run (keeping its output)."""
        with self._cond:
            self._rerun, run = True, self.run
            self._wake()
        if run is not None:
            run.cancel.request(RerunRequested)
            self._watch_interrupt(run)

    def stop(self, note: str | None = None, kind: type[StopRequested] = StopRequested) -> bool:
        """End the running run, keeping its partial output (Stop, or the server must; ``note`` says why);
        whether one ran. A tab following an answer another tab runs (here or elsewhere) stops that one."""
        stopped, transcript = self._stop_run(note, kind), self.transcript
        if not stopped and transcript is not None and transcript.id is not None and kind is StopRequested:
            transcript.followers.stop(transcript.id)
        return stopped

    def _stop_run(self, note: str | None = None, kind: type[StopRequested] = StopRequested) -> bool:
        run = self.run
        if run is None:
            return self._stop_waiting(note)
        if note is not None:
            self.outbox.push_now([NOTE, note])
        run.cancel.request(kind)
        self._watch_interrupt(run)
        return True

    def _stop_waiting(self, note: str | None) -> bool:
        """Stop before it started: drop the events whose run waits for a thread (a rerun keeps its place)."""
        with self._cond:
            worker = self._worker
            if worker is None or not worker.waiting or not self._events:
                return False
            dropped, self._events = list(self._events), collections.deque()
            if not self._rerun and self.pool.withdraw(worker):
                self._worker, self._busy = None, False
                self._cond.notify_all()
        for event in dropped:  # dealt with: the tab need not send them to another session
            self.outbox.push_now([EVACK, self.hello(event.tab)[1], event.ev_seq])
        self.status = "stopped"
        self.outbox.push_now([RUN, "stopped"])
        self.outbox.push_now([NOTE, note or "Stopped before it started: nothing was answered."])
        return True

    def close(self) -> None:
        """Free the session: stop its run (closing any stream's generator) and end its worker."""
        with self._cond:
            self._closed = True
            self._events.clear()
            self._cond.notify()
            if self._worker is not None and self.pool.withdraw(self._worker):
                self._worker, self._busy = None, False  # it never got a thread
                self._cond.notify_all()
            idle = self._worker is None and self.run is None  # else the worker closes the loop as it ends
            loop = self._loop.take() if idle else None
        if loop is not None:
            loop.close()
        self.stop(kind=ShuttingDown)
        if self.transcript is not None:
            self.transcript.followers.forget(self.transcript)
        self.uploads.remove_all()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def waiting(self) -> bool:
        """Whether the session's work waits for a free run thread."""
        return (worker := self._worker) is not None and worker.waiting

    def wait_idle(self, timeout: float) -> bool:
        """Block until no run is going and no event is queued; returns False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy, timeout)

    def _work_came(self, wait: float = 0.0) -> bool:
        with self._cond:  # an event, a rerun or the close (waited for up to ``wait`` seconds)
            return self._cond.wait_for(lambda: bool(self._events or self._rerun or self._closed), wait)

    def snapshot(self) -> None:
        """Queue the whole tree (``rerender.send_whole``), run state and overlay for a client with nothing."""
        with self.lock:
            send_whole(self.tree, self.outbox)
            self.outbox.push([RUN, "running" if self.run is not None or self.waiting else self.status])
            self.outbox.push([ERR, self.script.overlay])

    # -- the worker ---------------------------------------------------------------------------------------

    def _spawn_worker(self) -> None:
        # With _cond held, which _work takes first: its ticket is in `holder` by then.
        holder: list[Ticket] = []
        self._worker = self.pool.submit(lambda: self._work(holder))
        holder.append(self._worker)
        if self._worker.waiting:  # shown as a running answer (Stop works), with a note saying why not yet
            self.outbox.push_now([RUN, "running"])
            if self.pool.held_by_runs:
                self.outbox.push_now([NOTE, self.pool.waiting_note(self._worker)])

    def _watch_interrupt(self, run: Run) -> None:
        """Make an interrupt reach ``run``: raised in the script's thread if no checkpoint took it soon (a
        pure-Python loop); the run abandoned if still going after the grace (blocked in C, or catching it)."""
        grace = self.config.stop_grace

        def force() -> None:
            if self.run is run:
                run.cancel.force()

        def abandon() -> None:
            with self._cond:
                if self.run is not run:
                    return
                self.run, worker, self._worker = None, self._worker, None
                self._loop.drop()
                if worker is not None:
                    self._abandoned.append(worker)
                    self.pool.abandon(worker)  # counted there until its thread is free
            with self.lock:
                run.cancel.abandon()
                run.reconciler.revoked = True
            log.warning("session %s: a run ignored Stop for %.1f s and was abandoned (blocked in a C call?);"
                        " its thread is free when that call returns", self.token[-6:], grace)  # fmt: skip
            self.status = "stopped"
            self.outbox.push_now([RUN, "stopped"])
            note = f"The answer could not be stopped within {grace:g} s, so it was abandoned."
            self.outbox.push_now([NOTE, note])
            if not self._closed:
                self._spawn_worker_if_allowed()

        for delay, action in ((min(FORCE_AFTER, grace / 2), force), (grace, abandon)):
            timer = threading.Timer(delay, action)
            timer.daemon = True
            timer.start()

    def _spawn_worker_if_allowed(self, me: Ticket | None = None) -> None:
        """A new worker, unless one runs or too many abandoned runs of this session still hold threads."""
        with self._cond:
            worker = self._worker
            if self._closed or (worker is not None and not worker.finished):
                return
            # an abandoned worker that is ending (me) counts no more
            self._abandoned = [t for t in self._abandoned if not t.finished and t is not me]
            self._blocked = len(self._abandoned) >= self.config.max_abandoned_runs
            if not self._blocked:
                self._spawn_worker()
                return
            self._busy = False
            self._cond.notify_all()
            count = len(self._abandoned)
        note = f"{count} answers could not be stopped and still run: new messages wait until they end."
        self.outbox.push_now([NOTE, note])

    def _next_job(self, me: Ticket) -> Event | object | None:
        with self._cond:
            if self._closed or (not self._events and not self._rerun):
                if self._worker is me:
                    self._worker = None  # the next piece of work starts a thread again (_wake)
                self._busy = False
                self._cond.notify_all()
                return _CLOSED if self._closed else _IDLE
            self._busy, self._rerun = True, False
            return self._events.popleft() if self._events else None

    def _work(self, holder: list[Ticket]) -> None:
        with self._cond:
            me = holder[0]
        used: list[asyncio.AbstractEventLoop] = []
        loop_source = self._loop.source(used)
        try:
            while self._worker is me:
                job = self._next_job(me)
                if job is _CLOSED or job is _IDLE or self._worker is not me:
                    return
                assert job is None or isinstance(job, Event)
                self._execute(job, loop_source)
        finally:
            self._loop.release(used, self._closed and self.run is None)
            if self._blocked:  # an abandoned run's thread ends: there may be room for a worker again
                self._spawn_worker_if_allowed(me)

    def _execute(self, event: Event | None, loop_source: Callable[[], asyncio.AbstractEventLoop]) -> None:
        with self._cond:
            if self._closed:
                return
            updates, self._widget_updates = self._widget_updates, {}
            show, self._show = self._show, None
            reload, self._reload = self._reload, False
        transcript = self.transcript
        try:
            if transcript is not None and show is not None and show != transcript.id:
                transcript.open(show)
            elif transcript is not None and reload:
                transcript.reload()  # another tab changed it
        except Exception as exc:  # the store is down: the tab keeps what it shows
            self.outbox.push_now([NOTE, f"Could not open the conversation: {exc}"])
        for node_id, value in updates.items():  # widget changes since the last run: latest wins
            if (node := self.tree.nodes.get(node_id)) is not None and node.kind == "widget":
                accept_value(self.widgets, node, value)
        with transcript.turn() if transcript is not None and event is not None else contextlib.nullcontext():
            trigger = RERUN if event is None else interpret(event, self.tree, self.interactions, self.uploads)
            if trigger.notice is not None:
                self.outbox.push_now([NOTE, trigger.notice])
            if transcript is not None and event is not None:
                target = self.tree.nodes.get(trigger.target) if trigger.target is not None else None
                origin = f"{event.tab}:{event.ev_seq}" if event.tab else None
                stored = target.props.get("id") if target is not None else None
                trigger, note = record_event(transcript, trigger, stored, origin, self.uploads)
                if note is not None:
                    self.outbox.push_now([NOTE, note])
            signed_in = self.user if self.user is not None and not self.user.anonymous else None
            scope = Scope(self.state, self.widgets, self.media, self.uploads, self.script.registry,
                          self.config.frame_interval, loop_source, transcript, signed_in,
                          self.config.auth.sign_in_url)  # fmt: skip
            rec = Reconciler(self.tree, (box := self.outbox).push, self.lock, box.carries, box.hold_tree)
            run = Run(next(self._run_ids), trigger, rec, Cancel(), scope)
            with self._cond:
                if self._closed:
                    return
                self.run = run
            self.outbox.start_run()
            marked = self.tree.nodes.get(trigger.target) if trigger.target is not None else None
            if marked is not None and trigger.mark:
                rec.set(marked, trigger.mark)  # shown at once (a like), kept across reruns
            with OPENINGS.passage(run.id == 1):  # a session's first run: tabs opening at once take turns
                outcome = execute(self.script, run)
            if event is not None:  # applied and answered: the tab need not send it to another session
                self.outbox.push_now([EVACK, self.hello(event.tab)[1], event.ev_seq])
            if (declared := run.find(Interactions)) is not None:
                self.interactions = declared
            if outcome is Outcome.ABANDONED:
                return
            with self._cond:
                if self.run is run:
                    self.run = None
                if outcome is Outcome.RERUN:
                    self._rerun = True
                    return
            self.status = outcome.value
            self.outbox.push_now([RUN, outcome.value])
            if rec.unchecked and rec.check_taken(self.outbox.wait_sent):  # a message changed in place
                self.request_rerun()
        renders = transcript.renders if transcript is not None else None
        if renders is not None and renders.behind:  # older texts shown plain: render them while idle
            renders.catch_up(self.tree, rec.show, self._work_came)


def _refuse_abandoned_writes() -> None:
    """Session state's write guard: a run that was abandoned (it ignored Stop) must not write."""
    if (run := context.active_run()) is not None:
        run.cancel.check_writable()
