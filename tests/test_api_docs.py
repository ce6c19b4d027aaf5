"""The API's documentation page."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable

import pytest

from tests.serving import ECHO, Served

APP = """
    import reactchat as rc
    def bot(message, history, system, temperature):
        return message
    rc.chat_interface(bot, additional_inputs=[lambda: rc.text_input("System", "sys"), lambda: rc.slider("Temperature", 0.0, 1.0, 0.5)])
"""


@pytest.fixture
def served(serve: Callable[..., Served], write_app: Callable[[str], str]) -> Served:
    return serve(write_app(APP))


def test_api_docs_show_curl_for_this_app(served: Served) -> None:
    with urllib.request.urlopen(served.url + "/api") as response:
        page = response.read().decode()
    assert f"curl -s {served.url}/api/chat" in page and "System, Temperature" in page
    assert "/v1/chat/completions" in page


def test_an_app_without_chat_interface_says_so(serve: Callable[..., Served]) -> None:
    served = serve(ECHO)
    with urllib.request.urlopen(served.url + "/api") as response:
        page = response.read().decode()
        assert response.headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "does not use rc.chat_interface" in page


def test_the_curl_examples_run_as_pasted(served: Served) -> None:
    import html
    import json
    import re
    import subprocess

    with urllib.request.urlopen(served.url + "/api") as response:
        page = response.read().decode()
    commands = [html.unescape(c) for c in re.findall(r"<pre>(curl .*?)</pre>", page, re.DOTALL)]
    assert len(commands) == 3 and all("..." not in c for c in commands)
    for command in commands:
        result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0 and "error" not in result.stdout, (command, result.stdout)
    chat = subprocess.run(["sh", "-c", commands[0]], capture_output=True, text=True, timeout=30)
    assert json.loads(chat.stdout)["reply"] == "Hello"
