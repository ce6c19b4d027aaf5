from __future__ import annotations

import threading
import time

from reactchat.ops import APP, ERR, INS, RUN, SET, SNAP, Op, apply
from reactchat.outbox import Outbox
from reactchat.protocol import VERSION, decode_frame
from reactchat.reconcile import Reconciler
from reactchat.tree import Tree


def make(replay_bytes: int = 1 << 20) -> tuple[Outbox, list[bool]]:
    wakes: list[bool] = []
    return Outbox(threading.Lock(), replay_bytes, wakes.append), wakes


def test_one_wakeup_per_frame_and_ops_coalesce() -> None:
    box, wakes = make()
    box.push_now([INS, 0, None, [1, "markdown", {"tail": ""}, []]])
    for ch in "hello":
        box.push_now([APP, 1, "tail", ch, 0])
    assert wakes == [False]
    frame = box.take_frame()
    assert frame is not None
    assert decode_frame(frame) == (VERSION, 1, [[INS, 0, None, [1, "markdown", {"tail": "hello"}, []]]])
    assert box.take_frame() is None
    box.push_now([RUN, "running"])
    assert wakes == [False, False]


def test_the_end_of_a_run_asks_for_an_immediate_frame() -> None:
    box, wakes = make()
    box.push_now([RUN, "running"])
    box.push_now([INS, 0, None, [1, "markdown", {}, []]])
    box.push_now([RUN, "done"])
    assert wakes == [False, True] and box.urgent
    box.take_frame()
    assert not box.urgent


def test_replay_after_a_seq_and_ack_trims() -> None:
    box, _ = make()
    frames = []
    for i in range(5):
        box.push_now([RUN, str(i)])
        frames.append(box.take_frame())
    assert box.replay_after(2) == frames[2:]
    assert box.replay_after(5) == []
    assert box.replay_after(-1) is None and box.replay_after(9) is None
    assert box.ack(3) == sum(map(len, frames[:3]))  # the bytes let go (HeapTrim is told them)
    assert box.ack(3) == 0
    assert box.replay_after(2) is None  # acked frames are gone: the client gets a snapshot instead
    assert box.replay_after(3) == frames[3:]


def test_replay_buffer_is_bounded_by_bytes() -> None:
    box, _ = make(replay_bytes=2000)
    for _ in range(50):
        box.push_now([RUN, "x" * 100])
        box.take_frame()
    assert box.replay_after(49) is not None
    assert box.replay_after(10) is None
    kept = box.replay_after(box.seq - 1)
    assert kept is not None and sum(len(f) for f in box._replay) <= 2000


def test_the_whole_tree_goes_in_place_of_the_ops_that_built_it_then_ops_flow_again() -> None:
    lock = threading.Lock()
    box = Outbox(lock, 1 << 20, [].append)
    tree = Tree()
    sunk: list[Op] = []

    def sink(op: Op) -> None:
        sunk.append(op)
        box.push(op)

    rec = Reconciler(tree, sink, lock, box.carries)
    rec.begin()
    rec.emit("message", {"role": "user"})  # before: its INS goes, and is dropped for the tree
    with lock:
        box.send_tree(tree.to_wire)
        box.push([RUN, "running"])
    assert box.sending_tree
    for i in range(3):
        rec.enter(rec.emit("message", {"role": "assistant"}))
        rec.emit("markdown", {"html": f"<p>{i}</p>"})
        rec.exit()
    rec.set(tree.root.children[0], {"feedback": "like"})
    assert [op[0] for op in sunk] == [INS, SET]  # no insert built while the whole tree goes next
    frame = box.take_frame()
    assert frame is not None and not box.sending_tree
    _, _, ops = decode_frame(frame)
    assert [op[0] for op in ops] == [SNAP, RUN] and ops[0][1] == tree.to_wire()
    rec.emit("message", {"role": "user"})
    rec.finish(prune=True)
    frame = box.take_frame()
    assert frame is not None and [op[0] for op in decode_frame(frame)[2]] == [INS]
    assert apply(ops[0][1], decode_frame(frame)[2]) == tree.to_wire()
    with lock:
        box.send_tree(tree.to_wire)
        box.push([ERR, None])
    frame = box.take_frame()
    assert frame is not None and [op[0] for op in decode_frame(frame)[2]] == [SNAP, ERR]


def test_a_whole_tree_not_ready_holds_every_frame_until_tree_ready_and_then_goes_with_them() -> None:
    box, wakes = make()
    made: list[list[object]] = []

    def whole() -> list[object] | None:
        return made[0] if made else None

    with box.lock:
        box.send_tree(whole)
        box.push([RUN, "running"])
    assert box.take_frame() is None and box.sending_tree  # (the tree is being made)
    box.push_now([ERR, None])
    assert box.take_frame() is None  # nothing before the tree: the page could apply none of it
    with box.lock:
        box.tree_ready(lambda: None)  # another tree's (replaced since): no effect
    assert box.take_frame() is None
    made.append([0, "root", {}, [[1, "message", {"role": "user"}, []]]])
    wakes.clear()
    with box.lock:
        box.tree_ready(whole)
    assert wakes == [True] and box.urgent
    frame = box.take_frame()
    assert frame is not None and not box.sending_tree
    assert decode_frame(frame)[2] == [[SNAP, made[0]], [RUN, "running"], [ERR, None]]


def test_a_whole_tree_waits_while_a_history_is_declared_and_goes_whole_at_its_end() -> None:
    box, wakes = make()
    tree = Tree()
    rec = Reconciler(tree, box.push, box.lock, box.carries, box.hold_tree)
    rec.begin()
    with box.lock:
        box.send_tree(tree.to_wire)
        box.push([RUN, "running"])
    items = tuple(f"m{i}" for i in range(3))
    _, start = rec.reuse_prefix(items, None)
    for i, text in enumerate(items):
        rec.emit("message", {"role": "user", "text": text})
        if i == 0:  # the sender's first wait ends here: what the page would get is the history's first part
            wakes.clear()
            assert box.take_frame() is None and box.sending_tree
    assert wakes == []  # the rest of the history pushed nothing that wakes the sender: its end does
    rec.remember_prefix(start, items, None)
    assert wakes == [False] and box.first_due > time.monotonic()  # the run's end may come with it
    frame = box.take_frame()
    assert frame is not None
    ops = decode_frame(frame)[2]
    assert [op[0] for op in ops] == [SNAP, RUN] and len(ops[0][1][3]) == 3  # the whole history at once


def test_a_run_that_ends_inside_its_history_lets_the_tree_go() -> None:
    box, _ = make()
    with box.lock:
        box.send_tree(lambda: [0, "root", {}, []])
    box.hold_tree(True)
    assert box.take_frame() is None
    box.push_now([RUN, "error"])  # the history raised: the run ended without remember_prefix
    frame = box.take_frame()
    assert frame is not None and [op[0] for op in decode_frame(frame)[2]] == [SNAP, RUN]


def test_a_conversation_read_before_the_run_holds_the_tree_until_the_run_starts() -> None:
    box, wakes = make()
    with box.lock:
        box.send_tree(lambda: [0, "root", {}, []])
    box.hold_tree(True)  # Session.show: the conversation is read on the worker before the first run
    wakes.clear()
    assert box.take_frame() is None  # the first wait ended during the read: nothing, not the empty page
    box.start_run()
    assert wakes == [False] and box.first_due > 0  # due again, after the run's first wait
    frame = box.take_frame()
    assert frame is not None and [op[0] for op in decode_frame(frame)[2]] == [SNAP, RUN]


def test_a_paced_outbox_tells_when_the_frames_pending_went() -> None:
    box, _ = make()
    box.push_now([RUN, "idle"])
    assert box.wait_sent(0)  # the headless runner takes frames when the run is idle: nothing to wait for
    box.paced = True  # a sender takes them as they come
    assert not box.wait_sent(0)
    assert box.take_frame() is not None
    assert not box.wait_sent(0)  # taken, not yet handed to the socket
    box.sent()
    assert box.wait_sent(0)
