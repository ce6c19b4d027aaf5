"""Themes: every value checked before it becomes CSS, from rc.chat(theme=...) and from reactchat.toml, and the
app's extra CSS served as a stylesheet, never inside the page's HTML."""

from __future__ import annotations

import pathlib
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from reactchat.testing import ChatTest
from reactchat.theme import Theme, page_theme
from tests.serving import Served


def test_a_theme_becomes_css_variables_then_the_extra_css() -> None:
    values = {"accent": "#E11D48", "font": "Georgia, serif", "mono_font": ["Fira Code"], "radius": 4,
              "mode": "dark", "css": ".rc-title { letter-spacing: 0 }"}  # fmt: skip
    theme = Theme.parse(values)
    css = theme.stylesheet()
    head, extra = css.split("\n", 1)
    assert head.startswith(":root:root:root{") and head.endswith("}")
    assert "--accent:#e11d48" in head and "--accent-fg:#ffffff" in head
    assert '--font:"Georgia",serif,var(--font-stack)' in head
    assert '--mono:"Fira Code",var(--mono-stack)' in head
    assert "--radius:4px" in head
    assert extra == ".rc-title { letter-spacing: 0 }"
    assert theme.props() == {"css": css, "mode": "dark"}
    assert "mode" not in Theme.parse({"accent": "teal"}).props()
    assert Theme.parse({}).stylesheet() == ""


@pytest.mark.parametrize(
    ("accent", "text"),
    [("#ffeb3b", "#111827"), ("#fff", "#111827"), ("rgb(250, 250, 210)", "#111827"), ("yellow", "#111827"),
     ("#1e3a8a", "#ffffff"), ("rgb(20 20 20 / 50%)", "#ffffff"), ("hsl(220 90% 40%)", "#ffffff")],
)  # fmt: skip
def test_text_on_the_accent_is_dark_or_light_by_contrast(accent: str, text: str) -> None:
    assert f"--accent-fg:{text}" in Theme.parse({"accent": accent}).stylesheet()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"accent": "red; } body { display: none"}, "theme.accent must be a colour"),
        ({"accent": "url(https://x.test/a)"}, "theme.accent must be a colour"),
        ({"accent": "rgb(1,2,3);x:y"}, "theme.accent must be a colour"),
        ({"accent": "notacolour"}, "theme.accent must be a colour"),
        ({"accent": 255}, "theme.accent must be a colour"),
        ({"font": 'Inter"; } * { x: y'}, "theme.font: "),
        ({"font": "Comic Sans;"}, "theme.font: "),
        ({"mono_font": [3]}, "theme.mono_font must be a font name"),
        ({"radius": "4px; color: red"}, "theme.radius must be pixels"),
        ({"radius": -1}, "theme.radius must be pixels"),
        ({"radius": True}, "theme.radius must be pixels"),
        ({"mode": "sepia"}, "theme.mode must be 'light', 'dark' or 'auto'"),
        ({"css": 3}, "theme.css must be a string"),
        ({"colour": "red"}, "unknown key 'colour'"),
        ("red", "theme must be a table"),
    ],
)
def test_bad_values_are_refused_naming_the_key_and_the_value(values: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace(")", r"\)")):
        Theme.parse(values)


def test_rc_chat_theme_reaches_the_chat_node() -> None:
    t = ChatTest.from_function(lambda m, h: m, theme={"accent": "#0f766e", "mode": "light", "css": "p{}"})
    theme = t.nodes("chat")[0][2]["theme"]
    assert theme["mode"] == "light" and "--accent:#0f766e" in theme["css"] and theme["css"].endswith("p{}")


def test_a_bad_theme_in_rc_chat_is_an_error_naming_it(write_app: Callable[..., str]) -> None:
    t = ChatTest.from_file(write_app("import reactchat as rc\nrc.chat(theme={'accent': 'red;}'})\n"))
    assert t.errors and "theme.accent must be a colour" in t.errors[0]["message"]


TOML = """
[theme]
accent = "#7c3aed"
font = ["Georgia", "serif"]
radius = "6px"
mode = "dark"
css = '''
.rc-title { color: hotpink }
/* </style><script>alert(1)</script> */
'''
"""


def test_reactchat_toml_themes_the_page_from_its_first_paint(
    serve: Callable[..., Served], write_app: Callable[..., str], tmp_path: pathlib.Path
) -> None:
    (tmp_path / "reactchat.toml").write_text(TOML)
    served = serve(write_app("import reactchat as rc\nrc.chat_input()\n"))
    with urllib.request.urlopen(served.url + "/") as response:
        page = response.read().decode()
    assert '<html lang="en" data-mode="dark">' in page
    theme = page_theme(str(tmp_path / "app.py"))
    assert theme is not None and f'<link rel="stylesheet" href="/_rc/theme.css?v={theme.version}">' in page
    assert "hotpink" not in page and "alert(1)" not in page  # the extra CSS is never part of the HTML
    with urllib.request.urlopen(f"{served.url}/_rc/theme.css?v={theme.version}") as response:
        css = response.read().decode()
        assert response.headers["Content-Type"] == "text/css; charset=utf-8"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" in response.headers["Cache-Control"]
    assert "--accent:#7c3aed" in css and '--font:"Georgia",serif' in css and "hotpink" in css


def test_a_page_without_reactchat_toml_has_no_theme(
    serve: Callable[..., Served], write_app: Callable[..., str]
) -> None:
    served = serve(write_app("import reactchat as rc\n"))
    with urllib.request.urlopen(served.url + "/") as response:
        page = response.read().decode()
    assert "theme.css" not in page and "data-mode" not in page
    with urllib.request.urlopen(served.url + "/_rc/theme.css") as response:
        assert response.read() == b""


def test_a_bad_reactchat_toml_is_logged_and_the_app_still_serves(
    serve: Callable[..., Served], write_app: Callable[..., str], tmp_path: pathlib.Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    (tmp_path / "reactchat.toml").write_text('[theme]\naccent = "red; x"\n')
    served = serve(write_app("import reactchat as rc\n"))
    with urllib.request.urlopen(served.url + "/") as response:
        assert response.status == 200 and "theme.css" not in response.read().decode()
    assert "reactchat.toml is not used" in caplog.text and "accent must be a colour" in caplog.text
    with pytest.raises(ValueError, match=r"reactchat\.toml"):
        page_theme(str(tmp_path / "app.py"))
    (tmp_path / "reactchat.toml").write_text("[theme\n")
    with pytest.raises(ValueError, match=r"reactchat\.toml"):
        page_theme(str(tmp_path / "app.py"))


def test_the_toml_is_read_again_when_it_changes(tmp_path: pathlib.Path) -> None:
    import os

    path = tmp_path / "reactchat.toml"
    path.write_text('[theme]\naccent = "red"\n')
    first = page_theme(str(tmp_path / "app.py"))
    path.write_text('[theme]\naccent = "blue"\n')
    os.utime(path, (1, 1))  # a new mtime even within the clock's resolution
    second = page_theme(str(tmp_path / "app.py"))
    assert first is not None and second is not None
    assert "red" in first.css and "blue" in second.css and first.version != second.version
    path.write_text("[server]\n")
    os.utime(path, (2, 2))
    assert page_theme(str(tmp_path / "app.py")) is None
