from __future__ import annotations

from reactchat.sanitizer import FORBIDDEN_TAGS, TAGS, sanitize


def test_sanitize_strips_event_handlers_and_scripts() -> None:
    assert sanitize('<p onclick="x()">hi<script>bad()</script></p>') == "<p>hi</p>"


def test_links_open_in_a_new_tab_and_only_asked_for_tags_are_added() -> None:
    assert sanitize('<a href="https://example.com">x</a>') == (
        '<a href="https://example.com" target="_blank" rel="noopener noreferrer">x</a>'
    )
    assert sanitize("<details>x</details>") == "x"
    assert sanitize("<details>x</details>", frozenset({"details"})) == "<details>x</details>"
    assert not TAGS & FORBIDDEN_TAGS
