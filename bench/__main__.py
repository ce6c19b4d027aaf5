"""``python -m bench`` (``make bench``): reactchat's performance budgets, measured and printed.

Sections: (1) bytes per short turn with 0, 100 and 1,000 prior messages; (2) server CPU per turn at 1,000
prior messages, next to the script's own work, and (2b) with two sessions whose histories together exceed
the markdown render cache; (3) a 2,000-token streamed reply, over a real WebSocket and
headless; (4) time to the first frame over the socket, and ``reactchat run`` startup; (4b) the render bombs
of ``bench/bombs.py``: the CPU each costs and how long it stalls another session; (5) in Chromium: the
first page load, short turns at 0 and 1,000 prior messages, and a streamed reply (``bench/browser.py``); (6)
stored conversations (``rc.conversation()``) on SQLite and PostgreSQL: a turn at 1,000 stored messages, a
stream written through to the store, opening a stored conversation in a new tab, a store of 10,000
conversations, and 100 sessions streaming at once (``bench/conversations.py``); (6b) versions: opening a
conversation of 20 branches against its path alone, and the bytes of paging a version (``bench/branches.py``);
(7) 1 vs 3 workers behind nginx on PostgreSQL streaming to 50-500 sessions, and chaos, a worker killed
every 20 s (``bench/workers.py``); (8) 1,000 idle tabs on one process (memory, threads) and 100 of them
streaming at once (``bench/tabs.py``); (9) server memory per session holding 1,000 messages
(``bench/memory.py``).

Numbers are printed, never asserted: each row shows its value, its target and PASS/MISS; the last line is
one JSON object with every number. ``--profile`` adds a cProfile of the 1,000-message turn.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import reactchat
from bench import (
    bombs,
    branches,
    browser,
    conversations,
    headless,
    issues,
    memory,
    report,
    startup,
    tabs,
    wire,
    workers,
)
from bench.apps import Apps
from bench.corpus import stream_tokens
from bench.report import Section, kb, median, ms, p90
from bench.wire import OP_NAMES
from reactchat.config import Config
from reactchat.markdown import markdown_props
from reactchat.memory import settle_collector
from reactchat.testing import ChatTest

HISTORY_SIZES = (0, 100, 1000)
CPU_TURNS = 30
BYTES_TURNS = 5
WIRE_TURNS = 20
STREAM_TOKENS = 2000
STREAM_DELAY = 0.002
BYTES_TARGET = 2048
CPU_TARGET = 0.010
STREAM_RATIO_TARGET = 2.0
STARTUP_TARGET = 0.5
FIRST_PAGE_TARGET = 0.4  # issue #16: cold start to a usable page
STARTUP_RUNS = 5
MANY_MESSAGES = 2100  # per session; two sessions hold more distinct texts than the render cache's 4,096
MANY_TURNS = 2
BOMB_CPU_TARGET = 0.5  # seconds of render CPU per input, up to the 1 MiB message cap
BOMB_STALL_TARGET = 0.050  # seconds another session may wait while a bomb renders


class Bench:
    def __init__(self, profile: bool, only: list[str] | None = None) -> None:
        self.profile = profile
        self.only = only
        self.config = Config()
        self.apps = Apps()
        self.results: dict[str, Any] = {}
        self.sections: list[Section] = []
        self.apps_open: dict[int, ChatTest] = {}
        self.failed: list[str] = []

    # -- plumbing ------------------------------------------------------------------------------------------

    def section(self, key: str, title: str, body: Callable[[Section, dict[str, Any]], None]) -> None:
        if self.only and key not in self.only:
            return
        sec = Section(title)
        data: dict[str, Any] = {}
        started = time.perf_counter()
        try:
            body(sec, data)
        except Exception as exc:
            self.failed.append(key)
            data["error"] = f"{type(exc).__name__}: {exc}"
            sec.note(f"FAILED: {data['error']}")
            traceback.print_exc()
        data["section_seconds"] = round(time.perf_counter() - started, 3)
        self.results[key] = data
        self.sections.append(sec)
        print(sec.render(), flush=True)
        print(flush=True)

    def close(self) -> None:
        for t in self.apps_open.values():
            t.close()
        self.apps_open.clear()
        self.apps.cleanup()

    def echo(self, n: int) -> ChatTest:
        if n not in self.apps_open:
            self.apps_open[n] = headless.open_app(self.apps.echo(n))
        return self.apps_open[n]

    # -- sections ------------------------------------------------------------------------------------------

    def conditions(self) -> None:
        # The sessions served in this process collect garbage as a `reactchat run` server's do.
        settle_collector()
        cond = report.conditions(self.config.frame_interval, reactchat.__version__)
        cond["gc"] = f"as `reactchat run` sets it: frozen at start, thresholds {gc.get_threshold()}"
        self.results["conditions"] = cond
        print("reactchat bench")
        for name, value in cond.items():
            print(f"  {name:<17} {value}")
        print(flush=True)

    def bytes_per_turn(self, sec: Section, data: dict[str, Any]) -> None:
        per_n: dict[int, dict[str, float]] = {}
        for n in HISTORY_SIZES:
            start = time.perf_counter()
            t = self.echo(n)
            seeded = time.perf_counter() - start
            initial = t.bytes_sent
            headless.turns(t, 2, start=0)  # warm-up: the first turn after seeding has no MOV of the input
            measured = headless.turns(t, BYTES_TURNS, start=2)
            row = {
                "frames": median([m.frames for m in measured]),
                "bytes": median([m.bytes for m in measured]),
                "bytes_max": max(m.bytes for m in measured),
                "seed_seconds": round(seeded, 3),
                "first_run_bytes": initial,
            }
            per_n[n] = row
            data[str(n)] = row
            sec.info(f"N={n}: frames per turn", f"{row['frames']:.0f}")
            sec.check(
                f"N={n}: bytes per turn", kb(row["bytes"]), f"< {BYTES_TARGET} B", row["bytes"] < BYTES_TARGET
            )
            sec.info(f"N={n}: first run (seeding): wall / bytes", f"{seeded:.2f} s / {kb(initial)}")
        ratio = per_n[1000]["bytes"] / per_n[0]["bytes"]
        data["ratio_1000_vs_0"] = round(ratio, 4)
        sec.check("bytes ratio N=1000 / N=0", f"{ratio:.3f}", "<= 1.10", ratio <= 1.10)
        sec.note(
            "headless frames: ChatTest takes frames only when the run is idle, so a whole turn coalesces"
            " into one frame; the socket's frames per turn are in section 4"
        )
        sec.note("DESIGN.md asks for under 1 KB on the wire; the brief's target is 2 KB")

    def cpu_per_turn(self, sec: Section, data: dict[str, Any]) -> None:
        def summary(turns: list[headless.Turn], attr: str) -> dict[str, float]:
            values = [getattr(x, attr) for x in turns]
            return {"median_ms": round(median(values) * 1e3, 3), "p90_ms": round(p90(values) * 1e3, 3)}

        full = self.echo(1000)
        headless.turns(full, 2, start=100)
        measured = headless.turns(full, CPU_TURNS, start=200)
        data["history_len"] = len(full.session.state["history"])
        for attr in ("worker_cpu", "script_cpu", "encode_cpu", "wall"):
            data[attr] = summary(measured, attr)

        base = headless.open_app(self.apps.echo(1000, baseline=True))
        try:
            headless.turns(base, 2, start=100)
            own = headless.turns(base, CPU_TURNS, start=200)
        finally:
            base.close()
        data["own_work_script_cpu"] = summary(own, "script_cpu")
        data["own_work_worker_cpu"] = summary(own, "worker_cpu")

        empty = self.echo(0)
        headless.turns(empty, 2, start=100)
        none = headless.turns(empty, CPU_TURNS, start=200)
        data["n0_worker_cpu"] = summary(none, "worker_cpu")

        worker = [x.worker_cpu + x.encode_cpu for x in measured]
        own_work = median([x.script_cpu for x in own])
        share = median(worker) - own_work
        share_p90 = p90(worker) - own_work
        data["framework_ms"] = {"median": round(share * 1e3, 3), "p90": round(share_p90 * 1e3, 3)}
        extra_messages = data["history_len"] - len(empty.session.state["history"])
        per_message = (median([x.worker_cpu for x in measured]) - median([x.worker_cpu for x in none])) / max(
            1, extra_messages
        )
        data["per_prior_message_us"] = round(per_message * 1e6, 3)

        n = data["history_len"]
        sec.info("history length during the measured turns", f"{n} msgs")
        sec.info("worker thread CPU per turn, median", ms(median([x.worker_cpu for x in measured])))
        sec.info("worker thread CPU per turn, p90", ms(p90([x.worker_cpu for x in measured])))
        sec.info("  of which the script body (in-script)", ms(median([x.script_cpu for x in measured])))
        sec.info("frame encoding per turn (sender), median", ms(median([x.encode_cpu for x in measured])))
        sec.info("submit -> idle wall time, median", ms(median([x.wall for x in measured])))
        sec.info("submit -> idle wall time, p90", ms(p90([x.wall for x in measured])))
        sec.info("script's own work (same loop, no rc calls)", ms(own_work))
        sec.info("worker CPU per turn at N=0, median", ms(median([x.worker_cpu for x in none])))
        sec.info("framework cost per prior message", f"{per_message * 1e6:.2f} us")
        sec.check("framework CPU beyond own work, median", ms(share), "< 10 ms", share < CPU_TARGET)
        sec.check("framework CPU beyond own work, p90", ms(share_p90), "< 10 ms", share_p90 < CPU_TARGET)
        sec.note(
            "worker CPU = CLOCK_THREAD_CPUTIME of the session's worker thread over the whole run (script,"
            " reconcile, coalescing); it excludes the sender's encoding, which is added for the check"
        )
        if self.profile:
            print(headless.profile_turns(full, 10), flush=True)

    def many_sessions(self, sec: Section, data: dict[str, Any]) -> None:
        tests: list[ChatTest] = []
        try:
            start = time.perf_counter()
            for conversation in (11, 12):
                tests.append(headless.open_app(self.apps.echo(MANY_MESSAGES, history_seed=conversation)))
            seeded = time.perf_counter() - start
            measured: list[headless.Turn] = []
            for i in range(MANY_TURNS):
                for t in tests:
                    measured.append(headless.turn(t, headless.prompt(300 + i)))
        finally:
            for t in tests:
                t.close()
        cpu = [x.worker_cpu for x in measured]
        data["sessions"] = len(tests)
        data["messages_per_session"] = MANY_MESSAGES
        data["seed_seconds"] = round(seeded, 3)
        data["worker_cpu_median_ms"] = round(median(cpu) * 1e3, 3)
        data["worker_cpu_max_ms"] = round(max(cpu) * 1e3, 3)
        sec.info("sessions x distinct prior messages", f"{len(tests)} x {MANY_MESSAGES:,}")
        sec.info("first runs (seeding both), wall", f"{seeded:.2f} s")
        sec.info("worker thread CPU per turn, max", ms(max(cpu)))
        sec.info("worker thread CPU per turn, median", ms(median(cpu)))
        # No cliff past the shared render cache: per message, a long history costs what a 1,000-message
        # one does (section 2), within noise. Per message as there: beyond a turn's cost at no history.
        section2 = self.results.get("cpu_per_turn", {})
        fixed = section2.get("n0_worker_cpu", {}).get("median_ms", 0.0) / 1e3
        per_message = (median(cpu) - fixed) / MANY_MESSAGES
        baseline_us = section2.get("per_prior_message_us")
        baseline = baseline_us / 1e6 if baseline_us else None
        data["per_prior_message_us"] = round(per_message * 1e6, 3)
        if baseline:
            sec.check(
                "cost per prior message vs section 2",
                f"{per_message * 1e6:.2f} us",
                f"< {1.5 * baseline * 1e6:.2f} us (1.5x)",
                per_message < 1.5 * baseline,
            )
        sec.note(
            "more distinct messages than the shared render cache holds (1,024): unchanged messages must"
            " still cost no rendering, because each node remembers the text it was rendered from"
        )

    def streaming(self, sec: Section, data: dict[str, Any]) -> None:
        text = "".join(stream_tokens(STREAM_TOKENS))
        text_bytes = len(text.encode())
        html_bytes = len(markdown_props(text)["html"].encode())
        data["text_bytes"] = text_bytes
        data["html_bytes"] = html_bytes
        sec.info("final text (markdown source)", kb(text_bytes))
        sec.info("final rendered HTML (all blocks)", kb(html_bytes))

        t = headless.open_app(self.apps.stream(0.0, STREAM_TOKENS))
        try:
            st = headless.stream_turn(t, text)
            reply = t.messages[-1]
        finally:
            t.close()
        if reply["role"] != "assistant" or not reply["content"]:
            raise RuntimeError(f"the streamed reply did not arrive: {reply!r}")
        ratio = st.bytes / text_bytes
        data["headless_fast"] = {
            "frames": st.frames,
            "bytes": st.bytes,
            "ratio_text": round(ratio, 3),
            "ratio_html": round(st.bytes / html_bytes, 3),
        }
        sec.info("headless, no delay: frames", str(st.frames))
        sec.check(
            "headless, no delay: bytes / text",
            f"{ratio:.2f}x",
            f"< {STREAM_RATIO_TARGET:.0f}x",
            ratio < STREAM_RATIO_TARGET,
        )
        sec.info("headless, no delay: bytes / HTML", f"{st.bytes / html_bytes:.2f}x")

        for label, delay in (
            ("socket, no delay", 0.0),
            (f"socket, {STREAM_DELAY * 1e3:g} ms/token", STREAM_DELAY),
        ):
            turn = wire.run_turns(self.apps.stream(delay, STREAM_TOKENS), ["Tell me everything."])[0]
            ops = turn.op_bytes()
            gaps = turn.gaps()
            ratio = turn.bytes / text_bytes
            key = "socket_fast" if delay == 0 else "socket_delay"
            data[key] = {
                "delay_s": delay,
                "frames": len(turn.frames),
                "bytes": turn.bytes,
                "ratio_text": round(ratio, 3),
                "ratio_html": round(turn.bytes / html_bytes, 3),
                "seconds": round(turn.done or 0.0, 3),
                "gap_median_ms": round(median(gaps) * 1e3, 2) if gaps else None,
                "gap_max_ms": round(max(gaps) * 1e3, 2) if gaps else None,
                "op_bytes": dict(ops),
            }
            sec.info(f"{label}: duration", f"{turn.done or 0.0:.2f} s")
            sec.info(f"{label}: frames", str(len(turn.frames)))
            sec.info(f"{label}: bytes", kb(turn.bytes))
            sec.check(
                f"{label}: bytes / text",
                f"{ratio:.2f}x",
                f"< {STREAM_RATIO_TARGET:.0f}x",
                ratio < STREAM_RATIO_TARGET,
            )
            sec.info(f"{label}: bytes / HTML", f"{turn.bytes / html_bytes:.2f}x")
            sec.info(f"{label}: APP html / APP cuts bytes", f"{ops['APP html']:,} / {ops['APP cuts']:,}")
            if gaps:
                sec.info(
                    f"{label}: frame gap median / max", f"{median(gaps) * 1e3:.1f} / {max(gaps) * 1e3:.1f} ms"
                )
        sec.note(
            "text = UTF-8 bytes of the markdown the generator yielded; HTML = the final rendered blocks"
            " (pygments markup makes a fenced code block several times its source)"
        )

    def latency_and_startup(self, sec: Section, data: dict[str, Any]) -> None:
        interval = self.config.frame_interval
        ttff: dict[int, float] = {}
        for n in (0, 1000):
            prompts = [headless.prompt(500 + i) for i in range(WIRE_TURNS + 1)]
            turns = wire.run_turns(self.apps.echo(n), prompts, pause=0.06)[1:]  # the first is a warm-up
            first = [x.first_user_frame for x in turns if x.first_user_frame is not None]
            done = [x.done for x in turns if x.done is not None]
            if len(first) != len(turns):
                raise RuntimeError(
                    f"N={n}: the user's message never arrived in {len(turns) - len(first)} turns"
                )
            ttff[n] = median(first)
            data[f"n{n}"] = {
                "first_frame_median_ms": round(median(first) * 1e3, 3),
                "first_frame_p90_ms": round(p90(first) * 1e3, 3),
                "done_median_ms": round(median(done) * 1e3, 3),
                "frames_per_turn": median([len(x.frames) for x in turns]),
                "bytes_per_turn": median([x.bytes for x in turns]),
            }
            d = data[f"n{n}"]
            late = [x for x in turns if x.user_frame_index]
            d["turns"] = len(turns)
            d["turns_user_message_not_in_first_frame"] = len(late)
            one_frame = f"< {interval * 1e3:.0f} ms (1 frame)"
            sec.check(
                f"N={n}: submit -> user message frame, median", ms(ttff[n]), one_frame, ttff[n] < interval
            )
            sec.check(
                f"N={n}: submit -> user message frame, p90", ms(p90(first)), one_frame, p90(first) < interval
            )
            sec.info(f"N={n}: submit -> run done frame, median", ms(median(done)))
            sec.info(f"N={n}: turns whose 1st frame lacks the user message", f"{len(late)}/{len(turns)}")
            if late:
                first_ops = sorted({",".join(OP_NAMES[op[0]] for op in x.frames[0].ops) for x in late})
                wait = median([x.frames[1].at - x.frames[0].at for x in late])
                d["late_first_frame_ops"] = first_ops
                d["late_wait_for_second_frame_ms"] = round(wait * 1e3, 3)
                sec.info(f"N={n}:   their 1st frame holds", " | ".join(first_ops))
                sec.info(f"N={n}:   then the 2nd frame waits, median", ms(wait))
            sec.info(
                f"N={n}: frames / bytes per turn on the wire",
                f"{d['frames_per_turn']:.0f} / {d['bytes_per_turn']:.0f} B",
            )
            if n:
                sec.check(
                    "N=1000: bytes per turn on the wire",
                    f"{d['bytes_per_turn']:.0f} B",
                    f"< {BYTES_TARGET} B",
                    d["bytes_per_turn"] < BYTES_TARGET,
                )

        interp = median([startup.time_interpreter() for _ in range(3)])
        imports = median([startup.time_import("reactchat.server") for _ in range(3)])
        cold = startup.time_startup()  # the first spawn also pays for a cold file cache
        runs = [startup.time_startup() for _ in range(STARTUP_RUNS)]
        data["startup"] = {
            "first_s": round(cold, 4),
            "median_s": round(median(runs), 4),
            "min_s": round(min(runs), 4),
            "max_s": round(max(runs), 4),
            "interpreter_s": round(interp, 4),
            "import_reactchat_server_s": round(imports, 4),
        }
        sec.info("bare interpreter start+exit, median", ms(interp))
        sec.info("interpreter + import reactchat.server, median", ms(imports))
        sec.info("reactchat run -> /_rc/health, first spawn", ms(cold))
        sec.info(
            "reactchat run -> /_rc/health, min / max", f"{min(runs) * 1e3:.0f} / {max(runs) * 1e3:.0f} ms"
        )
        sec.check(
            "reactchat run -> /_rc/health, median",
            ms(median(runs)),
            "< 500 ms (well under 1 s)",
            median(runs) < STARTUP_TARGET,
        )
        startup.time_first_page()  # compiles the modules once, as installing the package does
        pages = [startup.time_first_page() for _ in range(STARTUP_RUNS)]
        walls, cpus = [p[0] for p in pages], [p[1] for p in pages]
        sources = [startup.time_first_page(bytecode=False) for _ in range(3)]
        data["first_page"] = {
            "median_s": round(median(walls), 4),
            "min_s": round(min(walls), 4),
            "server_cpu_median_s": round(median(cpus), 3),
            "no_bytecode_median_s": round(median([p[0] for p in sources]), 4),
            "no_bytecode_server_cpu_median_s": round(median([p[1] for p in sources]), 3),
        }
        sec.check(
            "cold start to a usable page (reactchat run -> first run's frame), median",
            ms(median(walls)),
            f"<= {FIRST_PAGE_TARGET * 1e3:.0f} ms",
            median(walls) <= FIRST_PAGE_TARGET,
        )
        sec.info("  min; the server's CPU time by then, median", f"{ms(min(walls))}; {ms(median(cpus))}")
        sec.info(
            "  every module compiled at start (no bytecode kept): median; server CPU",
            f"{ms(median([p[0] for p in sources]))}; {ms(median([p[1] for p in sources]))}",
        )
        sec.note(
            "cold start: spawn `reactchat run examples/echo.py` (default SQLite store), GET / polled until"
            " it answers, then the WebSocket with the page's cookies and a hello, until the frame ending the"
            " first run; bytecode compiled once beforehand, as an installed package has it; CPU from /proc"
            " (10 ms steps)"
        )
        sec.note("client and server share one process (and its GIL) for the socket measurements")

    def render_bombs(self, sec: Section, data: dict[str, Any]) -> None:
        gc.freeze()  # as `reactchat run` does once it has started (see cli.py): collections walk less
        try:
            self._render_bombs(sec, data)
        finally:
            gc.unfreeze()

    def _render_bombs(self, sec: Section, data: dict[str, Any]) -> None:
        cond = self.results.get("conditions", {})
        _, _, baseline = min(
            (bombs.with_other_session(lambda: bombs.busy(0.2)) for _ in range(3)), key=lambda r: r[2]
        )
        rows: dict[str, Any] = {}
        for bomb in bombs.corpus():
            m = bombs.measure(bomb)
            rows[bomb.name] = {
                "chars": len(bomb.text),
                "cpu_s": round(m.cpu, 4),
                "stall_ms": round(m.stall * 1e3, 2),
                "before": bomb.before,
                "fallback": m.fallback,
                "unhighlighted_chars": m.unhighlighted,
                "html_bytes": m.html_bytes,
            }
            shown = "plain <pre>" if m.fallback else "markdown"
            if m.unhighlighted:
                shown += ", code unhighlighted"
            sec.check(
                f"{bomb.name}: {kb(len(bomb.text.encode()))} -> {shown}; CPU (was {bomb.before})",
                f"{m.cpu:.3f} s",
                f"< {BOMB_CPU_TARGET} s",
                m.cpu < BOMB_CPU_TARGET,
            )
            sec.check(
                f"{bomb.name}: stall of another session",
                ms(m.stall),
                f"< {BOMB_STALL_TARGET * 1e3:.0f} ms",
                m.stall < BOMB_STALL_TARGET,
            )
        worst_cpu = max(rows.items(), key=lambda kv: kv[1]["cpu_s"])
        worst_stall = max(rows.items(), key=lambda kv: kv[1]["stall_ms"])
        data["inputs"] = rows
        data["worst_cpu"] = {"input": worst_cpu[0], "cpu_s": worst_cpu[1]["cpu_s"]}
        data["worst_stall"] = {"input": worst_stall[0], "stall_ms": worst_stall[1]["stall_ms"]}
        data["baseline_stall_ms"] = round(baseline * 1e3, 2)
        sec.check(
            f"worst CPU per input ({worst_cpu[0]})",
            f"{worst_cpu[1]['cpu_s']:.3f} s",
            f"< {BOMB_CPU_TARGET} s",
            worst_cpu[1]["cpu_s"] < BOMB_CPU_TARGET,
        )
        sec.check(
            f"worst stall of another session ({worst_stall[0]})",
            f"{worst_stall[1]['stall_ms']:.2f} ms",
            f"< {BOMB_STALL_TARGET * 1e3:.0f} ms",
            worst_stall[1]["stall_ms"] < BOMB_STALL_TARGET * 1e3,
        )
        sec.info("baseline stall: 0.2 s of plain Python work instead of a render", ms(baseline))
        sec.note(
            f"on {cond.get('cpu_model', '?')}, {cond.get('cores_usable', '?')} of {cond.get('cores', '?')}"
            " cores usable, shared with whatever else runs; CPU = thread CPU of one render, alone, the least"
            " of 3 runs"
        )
        sec.note(
            "stall = the longest gap between two short renders of a second thread (another session) while"
            " the bomb rendered, the least of 3 runs' worst gaps; the baseline row is the same gap next to"
            " plain Python work (GIL switching, garbage collection, other processes)"
        )
        sec.note("'was' = CPU before the fixes on this machine; est. = extrapolated from smaller sizes")

    def in_browser(self, sec: Section, data: dict[str, Any]) -> None:
        try:
            browser.run(self.apps, sec, data)
        except browser.Unavailable as exc:  # a clear note, not a traceback
            self.failed.append("browser")
            data["error"] = str(exc)
            sec.note(f"NOT RUN: {exc}")

    def stored_conversations(self, sec: Section, data: dict[str, Any]) -> None:
        conversations.run(self.apps, sec, data, self.results)

    def versions(self, sec: Section, data: dict[str, Any]) -> None:
        branches.run(self.apps, sec, data)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the 1,000-message turn")
    parser.add_argument(
        "--only", action="append", metavar="SECTION",
        help="run only this section (repeatable): bytes_per_turn, cpu_per_turn, many_sessions, stream,"
        " latency, bombs, browser, conversations, branches, workers, tabs, memory",
    )  # fmt: skip
    args = parser.parse_args(argv)

    started = time.perf_counter()
    bench = Bench(profile=args.profile, only=args.only)
    try:
        bench.conditions()
        bench.section(
            "bytes_per_turn", "1. Bytes per short turn vs prior messages (headless)", bench.bytes_per_turn
        )
        bench.section(
            "cpu_per_turn", "2. Server CPU per turn at 1,000 prior messages (headless)", bench.cpu_per_turn
        )
        bench.section(
            "many_sessions",
            "2b. Server CPU per turn, two sessions of 2,100 distinct messages",
            bench.many_sessions,
        )
        bench.section("stream", f"3. A {STREAM_TOKENS:,}-token streamed reply", bench.streaming)
        bench.section(
            "latency",
            "4. Time to first frame (socket) and `reactchat run` startup",
            bench.latency_and_startup,
        )
        bench.section(
            "bombs",
            "4b. Render bombs: texts any user can send (render CPU, stall of another session)",
            bench.render_bombs,
        )
        bench.section("browser", "5. In the browser", bench.in_browser)  # Playwright: see bench/browser.py
        # Its Chromium part runs in a thread of its own too, as section 5's does.
        bench.section("conversations", "6. Stored conversations", bench.stored_conversations)
        bench.section("branches", "6b. Versions of a stored conversation", bench.versions)
        bench.section("workers", "7. Many workers behind nginx on PostgreSQL", workers.run)
        bench.section("tabs", "8. Idle and streaming tabs in one process", tabs.run)
        bench.section("memory", "9. Server memory per session holding 1,000 messages", memory.run)
    finally:
        bench.close()

    print(issues.tables(bench.sections, partial=bool(args.only)), end="\n\n")
    rows = [r for s in bench.sections for r in s.rows if r.ok is not None]
    misses = [f"{s.title.split('.')[0]}: {r.name}" for s in bench.sections for r in s.rows if r.ok is False]
    elapsed = time.perf_counter() - started
    print(
        f"summary: {len(rows) - len(misses)} PASS, {len(misses)} MISS, {len(bench.failed)} section errors,"
        f" {elapsed:.1f} s"
    )
    for miss in misses:
        print(f"  MISS {miss}")
    bench.results["summary"] = {
        "pass": len(rows) - len(misses),
        "miss": misses,
        "errors": bench.failed,
        "seconds": round(elapsed, 1),
    }
    print(json.dumps(_clean(bench.results), separators=(",", ":")), flush=True)
    return 1 if bench.failed else 0


if __name__ == "__main__":
    sys.exit(main())
