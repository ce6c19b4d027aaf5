from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest

from reactchat.config import Config
from reactchat.memory import LARGE, Ceiling, HeapTrim, parse_size, resident_bytes
from reactchat.ops import NOTE
from reactchat.testing import ChatTest
from tests.conftest import ROOT


def test_parse_size_reads_units_and_names_bad_text() -> None:
    assert parse_size("512MB") == 512 << 20
    assert parse_size("2G") == 2 << 30
    assert parse_size("1.5GiB") == 3 << 29
    assert parse_size("1000") == 1000
    with pytest.raises(ValueError, match="'lots'"):
        parse_size("lots")


def test_resident_bytes_grows_with_an_allocation() -> None:
    before = resident_bytes()
    block = bytearray(64 << 20)
    block[::4096] = b"x" * len(block[::4096])  # touch every page so it is resident
    assert resident_bytes() - before > 32 << 20
    del block


def test_a_run_that_allocates_past_the_ceiling_is_stopped(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
            import reactchat as rc
            if (text := rc.chat_input()) == "grow":
                rc.message("user", text)
                hoard = []
                while True:  # allocates without ever calling reactchat
                    block = bytearray(1 << 20)
                    block[::4096] = b"x" * len(block[::4096])
                    hoard.append(block)
            elif text:
                rc.message("assistant", "alive")
        """),
        config=Config(stop_grace=30),
    )
    ceiling = Ceiling(resident_bytes() + (256 << 20), lambda: [t.session])
    done = threading.Event()

    def watch() -> None:  # as the server's loop does, a few times a second
        while not done.wait(0.05):
            ceiling.check()

    threading.Thread(target=watch, daemon=True).start()
    try:
        t.send("grow", wait=False)
        t.wait_for(lambda t: t.run_state == "stopped")
    finally:
        done.set()
    assert any("--max-memory" in op[1] for op in t.ops if op[0] == NOTE)
    assert resident_bytes() < ceiling.limit + (128 << 20)  # the hoard went with the run
    t.send("ping")
    assert t.messages[-1]["content"] == "alive"


def test_under_the_ceiling_nothing_is_stopped(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app("import reactchat as rc\nrc.chat_input()\n"))
    assert Ceiling(resident_bytes() + (1 << 30), lambda: [t.session]).check() == 0


def test_a_server_freezes_what_it_started_with_and_collects_in_full_rarely() -> None:
    # In an interpreter of its own: the collector's settings are the process's.
    check = (
        "import gc\n"
        "from reactchat.memory import FULL_COLLECTION_AFTER, settle_collector\n"
        "assert gc.get_freeze_count() == 0 and gc.get_threshold()[2] == 10\n"
        "settle_collector()\n"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()\n"
        "assert gc.get_threshold()[2] == FULL_COLLECTION_AFTER > 10\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, cwd=ROOT)


def test_give_back_returns_the_freed_heap_of_large_buffers_to_the_system() -> None:
    # In an interpreter of its own, as a session's thread does with a long transcript's frames: glibc keeps
    # what large buffers leave in a thread's heap until it is trimmed.
    check = (
        "import threading\n"
        "from reactchat.memory import give_back, resident_bytes\n"
        "kept = []\n"
        "def frames():\n"
        "    first = bytes(700_000)  # freed, it raises the heap's thresholds: the next ones stay in it\n"
        "    del first\n"
        "    held = []\n"
        "    for _ in range(40):\n"
        "        held.append(b'x' * 700_000)\n"
        "        kept.append(bytearray(600))  # a small block after each: the heap's top stays in use\n"
        "thread = threading.Thread(target=frames)\n"
        "thread.start()\n"
        "thread.join()\n"
        "before = resident_bytes()\n"
        "if not give_back():\n"
        "    raise SystemExit('no malloc_trim here')\n"
        "print((before - resident_bytes()) >> 20)\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=ROOT)
    if "no malloc_trim" in done.stderr and not os.environ.get("CI"):
        pytest.skip("this C library has no malloc_trim (not glibc): nothing to give back")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 10  # of the 27 MB the buffers took


def test_a_large_release_trims_the_heap_soon_after_once_for_the_releases_meanwhile() -> None:
    async def releases() -> list[bool]:
        trim = HeapTrim(after=0.0)
        seen = [trim.released(LARGE - 1), trim.released(LARGE), trim.released(LARGE)]
        for _ in range(100):  # the trim runs at one of the loop's next turns
            if not trim.pending:
                break
            await asyncio.sleep(0)
        seen.append(trim.pending)
        seen.append(trim.released(LARGE))  # a release after it: another trim
        return seen

    assert asyncio.run(releases()) == [False, True, False, False, True]
