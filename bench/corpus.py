"""Deterministic, realistic chat text: a seeded history of messages and a long streamed reply.

Everything here is pure and seeded, so every run of the bench (and every session inside one run) sees the
same texts, and the markdown render cache behaves as it would for one long-lived conversation.
"""

from __future__ import annotations

import random

_WORDS = (
    "the a an of to in is it that for on with as this be are by was from or at not your can you will "
    "function value request server client message history stream token model render tree node diff "
    "update python script state session socket frame buffer cache latency memory thread worker query "
    "result error handler config option default parameter return list dict string number file path "
    "however because therefore instead usually simply quickly carefully directly each every some many "
    "should would could might must need want make take give use call send read write check run build"
).split()

_CODE_SNIPPETS = (
    ("python", "def fetch(url: str) -> bytes:\n    with urlopen(url, timeout=5) as r:\n"
     "        return r.read()\n\n\nprint(len(fetch('https://example.com')))"),
    ("javascript", "const total = items\n  .filter((x) => x.active)\n  .reduce((a, x) => a + x.price, 0);"
     "\nconsole.log(`total: ${total}`);"),
    ("bash", "python -m venv .venv\n. .venv/bin/activate\npip install -e '.[test]'\npytest -q"),
    ("", "key = value\nother_key = 42\n[section]\nname = \"demo\""),
)  # fmt: skip


def _sentence(rng: random.Random, lo: int = 6, hi: int = 18) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(lo, hi))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        mark = rng.choice(("**", "*"))
        words[i] = f"{mark}{words[i]}{mark}"
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"`{words[i]}()`"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice((".", ".", ".", "?", "!"))


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _list(rng: random.Random) -> str:
    marker = rng.choice(("-", "1."))
    return "\n".join(f"{marker} {_sentence(rng, 4, 12)}" for _ in range(rng.randint(3, 6)))


def _code(rng: random.Random) -> str:
    lang, body = rng.choice(_CODE_SNIPPETS)
    return f"```{lang}\n{body}\n```"


def user_text(rng: random.Random) -> str:
    """A short user question: one or two sentences, sometimes with inline code."""
    return " ".join(_sentence(rng, 5, 14) for _ in range(rng.randint(1, 2)))


def assistant_text(rng: random.Random) -> str:
    """An assistant answer: a few paragraphs, often a list, a code block now and then (~0.5-2 KB)."""
    blocks = [_paragraph(rng)]
    if rng.random() < 0.6:
        blocks.append(_list(rng))
    if rng.random() < 0.3:
        blocks.append(_code(rng))
    blocks.extend(_paragraph(rng) for _ in range(rng.randint(1, 2)))
    return "\n\n".join(blocks)


def make_history(n: int, seed: int = 1) -> list[dict[str, str]]:
    """``n`` alternating user/assistant messages. The same ``seed`` gives the same prefix for any ``n``."""
    rng = random.Random(seed)
    history: list[dict[str, str]] = []
    for i in range(n):
        if i % 2 == 0:
            history.append({"role": "user", "content": user_text(rng)})
        else:
            history.append({"role": "assistant", "content": assistant_text(rng)})
    return history


def stream_tokens(n_tokens: int = 2000, seed: int = 7) -> list[str]:
    """About ``n_tokens`` LLM-style tokens (a word plus its leading space, or markup) of a markdown answer
    with paragraphs, a list, a fenced code block and a closing paragraph."""
    rng = random.Random(seed)
    tokens: list[str] = []

    def words(count: int) -> None:
        for _ in range(count):
            tokens.append(" " + rng.choice(_WORDS))
            if rng.random() < 0.08:
                tokens.append(".")

    def paragraph(count: int) -> None:
        tokens.append("Here")
        words(count)
        tokens.append(".\n\n")

    paragraph(300)
    paragraph(250)
    for _ in range(12):
        tokens.append("- ")
        tokens.append(rng.choice(_WORDS).capitalize())
        words(18)
        tokens.append("\n")
    tokens.append("\n")
    paragraph(150)
    tokens.append("```python\n")
    for i in range(40):
        tokens.extend(["def", f" step_{i}", "(x", "):", "\n", "    return", f" x * {i}", " + 1", "\n"])
    tokens.append("```\n\n")
    while len(tokens) < n_tokens - 1:
        paragraph(min(200, n_tokens - len(tokens) - 2))
    return tokens[:n_tokens]
