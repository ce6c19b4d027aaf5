"""``rc.user`` and ``rc.require_user()``, and what signing in does to a browser's earlier conversations."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

import reactchat as rc
from reactchat.config import Auth
from reactchat.protocol import VERSION
from reactchat.store import open_store
from tests.serving import Client, ready, run
from tests.signing import Visitor, add_user, cookie_header

APP = """
    import reactchat as rc
    conv = rc.conversation()
    for m in conv.history:
        rc.message(m)
    if prompt := rc.chat_input():
        with conv.reply():
            rc.markdown("echo " + prompt)
    rc.markdown(f"user: {rc.user.name if rc.user else 'anonymous'}")
    user = rc.require_user()
    rc.markdown(f"the secret is for {user.name}")
"""


def test_rc_user_is_only_for_a_running_script() -> None:
    with pytest.raises(RuntimeError, match="only work inside a running app"):
        rc.user  # noqa: B018


async def tab(served: Any, visitor: Visitor) -> Client:
    cookies = cookie_header(visitor.jar)
    conn = await websocket_connect(
        HTTPRequest(served.ws_url, headers={"Origin": served.url, "Cookie": cookies})
    )
    client = Client(conn)
    await client.send(["hello", VERSION, None, -1])
    return await client.until(ready)


def test_an_anonymous_visitor_is_asked_to_sign_in_and_keeps_their_chat_when_they_do(
    serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: pathlib.Path
) -> None:
    store_url = f"sqlite:///{tmp_path}/chats.db"
    add_user(store_url, "alice")
    served = serve(write_app(APP), auth=Auth(mode="password", allow_anonymous=True), store=store_url)
    visitor = Visitor(served.url)
    status, _, page = visitor.get("/")
    assert status == 200 and "&quot;signIn&quot;: &quot;/_rc/sign-in&quot;" in page

    async def before() -> None:
        c = await tab(served, visitor)
        await c.submit(c.input_id(), "hello there")
        await c.until(lambda c: "echo hello there" in repr(c.tree) and c.run_state == "done")
        shown = repr(c.tree)
        assert (
            "user: anonymous" in shown and "Sign in to use this." in shown and "/_rc/sign-in?next=" in shown
        )
        assert "the secret" not in shown
        c.close()

    run(before())
    assert visitor.sign_in("alice")[0] == 302

    async def after() -> None:
        c = await tab(served, visitor)
        await c.until(lambda c: "the secret is for alice" in repr(c.tree))
        assert "user: alice" in repr(c.tree)
        c.close()

    run(after())
    with open_store(store_url) as store:
        alice = store.user("password:alice")
        assert [c.title for c in store.list(alice, "app")] == ["hello there"]


def test_chat_test_runs_a_script_as_a_signed_in_user(write_app: Callable[[str], str]) -> None:
    from reactchat.testing import ChatTest

    alice = rc.Identity("password:alice", "password", name="alice")
    t = ChatTest(write_app(APP), user=alice)
    assert "the secret is for alice" in t.text
    t.send("hi")
    assert t.store.list(t.store.user("password:alice"), "app")[0].title == "hi"
    assert "Sign in to use this." in ChatTest(write_app(APP)).text


def test_without_sign_in_rc_user_is_none(serve: Callable[..., Any], write_app: Callable[[str], str]) -> None:
    served = serve(write_app(APP))
    visitor = Visitor(served.url)

    async def go() -> None:
        c = await tab(served, visitor)
        await c.until(lambda c: "user: anonymous" in repr(c.tree))
        assert "Sign in to use this." in repr(c.tree) and "/_rc/sign-in" not in repr(
            c.tree
        )  # no page to go to

    run(go())
