from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest

from reactchat.testing import ChatTest

PNG = pathlib.Path(__file__).parent / "fixtures" / "pixel.png"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("rc.html(b'<p>x</p>')", "rc.html() takes a str; got bytes"),
        ("rc.plot('figure.png')", "rc.plot() takes a matplotlib figure; got str"),
    ],
)
def test_a_wrong_argument_is_an_error_naming_its_type(
    write_app: Callable[[str], str], call: str, message: str
) -> None:
    t = ChatTest.from_file(write_app(f"import reactchat as rc\n{call}\n"))
    assert t.errors[0]["type"] == "TypeError" and message in t.errors[0]["message"]


def test_html_keeps_the_tags_the_chat_allows(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.html("<thinking>hm</thinking><b>bold</b>")
        rc.chat(allow_tags=["thinking"])
        rc.html("<thinking>hm</thinking><b>bold</b>")
    """)
    )
    assert [n[2]["html"] for n in t.nodes("html")] == [
        "hm<b>bold</b>",
        "<thinking>hm</thinking><b>bold</b>",
    ]


def test_gallery_items_take_every_shape_and_their_files_are_served(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app(f"""
        import reactchat as rc
        rc.gallery([{{"path": {str(PNG)!r}, "caption": "by path", "alt": "a pixel"}},
                    ("https://example.com/b.png", "remote")], columns="2")
    """)
    )
    (gallery,) = t.nodes("gallery")
    local, remote = gallery[2]["items"]
    assert gallery[2]["columns"] == 2
    assert (local["caption"], local["alt"]) == ("by path", "a pixel") and t.media(
        local["src"]
    ) == PNG.read_bytes()
    assert remote == {"src": "https://example.com/b.png", "caption": "remote"}


def test_autoplay_is_sent_only_when_asked_for(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.audio("https://example.com/a.mp3", autoplay=True)
        rc.audio("https://example.com/b.mp3")
        rc.video("https://example.com/v.mp4", autoplay=True)
    """)
    )
    assert [n[2].get("autoplay") for n in t.nodes("audio")] == [True, None]
    assert t.nodes("video")[0][2]["autoplay"] is True


def test_a_file_from_a_path_shows_its_name_and_size(
    write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    data = tmp_path / "data"
    data.write_bytes(b"\x00\x01\x02")
    t = ChatTest.from_file(
        write_app(f"""
        import reactchat as rc
        rc.file({str(PNG)!r})
        rc.file({str(data)!r}, name="renamed.bin", mime="application/x-thing")
    """)
    )
    plain, renamed = (n[2] for n in t.nodes("file"))
    assert (plain["name"], plain["size"], plain["mime"]) == ("pixel.png", PNG.stat().st_size, "image/png")
    assert (renamed["name"], renamed["size"], renamed["mime"]) == ("renamed.bin", 3, "application/x-thing")
    assert t.media(renamed["src"]) == b"\x00\x01\x02"
