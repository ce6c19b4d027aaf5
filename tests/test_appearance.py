from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest

from reactchat.testing import ChatTest

PNG = pathlib.Path(__file__).parent / "fixtures" / "pixel.png"


def chat_node(t: ChatTest) -> dict:  # type: ignore[type-arg]
    return t.nodes("chat")[0][2]


def test_defaults_and_every_option(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app(f"""
        import reactchat as rc
        rc.chat(layout="panel", height=500, min_height="20vh", max_height="80vh", resizable=True,
                placeholder="**Ask me** anything", avatar_images=("🙂", {str(PNG)!r}), show_timestamps=True,
                rtl=True, group_consecutive_messages=False, autoscroll=False, show_copy_code=False,
                title="My bot", description="Made with *reactchat*")
    """)
    )
    props = chat_node(t)
    assert props["layout"] == "panel" and props["height"] == 500 and props["min_height"] == "20vh"
    assert props["max_height"] == "80vh" and props["resizable"] and props["rtl"] and props["show_timestamps"]
    assert not props["group_consecutive_messages"] and not props["autoscroll"] and not props["show_copy_code"]
    assert props["placeholder"] == "<p><strong>Ask me</strong> anything</p>\n"
    assert props["description"] == "<p>Made with <em>reactchat</em></p>\n"
    assert props["avatars"]["user"] == {"emoji": "🙂"}
    assert t.media(props["avatars"]["assistant"]["src"]) == PNG.read_bytes()
    assert t.title == "My bot"
    defaults = chat_node(ChatTest.from_file(write_app("import reactchat as rc\nrc.chat()\n")))
    assert defaults == {"layout": "bubble", "resizable": False, "show_timestamps": False, "show_usage": False,
                        "rtl": False,
                        "group_consecutive_messages": True, "autoscroll": True, "show_copy_code": True,
                        "allow_file_downloads": True, "feedback_options": [], "feedback_on_user": False,
                        "actions": {"edit": None, "retry": False, "undo": False, "clear": False, "copy": True,
                                    "copy_all": True, "fork": True}}  # fmt: skip


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("layout='grid'", "layout must be 'bubble' or 'panel'; got 'grid'"),
        ("height=[1]", "height must be a number of pixels or a CSS length"),
        ("rtl='yes'", "rtl must be True or False; got 'yes'"),
        ("allow_file_downloads=None", "allow_file_downloads must be True or False; got None"),
        ("submit_btn=''", "submit_btn must be a non-empty label; got ''"),
        ("allow_tags=['script']", "allow_tags cannot include 'script'"),
        ("reasoning_tags=[('<think>',)]", "reasoning_tags must be pairs"),
        ("latex_delimiters=[{'right': '$'}]", "each latex delimiter must be"),
        (
            "avatar_images=('missing-file-that-is-long.png', None)",
            "no such file 'missing-file-that-is-long.png'",
        ),
    ],
)
def test_bad_options_name_the_value(write_app: Callable[[str], str], call: str, message: str) -> None:
    t = ChatTest.from_file(write_app(f"import reactchat as rc\nrc.chat({call})\n"))
    assert message in t.errors[0]["message"]


def test_downloads_off_and_button_labels_reach_the_page(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app(
            "import reactchat as rc\nrc.chat(allow_file_downloads=False, submit_btn='Ask', stop_btn='Halt')\n"
        )
    )
    props = chat_node(t)
    assert (props["allow_file_downloads"], props["submit_btn"], props["stop_btn"]) == (False, "Ask", "Halt")


def html_of(t: ChatTest) -> list[str]:
    return [p["html"] for p in t.texts()]


def test_text_options_change_how_messages_render(write_app: Callable[[str], str]) -> None:
    body = 'rc.message("assistant", "**b** <thinking>hm</thinking> $x^2$\\nnext")'
    default = html_of(ChatTest.from_file(write_app(f"import reactchat as rc\n{body}\n")))[0]
    assert (
        "<strong>b</strong> &lt;thinking&gt;" in default and '<span class="math-inline">x^2</span>' in default
    )
    plain = html_of(
        ChatTest.from_file(write_app(f"import reactchat as rc\nrc.chat(render_markdown=False)\n{body}\n"))
    )[0]
    assert plain.startswith("<p>**b** &lt;thinking&gt;") and "<br>" in plain
    breaks = html_of(
        ChatTest.from_file(write_app(f"import reactchat as rc\nrc.chat(line_breaks=True)\n{body}\n"))
    )[0]
    assert "<br>" in breaks
    tags = html_of(
        ChatTest.from_file(write_app(f"import reactchat as rc\nrc.chat(allow_tags=['thinking'])\n{body}\n"))
    )[0]
    assert "<thinking>hm</thinking>" in tags
    no_math = html_of(
        ChatTest.from_file(write_app(f"import reactchat as rc\nrc.chat(latex_delimiters=[])\n{body}\n"))
    )[0]
    assert "math-inline" not in no_math
    raw = html_of(
        ChatTest.from_file(
            write_app(
                'import reactchat as rc\nrc.chat(sanitize_html=False)\nrc.markdown("<b onclick=x>raw</b><script>s()</script>")\n'
            )
        )
    )[0]
    assert raw == "<p><b>raw</b></p>\n"  # raw HTML renders, still through the allow-list


@pytest.mark.parametrize(
    ("text", "math"),
    [
        ("$$E=mc^2$$", ["math-display:E=mc^2"]),
        ("\\[a\\] and \\(b\\)", ["math-display:a", "math-inline:b"]),
        ("inline $x_1 + y_1$ here", ["math-inline:x_1 + y_1"]),
        ("It costs $5 and $10.", []),
        ("from $5 to $x$", ["math-inline:x"]),
        ("a $ b $ c", []),
        ("escaped \\$x\\$", []),
    ],
)
def test_latex_delimiters_leave_money_alone(
    write_app: Callable[[str], str], text: str, math: list[str]
) -> None:
    import re

    t = ChatTest.from_file(write_app(f"import reactchat as rc\nrc.markdown({text!r})\n"))
    found = re.findall(r'<span class="(math-\w+)">([^<]*)</span>', html_of(t)[0])
    assert [f"{cls}:{tex}" for cls, tex in found] == math


def test_custom_latex_delimiters(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.chat(latex_delimiters=[{"left": "@@", "right": "@@", "display": True}])
        rc.markdown("@@a^2@@ but $b$ stays")
    """)
    )
    assert html_of(t)[0] == '<p><span class="math-display">a^2</span> but $b$ stays</p>\n'
