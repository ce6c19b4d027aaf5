"""The rows the open issues ask the benchmark for, gathered from the sections that measure them and printed
together at the end: each issue's table as the issue states it, with what this run measured."""

from __future__ import annotations

from collections.abc import Sequence

from bench.report import Row, Section

# (issue, what the issue asks for, words every measuring row's name holds)
ASKED: list[tuple[str, str, tuple[str, ...]]] = [
    ("#9", "bytes per turn at 1,000 stored messages", ("bytes per turn at 1,000 stored messages",)),
    ("#9", "server CPU per turn with the store write", ("server CPU per turn with store writes",)),
    ("#9", "a 2,000-token stream with the store vs without", ("2,000-token stream in conv.reply()",)),
    ("#9", "a stored 1,000-message conversation in a new tab", ("Chromium", "last of 1,000")),
    ("#9", "first sidebar page, 10,000 conversations", ("first list page",)),
    ("#9", "search, 10,000 conversations", ("search",)),
    ("#9", "100 sessions streaming on SQLite", ("100 sessions",)),
    ("#12", "1 vs 3 workers, 300 tokens to 50-500 sessions (table: section 7)", ("sessions: errors",)),
    ("#12", "chaos: a worker killed every 20 s", ("prompts lost",)),
    ("#12", "chaos: answers left streaming, errors", ("left streaming",)),
    ("#16", "echo latency, 0 -> 1,000 prior messages", ("echo latency",)),
    ("#16", "browser CPU per echo turn, 0 -> 1,000 prior messages", ("browser CPU per echo turn", "N=1,000")),
    ("#16", "a new tab showing a 1,000-message transcript", ("Chromium", "last of 1,000")),
    ("#16", "a 500-token stream at 50 tokens/s: browser CPU", ("500-token stream", "CPU")),
    ("#16", "the same stream: bytes on the wire", ("500-token stream", "bytes on the wire")),
    ("#16", "cold start to a usable page", ("cold start to a usable page",)),
    ("#16", "threads held by idle sessions (1,000 tabs)", ("idle tabs: threads",)),
    ("#16", "1,000 idle tabs: memory", ("idle tabs: RSS",)),
    ("#16", "100 tabs streaming at once: errors, threads", ("streaming", "tabs")),
    ("#16", "server memory per session holding 1,000 messages", ("server memory per session",)),
    ("#16", "a 10,000-message transcript: open, bytes and CPU per turn", ("10,000 stored messages",)),
    ("#16", "a 10,000-message transcript: browser CPU per turn", ("browser CPU per echo turn", "N=10,000")),
]


def matching(sections: Sequence[Section], words: tuple[str, ...]) -> list[tuple[str, Row]]:
    """The checked rows (with a target) whose names hold every one of ``words``, with their section's
    number."""
    found = []
    for section in sections:
        number = section.title.split(".")[0]
        for row in section.rows:
            if row.ok is not None and all(w.lower() in row.name.lower() for w in words):
                found.append((number, row))
    return found


def tables(sections: Sequence[Section], *, partial: bool = False) -> str:
    """Each issue's asked-for rows, as this run measured them, or that no section measured them (left out
    of a ``partial`` run, which ran some sections only)."""
    lines: list[str] = []
    for issue in dict.fromkeys(i for i, _, _ in ASKED):
        asked_rows = [(asked, matching(sections, words)) for i, asked, words in ASKED if i == issue]
        if partial and not any(rows for _, rows in asked_rows):
            continue
        lines.append(f"== issue {issue}: the rows it asks for ==")
        for asked, rows in asked_rows:
            if not rows:
                if not partial:
                    lines.append(f"{asked}: not measured in this run")
                continue
            lines.append(f"{asked}:")
            lines.extend(
                f"  [{number}] {row.name}: {row.value} (target {row.target}) {row.verdict}"
                for number, row in rows
            )
    return "\n".join(lines)
