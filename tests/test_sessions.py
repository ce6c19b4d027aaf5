"""The session registry: sessions outlive their tab for the grace period, and an edit reruns them all."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import Callable

from tests.serving import SLOW, Client, Served, mid_stream, ready, run


def test_a_session_whose_tab_stays_away_is_freed(
    serve: Callable[..., Served], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    marker = tmp_path / "closed"
    served = serve(
        write_app(SLOW.replace("rc_closed = True", f"open({str(marker)!r}, 'w').close()")), session_grace=0.3
    )

    async def body() -> None:
        c = await mid_stream(served)
        c.close()
        for _ in range(100):
            if c.token not in served.app.sessions and marker.exists():
                break
            await asyncio.sleep(0.05)
        assert c.token not in served.app.sessions
        assert marker.exists()  # the stream's generator was closed
        c2 = await Client.connect(served.ws_url, token=c.token)
        await c2.until(ready)
        assert c2.token != c.token and c2.texts() == []

    run(body())


def test_the_script_folder_is_watched(serve: Callable[..., Served], write_app: Callable[[str], str]) -> None:
    path = pathlib.Path(write_app("import reactchat as rc\nrc.title('one')\nrc.chat_input()\n"))
    served = serve(str(path), watch=True)

    async def body() -> None:
        c = await Client.connect(served.ws_url)
        await c.until(lambda c: c.nodes("title") and c.nodes("title")[0][2]["text"] == "one")
        path.write_text("import reactchat as rc\nrc.title('two')\nrc.chat_input()\n")
        await c.until(lambda c: c.nodes("title")[0][2]["text"] == "two")
        path.write_text("import reactchat as rc\nrc.title('three'\n")
        await c.until(lambda c: c.overlay is not None)
        assert c.overlay["line"] >= 2 and c.nodes("title")[0][2]["text"] == "two"
        (path.parent / "helper.py").write_text("NAME = 'helper v1'\n")
        path.write_text("import reactchat as rc\nimport helper\nrc.title(helper.NAME)\nrc.chat_input()\n")
        await c.until(lambda c: c.overlay is None and c.nodes("title")[0][2]["text"] == "helper v1")
        (path.parent / "helper.py").write_text("NAME = 'helper v2'\n")
        await c.until(lambda c: c.nodes("title")[0][2]["text"] == "helper v2")

    import sys

    sys.path.insert(0, str(path.parent))
    try:
        run(body())
    finally:
        sys.path.remove(str(path.parent))
        sys.modules.pop("helper", None)
