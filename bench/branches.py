"""Section 6b: versions of a stored conversation (#10). Opening a conversation whose tree holds 20 branches
of 50 turns each costs what its 50-turn path alone costs; paging a version costs bytes for what changes on
screen, not for the whole conversation."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from bench import headless
from bench.apps import Apps
from bench.report import Section, median, ms
from reactchat.store import Store, open_store
from reactchat.testing import ChatTest

TURNS = 50
BRANCHES = 20
RUNS = 7
OPEN_RATIO_TARGET = 1.25


def _turns(store: Store, owner: str, conversation: str, first: int, last: int, tag: str) -> None:
    for n in range(first, last):
        store.add(owner, conversation, role="user", content=f"Question {n} ({tag}): what about case {n}?")
        store.add(owner, conversation, role="assistant", content=f"You said: Question {n} ({tag}).")


def seed(store: Store, owner: str, app: str) -> tuple[str, str]:
    """A 50-turn conversation, and one whose tree holds 20 branches of 50 turns each: the main line, then a
    version of the answer at every other turn from turn 11 on, each with its own turns to the 50th."""
    alone = store.create(owner, app).id
    _turns(store, owner, alone, 0, TURNS, "main")
    tree = store.create(owner, app).id
    _turns(store, owner, tree, 0, TURNS, "main")
    path = store.path(owner, tree)
    for b in range(1, BRANCHES):
        turn = TURNS - 2 * b  # 48, 46, ... 12: a fork ever earlier
        question = path[2 * turn]
        store.set_leaf(owner, tree, question.id)
        store.add(owner, tree, role="assistant", content=f"Another answer to question {turn} (version {b}).")
        _turns(store, owner, tree, turn + 1, TURNS, f"branch {b}")
    store.switch(owner, tree, path[2 * TURNS - 1].id)  # back to the main line, at its last answer
    return alone, tree


def run(apps: Apps, sec: Section, data: dict[str, Any]) -> None:
    """Measure section 6b into ``sec`` and ``data``."""
    path = apps.stored()
    app = os.path.splitext(os.path.basename(path))[0]
    with tempfile.TemporaryDirectory(prefix="reactchat-bench-") as folder:
        store = open_store(f"sqlite:///{folder}/branches.db")
        try:
            identifier = "bench:branches"
            owner = store.user(identifier)
            alone, tree = seed(store, owner, app)
            opened: dict[str, list[float]] = {"alone": [], "tree": []}
            for _ in range(RUNS):
                for key, conversation in (("alone", alone), ("tree", tree)):
                    start = time.perf_counter()
                    t = ChatTest(path, store=store, owner=identifier, conversation=conversation,
                                 timeout=headless.TIMEOUT)  # fmt: skip
                    opened[key].append(time.perf_counter() - start)
                    shown = len(t.messages)
                    t.close()
                    if shown != 2 * TURNS:
                        raise RuntimeError(f"the {key} conversation shows {shown} messages, not {2 * TURNS}")
            t = ChatTest(path, store=store, owner=identifier, conversation=tree, timeout=headless.TIMEOUT)
            try:
                whole = t.bytes_sent
                paged: dict[int, int] = {}
                for turn in (48, 12):  # a version near the end, then one near the start
                    before = t.bytes_sent
                    t.branch(2 * turn + 1, 1)
                    paged[turn] = t.bytes_sent - before
            finally:
                t.close()
        finally:
            store.close()
    a, b = median(opened["alone"]), median(opened["tree"])
    data.update(
        {
            "turns": TURNS,
            "branches": BRANCHES,
            "open_alone_ms": round(a * 1e3, 2),
            "open_tree_ms": round(b * 1e3, 2),
            "open_ratio": round(b / a, 3),
            "open_bytes": whole,
            "page_bytes": {str(k): v for k, v in paged.items()},
        }
    )
    sec.info(f"open a {TURNS}-turn conversation (new tab -> idle), median of {RUNS}", ms(a))
    sec.info(f"open one whose tree holds {BRANCHES} branches of {TURNS} turns, the same", ms(b))
    sec.check("  ratio, the tree / its path alone", f"{b / a:.2f}x", f"<= {OPEN_RATIO_TARGET}x",
              b / a <= OPEN_RATIO_TARGET)  # fmt: skip
    sec.info("bytes of the new tab's first frames", f"{whole:,} B")
    for turn, sent in paged.items():
        changed = 2 * (TURNS - turn)
        sec.check(
            f"page the answer of turn {turn} (about {changed} messages change on screen)",
            f"{sent:,} B",
            f"<= {changed} x 400 B",
            sent <= changed * 400,
        )
    sec.note(
        "SQLite file store; the app is examples/conversations.py without its model's delay; each message"
        " about 40 characters; bytes = WebSocket frames of the run the pager's click starts"
    )
