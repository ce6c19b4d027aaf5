"""Printing: one table per section, each row a value with its target and PASS/MISS, plus the JSON record."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


def p90(values: Sequence[float]) -> float:
    """The 90th percentile (nearest rank)."""
    return percentile(values, 0.9)


@dataclass
class Row:
    name: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: informational, no target

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("PASS" if self.ok else "MISS")


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def info(self, name: str, value: str) -> None:
        self.rows.append(Row(name, value))

    def check(self, name: str, value: str, target: str, ok: bool) -> None:
        self.rows.append(Row(name, value, target, ok))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def render(self) -> str:
        widths = [
            max([len("measure"), *(len(r.name) for r in self.rows)]),
            max([len("value"), *(len(r.value) for r in self.rows)]),
            max([len("target"), *(len(r.target) for r in self.rows)]),
        ]
        head = f"{'measure':<{widths[0]}}  {'value':>{widths[1]}}  {'target':<{widths[2]}}  result"
        lines = [f"== {self.title} ==", head, "-" * len(head)]
        for r in self.rows:
            line = f"{r.name:<{widths[0]}}  {r.value:>{widths[1]}}  {r.target:<{widths[2]}}  {r.verdict}"
            lines.append(line.rstrip())
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def conditions(frame_interval: float, reactchat_version: str) -> dict[str, Any]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "reactchat": reactchat_version,
        "frame_interval_s": frame_interval,
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def kb(n: float) -> str:
    return f"{n:,.0f} B" if n < 10_000 else f"{n / 1024:,.1f} KiB"
