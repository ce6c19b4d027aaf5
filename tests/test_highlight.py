from __future__ import annotations

import subprocess
import sys

import pytest

from reactchat import highlight
from reactchat.highlight import highlight_css
from reactchat.markdown import render_blocks, render_work
from tests.conftest import ROOT


def test_code_is_highlighted_with_classes() -> None:
    html = render_blocks("```python\ndef f(): pass\n```")[0]
    assert html.startswith('<pre class="highlight"><code class="language-python">')
    assert '<span class="k">def</span>' in html


def test_unknown_language_is_escaped_plain_code() -> None:
    html = render_blocks("```nosuchlang\n<b>x</b>\n```")[0]
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_plain_tokens_in_highlighted_code_have_no_spans() -> None:
    html = render_blocks("```python\nif  x(y):\n    pass\n```")[0]
    assert 'class="w"' not in html and 'class="n"' not in html and 'class="p"' not in html
    assert '<span class="k">if</span>  x(y):\n    <span class="k">pass</span>' in html


def test_highlighting_stops_when_its_time_is_used_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(highlight, "HIGHLIGHT_SECONDS", 0.0)
    blocks, work = render_work("```python\nif x:\n    pass\n```")
    assert blocks == [
        '<pre class="highlight"><code class="language-python">if x:\n    pass\n</code></pre>\n\n'
    ]
    assert work.unhighlighted == len("if x:\n    pass\n") and work.highlighted == 0


def test_highlight_css_has_a_light_and_a_dark_theme() -> None:
    css = highlight_css()
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    assert ".highlight .k" in light and ':root:not([data-mode="light"]) .highlight .k' in dark
    # A theme's fixed dark mode gets the dark colours whatever the system says.
    outside = dark[dark.index("\n}\n") :]  # after the media block
    assert ':root[data-mode="dark"] .highlight .k' in outside


def test_threads_highlighting_for_the_first_time_at_once_all_succeed() -> None:
    # In a fresh interpreter (nothing of pygments loaded yet), as two tabs' first runs on a new server:
    # pygments' lazily loaded formatter failed one of them with "cannot import name 'HtmlFormatter'".
    check = (
        "import threading\n"
        "from reactchat.markdown import render_blocks\n"
        "errors, barrier = [], threading.Barrier(6)\n"
        "def go(lang):\n"
        "    barrier.wait()\n"
        "    try:\n"
        "        assert 'class=\"highlight\"' in render_blocks(f'```{lang}\\nx = 1\\n```\\n')[0]\n"
        "    except Exception as e:\n"
        "        errors.append(repr(e))\n"
        "threads = [threading.Thread(target=go, args=(lang,))\n"
        "           for lang in ('python', 'javascript', 'c', 'rust', 'go', 'bash')]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "assert not errors, errors\n"
    )
    for _ in range(3):  # a race: each try loses it most of the time without the lock
        subprocess.run([sys.executable, "-c", check], check=True, cwd=ROOT)
