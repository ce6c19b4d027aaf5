from __future__ import annotations

from reactchat.page_text import html_text, markdown_source, node_text
from reactchat.testing import ChatTest


def test_messages_are_markdown_source_and_rendered_is_what_shows() -> None:
    table = "| a | b |\n|---|---|\n| 1 | 2 |"
    t = ChatTest.from_source(
        "import reactchat as rc\n"
        "with rc.message('assistant'):\n"
        f"    rc.markdown('**bold** and a table:\\n\\n' + {table!r})\n"
        "    rc.write_stream(['*streamed* ', 'text'])\n"
    )
    assert t.messages == [
        {"role": "assistant", "content": f"**bold** and a table:\n\n{table}\n\n*streamed* text"}
    ]
    assert t.rendered[0]["content"].startswith("bold and a table:")
    assert "**" not in t.rendered[0]["content"] and "streamed text" in t.rendered[0]["content"]


def test_node_text_skips_thoughts_and_falls_back_to_what_shows() -> None:
    node = [1, "message", {}, [[2, "thought", {}, []], [3, "markdown", {"html": "<p>a &amp; b</p>"}, []]]]
    assert node_text(node) == "a & b"
    assert node_text(node, lambda i: None) == "a & b"
    assert node_text(node, lambda i: "a & *b*") == "a & *b*"
    assert html_text(" <b>x</b> ") == "x" and markdown_source(None) is None
