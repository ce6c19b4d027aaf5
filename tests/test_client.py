from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from reactchat import Client
from reactchat.client import ClientError
from tests.serving import Served

GATE = threading.Event()
"""Holds the served app's reply back until the test lets it go (the server runs in this process)."""

APP = """
    import reactchat as rc
    from tests.test_client import GATE
    def slow():
        yield "first"
        GATE.wait(10)
        yield "first second"
    def bot(message, history, style):
        if message == "slow":
            return slow()
        said = [m["content"] for m in history]
        return f"{style}: {message} after {said}"
    rc.chat_interface(bot, additional_inputs=[lambda: rc.text_input("Style", "plain", key="style")])
"""


@pytest.fixture
def served(serve: Callable[..., Served], write_app: Callable[[str], str]) -> Iterator[Served]:
    GATE.clear()
    yield serve(write_app(APP))
    GATE.set()  # never leave the server's worker waiting


def test_chat_sends_the_history_and_inputs_by_key(served: Served) -> None:
    client = Client(served.url + "/")  # a trailing slash is fine
    history = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]
    assert client.chat("c", history) == "plain: c after ['a', 'b']"
    assert client.chat("c", style="loud") == "loud: c after []"


def test_a_stream_yields_each_piece_as_the_app_makes_it(served: Served) -> None:
    pieces = Client(served.url, timeout=10).stream("slow")
    assert next(pieces) == "first"  # arrives while the app is still working on the rest
    GATE.set()
    assert list(pieces) == [" second"]


def test_an_error_without_a_json_body_is_reported_by_its_status(served: Served) -> None:
    with pytest.raises(ClientError, match=r"^404: Not Found$"):
        Client(served.url + "/nowhere").chat("hi")


def test_a_server_slower_than_the_timeout_raises() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:  # accepts connections, never answers
        client = Client(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=0.3)
        with pytest.raises(TimeoutError):
            client.chat("hi")
        with pytest.raises(TimeoutError):
            next(client.stream("hi"))
