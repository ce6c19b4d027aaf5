"""Screen: frames applied to the page's copy of the tree, and what it shows."""

from __future__ import annotations

from reactchat.ops import ERR, INS, RUN
from reactchat.protocol import encode_frame
from reactchat.screen import Screen


def test_frames_build_the_tree_the_page_shows() -> None:
    screen = Screen()
    message = [1, "message", {"role": "user"}, [[2, "markdown", {"html": "<p>Hi &amp; <b>bye</b></p>"}, []]]]
    screen.receive(encode_frame(1, [[INS, 0, None, message], [RUN, "done"]]))
    assert screen.rendered == [{"role": "user", "content": "Hi & bye"}]
    assert (
        screen.run_state == "done" and len(screen.frames) == 1 and screen.bytes_sent == len(screen.frames[0])
    )
    screen.receive(encode_frame(2, [[ERR, {"message": "boom"}]]))
    assert screen.overlay == {"message": "boom"} and [op[0] for op in screen.ops] == [INS, RUN, ERR]
    screen.reset()
    assert screen.rendered == [] and screen.frames == [] and screen.run_state == "idle"
