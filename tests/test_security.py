"""Every path that renders HTML, against a corpus of XSS payloads; media cannot be reached by guessing."""

from __future__ import annotations

import html.parser
from collections.abc import Callable

import pytest

from reactchat.markdown import markdown_options, markdown_props
from reactchat.sanitizer import TAGS, sanitize

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    '[x](https://ok.example "title" onmouseover=alert(1))',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    '<meta http-equiv=refresh content="0;url=//evil.example">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="//evil.example"><input type=submit></form>',
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    '<base href="//evil.example/">',
    "<a href=# onclick=alert(1)>x</a>",
    "<p onmouseover=alert(1)>x</p>",
    "<span class=x onclick=alert(1)>x</span>",
    "<code onclick=alert(1)>x</code>",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "<thinking onclick=alert(1)>x</thinking>",
    "<img src=x:alert(1) onerror=eval(src)>",
    '<a href="  javascript:alert(1)">x</a>',
    "<<script>script>alert(1)<</script>/script>",
]

SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#", "")
URL_ATTRS = {"href", "src", "action", "formaction", "data", "background", "poster", "srcdoc"}


class _Checker(html.parser.HTMLParser):
    def __init__(self, allowed: set[str]) -> None:
        super().__init__()
        self.allowed = allowed
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.allowed:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                if not (name == "style" and tag in ("td", "th") and (value or "").startswith("text-align")):
                    self.problems.append(f"attribute {name}")
            if name in URL_ATTRS and value is not None:
                v = value.strip().lower()
                if not v.startswith(SAFE_SCHEMES[:-1]) and ":" in v.split("/")[0]:
                    self.problems.append(f"url {value}")


def assert_safe(fragment: str, extra: frozenset[str] = frozenset()) -> None:
    checker = _Checker(set(TAGS) | set(extra))
    checker.feed(fragment)
    assert checker.problems == [], (fragment, checker.problems)


def test_the_corpus_is_big_enough() -> None:
    assert len(PAYLOADS) >= 40


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_default(payload: str) -> None:
    assert_safe(markdown_props(payload)["html"])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_with_raw_html_and_allowed_tags(payload: str) -> None:
    options = markdown_options(raw_html=True, allow_tags=frozenset({"thinking", "details"}))
    assert_safe(markdown_props(payload, options)["html"], options.allow_tags)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_element_path(payload: str) -> None:
    assert_safe(sanitize(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_plain_text_mode(payload: str) -> None:
    html_ = markdown_props(payload, markdown_options(render_markdown=False))["html"]
    assert_safe(html_)
    assert "<" not in html_.replace("<p>", "").replace("</p>", "").replace("<br>", "")


def test_every_path_through_a_real_app(write_app: Callable[[str], str]) -> None:
    from reactchat.testing import ChatTest

    t = ChatTest.from_file(
        write_app(f"""
        import reactchat as rc
        payloads = {PAYLOADS!r}
        rc.chat(placeholder="\\n".join(payloads), description="\\n".join(payloads), allow_tags=["thinking"])
        for p in payloads:
            rc.message("assistant", p)
            rc.html(p)
        with rc.message("assistant"):
            rc.write_stream(iter(payloads))
    """)
    )
    assert t.errors == []
    fragments = [p["html"] for p in t.texts() + [n[2] for n in t.nodes("html")]]
    fragments += [t.nodes("chat")[0][2]["placeholder"], t.nodes("chat")[0][2]["description"]]
    assert len(fragments) == 2 * len(PAYLOADS) + 3
    for fragment in fragments:
        assert_safe(fragment, frozenset({"thinking"}))


@pytest.mark.parametrize(
    "raw",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe>",
    ],
)
def test_the_checker_catches_unsanitised_html(raw: str) -> None:
    with pytest.raises(AssertionError):
        assert_safe(raw)
