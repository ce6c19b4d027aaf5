"""The sign-in page's HTML (placeholder until the styled page lands)."""

from __future__ import annotations

from reactchat.sign_in_page import sign_in_html


def test_values_are_escaped() -> None:
    page = sign_in_html(title="<t>", css_href="/a.css", theme_href=None, mode_attr="", xsrf_input="", username='"x',
                        error="<b>")  # fmt: skip
    assert "<t>" not in page and "<b>" not in page and '"x' not in page
