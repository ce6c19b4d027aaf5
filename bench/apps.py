"""The apps the bench runs, written as real script files into a temporary folder."""

from __future__ import annotations

import os
import pathlib
import tempfile

REPO = str(pathlib.Path(__file__).resolve().parent.parent)

_ECHO = '''\
"""examples/echo.py, seeded with SEED prior messages on its first run, timing its own CPU."""

import secrets
import sys
import time

if {repo!r} not in sys.path:
    sys.path.insert(0, {repo!r})

import reactchat as rc
from bench.corpus import make_history

SEED = {seed}
HISTORY_SEED = {history_seed}  # which conversation (different seeds: different texts); None: its own
BASELINE = {baseline}  # True: the same loop over the history, but without any reactchat call

_t0 = time.thread_time()
_profiler = rc.session_state.get("profiler")
if _profiler is not None:
    _profiler.enable()

rc.title("Echo")

if "history" not in rc.session_state:
    seed = HISTORY_SEED if HISTORY_SEED is not None else secrets.randbelow(1 << 30)
    rc.session_state.history = make_history(SEED, seed)

if BASELINE:
    for msg in rc.session_state.history:
        _ = (msg["role"], msg["content"])
else:
    rc.history(rc.session_state.history)

if prompt := rc.chat_input("Say something"):
    reply = f"You said: {{prompt}}"
    if not BASELINE:
        rc.message("user", prompt)
        rc.message("assistant", reply)
    rc.session_state.history += [
        {{"role": "user", "content": prompt}},
        {{"role": "assistant", "content": reply}},
    ]

if _profiler is not None:
    _profiler.disable()
rc.session_state.script_cpu = time.thread_time() - _t0
'''

_STREAM = '''\
"""A 2,000-token markdown answer streamed from a generator, DELAY seconds per token."""

import sys
import time

if {repo!r} not in sys.path:
    sys.path.insert(0, {repo!r})

import reactchat as rc
from bench.corpus import stream_tokens

DELAY = {delay!r}
TOKENS = {tokens}

if "history" not in rc.session_state:
    rc.session_state.history = []

rc.history(rc.session_state.history)


def answer():
    for token in stream_tokens(TOKENS):
        if DELAY:
            time.sleep(DELAY)
        yield token


if prompt := rc.chat_input("Ask me anything"):
    rc.message("user", prompt)
    rc.session_state.history.append({{"role": "user", "content": prompt}})
    with rc.message("assistant"):
        text = rc.write_stream(answer())
    rc.session_state.history.append({{"role": "assistant", "content": text}})
'''


_STORED = '''\
"""examples/conversations.py without its model's delay: the stored history, then a reply in conv.reply(),
either at once (TOKENS == 0: "You said: ...") or TOKENS tokens of bench.corpus, DELAY seconds apart."""

import sys
import time

if {repo!r} not in sys.path:
    sys.path.insert(0, {repo!r})

import reactchat as rc
from bench.corpus import stream_tokens

TOKENS = {tokens}
DELAY = {delay!r}

_t0 = time.thread_time()
_profiler = rc.session_state.get("profiler")
if _profiler is not None:
    _profiler.enable()

rc.title("Stored")
conv = rc.conversation()
conv.show()


def answer(prompt):
    if not TOKENS:
        yield f"You said: {{prompt}}"
        return
    for token in stream_tokens(TOKENS):
        if DELAY:
            time.sleep(DELAY)
        yield token


if prompt := rc.chat_input("Say something"):
    with conv.reply():
        rc.write_stream(answer(prompt))

if _profiler is not None:
    _profiler.disable()
rc.session_state.script_cpu = time.thread_time() - _t0
'''


class Apps:
    """A temporary folder of bench scripts; ``cleanup`` removes it."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="reactchat-bench-")
        self.folder = self._dir.name

    def _write(self, name: str, source: str) -> str:
        path = os.path.join(self.folder, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        return path

    def echo(self, seed: int, *, baseline: bool = False, history_seed: int | None = 1) -> str:
        """The echo app seeded with ``seed`` prior messages of conversation ``history_seed`` (None: each
        session its own, as each user's conversation is)."""
        name = f"echo_{seed}_{history_seed}{'_baseline' if baseline else ''}.py"
        source = _ECHO.format(repo=REPO, seed=seed, baseline=baseline, history_seed=history_seed)
        return self._write(name, source)

    def stream(self, delay: float, tokens: int) -> str:
        name = f"stream_{tokens}_{round(delay * 1e6)}us.py"
        return self._write(name, _STREAM.format(repo=REPO, delay=delay, tokens=tokens))

    def stored(self, tokens: int = 0, delay: float = 0.0) -> str:
        """The stored-conversation app (``rc.conversation``); its conversations are filed under the app name
        ``stored_<tokens>_<delay in us>``, the script's name."""
        name = f"stored_{tokens}_{round(delay * 1e6)}.py"
        return self._write(name, _STORED.format(repo=REPO, tokens=tokens, delay=delay))

    def cleanup(self) -> None:
        self._dir.cleanup()
