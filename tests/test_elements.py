from __future__ import annotations

import io
import pathlib
from collections.abc import Callable

from PIL import Image

from reactchat.elements import message_key, split_reasoning
from reactchat.ops import EVACK, RUN
from reactchat.testing import ChatTest

PNG = pathlib.Path(__file__).parent / "fixtures" / "pixel.png"


def kinds(node: list) -> list:  # type: ignore[type-arg]
    return [[c[1], kinds(c)] if c[3] else c[1] for c in node[3]]


def test_chat_message_and_dicts_are_the_same_message(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.message(rc.ChatMessage(role="user", content="a", created_at=1.5))
        rc.message({"role": "assistant", "content": "b"})
    """)
    )
    first, second = t.nodes("message")
    assert first[2] == {"role": "user", "created_at": 1.5, "html": "<p>a</p>\n"}  # (holding its text)
    assert second[2]["role"] == "assistant" and second[2]["created_at"] > 1_700_000_000


def test_created_at_is_kept_across_reruns_so_history_costs_nothing(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.message("user", "hello")
        rc.chat_input()
    """)
    )
    stamp = t.nodes("message")[0][2]["created_at"]
    before = len(t.ops)
    t.send("rerun")
    assert t.nodes("message")[0][2]["created_at"] == stamp
    assert [op for op in t.ops[before:] if op[0] not in (RUN, EVACK)] == []


def test_file_dicts_show_by_type(write_app: Callable[[str], str], tmp_path: pathlib.Path) -> None:
    (tmp_path / "song.mp3").write_bytes(b"ID3...")
    (tmp_path / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 " + b"x" * 100)
    t = ChatTest.from_file(
        write_app(f"""
        import reactchat as rc
        d = {str(tmp_path)!r}
        rc.message("assistant", {{"path": {str(PNG)!r}, "alt_text": "a pixel"}})
        rc.message("assistant", [{{"path": d + "/song.mp3"}}, {{"path": d + "/clip.mp4"}}, {{"path": d + "/notes.pdf"}}])
        rc.message("assistant", {{"path": "https://example.com/x.png"}})
    """)
    )
    assert t.errors == []
    image, audio, video, file, remote = (n for n in t.tree[3][0][3] + t.tree[3][1][3] + t.tree[3][2][3])
    assert image[1] == "image" and image[2]["alt"] == "a pixel"
    assert t.media(image[2]["src"]) == PNG.read_bytes()
    assert audio[1] == "audio" and audio[2]["mime"] == "audio/mpeg"
    assert video[1] == "video" and video[2]["mime"] == "video/mp4"
    assert file[1] == "file" and file[2]["name"] == "notes.pdf" and file[2]["size"] == 109
    assert remote[1] == "image" and remote[2]["src"] == "https://example.com/x.png"


def test_media_elements_show_where_made_or_inside_a_message(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app(f"""
        import reactchat as rc
        rc.image({str(PNG)!r}, caption="top level")
        rc.message("assistant", rc.image({str(PNG)!r}, alt="inside"))
        with rc.message("assistant"):
            rc.markdown("text first")
            rc.image({str(PNG)!r}, alt="in the with block")
        last = rc.image({str(PNG)!r}, alt="last statement")
    """)
    )
    assert kinds(t.tree) == ["image", ["message", ["image"]], ["message", ["markdown", "image"]], "image"]
    assert [n[2].get("alt") for n in t.nodes("image")] == [
        None,
        "inside",
        "in the with block",
        "last statement",
    ]


def test_images_from_pil_numpy_and_matplotlib(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import numpy as np
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from PIL import Image
        import reactchat as rc
        rc.image(Image.new("RGB", (3, 2), (0, 128, 255)))
        rc.image(np.full((2, 5, 3), 200, dtype=np.uint8))
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([1, 2, 3])
        rc.plot(fig, caption="a line")
        rc.message("assistant", np.zeros((1, 1)))
    """)
    )
    assert t.errors == []
    sizes = [Image.open(io.BytesIO(t.media(n[2]["src"]))).size for n in t.nodes("image")]
    assert sizes[0] == (3, 2) and sizes[1] == (5, 2) and sizes[2][0] > 50 and sizes[3] == (1, 1)
    assert t.nodes("image")[2][2]["caption"] == "a line"


def test_audio_from_samples_file_video_html_gallery(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app(f"""
        import numpy as np
        import reactchat as rc
        rc.audio(np.zeros(800), sample_rate=8000)
        rc.file(b"col1,col2\\n", name="data.csv")
        rc.video("https://example.com/v.mp4")
        rc.html('<p class="x" onclick="steal()">hi<script>alert(1)</script><a href="javascript:x()">l</a></p>')
        rc.gallery([{str(PNG)!r}, ({str(PNG)!r}, "second"), {{"image": "https://example.com/c.png", "alt": "c"}}], columns=3)
    """)
    )
    audio, file, video, html, gallery = (n[2] for n in t.tree[3])
    assert audio["mime"] == "audio/wav" and t.media(audio["src"]).startswith(b"RIFF")
    assert file == {"src": file["src"], "mime": "text/csv", "name": "data.csv", "size": 10}
    assert video["src"] == "https://example.com/v.mp4" and video["mime"] == "video/mp4"
    assert html["html"] == '<p class="x">hi<a target="_blank" rel="noopener noreferrer">l</a></p>'
    assert [i.get("caption") for i in gallery["items"]] == [None, "second", None] and gallery["columns"] == 3


def test_bad_sources_name_the_problem(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.image(object())
    """)
    )
    assert t.errors[0]["type"] == "TypeError" and "cannot show a object" in t.errors[0]["message"]
    t = ChatTest.from_file(write_app("import reactchat as rc\nrc.image('missing.png')\n"))
    assert t.errors[0]["type"] == "FileNotFoundError" and "'missing.png'" in t.errors[0]["message"]


def test_split_reasoning() -> None:
    tags = [("<think>", "</think>")]
    assert split_reasoning("a<think>b</think>c", tags) == [(False, "a"), (True, "b"), (False, "c")]
    assert split_reasoning("<think>open", tags) == [(True, "open")]
    assert split_reasoning("none", tags) == [(False, "none")]


def test_a_reply_made_before_the_user_message_shows_once_inside_the_reply(
    write_app: Callable[[str], str],
) -> None:
    t = ChatTest.from_file(
        write_app(f"""
        import reactchat as rc
        rc.session_state.setdefault("history", [])
        for m in rc.session_state.history:
            rc.message(m)
        if prompt := rc.chat_input():
            reply = ["Here:", rc.image({str(PNG)!r}, alt="made first")]
            rc.message("user", prompt)
            rc.message("assistant", reply)
            rc.session_state.history += [{{"role": "user", "content": prompt}}, {{"role": "assistant", "content": reply}}]
    """)
    )
    t.send("show me")
    assert kinds(t.tree) == ["chat_input", "message", ["message", ["markdown", "image"]]]
    assert len(t.nodes("image")) == 1 and t.tree == t.session.tree.to_wire()
    before = len(t.ops)
    t.send("again")  # the stored reply re-declares the same image: no churn for the first turn
    assert len(t.nodes("image")) == 2
    assert not any(op[0] == 5 and op[1] == t.nodes("image")[0][0] for op in t.ops[before:])


def test_bytes_have_no_name_unless_given(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.audio(b"RIFF0000WAVEfmt ")
        rc.file(b"x", name="x.txt")
    """)
    )
    assert "name" not in t.nodes("audio")[0][2] and t.nodes("file")[0][2]["name"] == "x.txt"


def test_a_message_id_is_its_key_when_it_is_a_string_and_is_prefixed_when_it_is_not() -> None:
    stored = "01HXSTOREDMESSAGEID0000000"
    assert message_key(stored) is stored  # no string of its own per message
    assert message_key(7) == "m:7"
