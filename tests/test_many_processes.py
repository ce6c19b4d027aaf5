"""Two servers on one PostgreSQL store, as two worker processes would be: a tab on one follows the answer
the other runs, live, from the store; its Stop stops it there; a prompt from it waits for the lease."""

from __future__ import annotations

import pathlib
import textwrap
import time
from collections.abc import Callable
from typing import Any

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.serving import Client, ready, run
from tests.signing import Visitor

APP = """
    import time
    import reactchat as rc
    conv = rc.conversation()
    for m in conv.history:
        rc.message(m)
    def slow():
        for i in range(200):
            time.sleep(0.02)
            yield f"w{i} "
    if prompt := rc.chat_input():
        with conv.reply():
            rc.write_stream(slow() if prompt == "long" else iter([f"Answer to {prompt}"]))
"""


async def tab(url: str, ws_url: str, cookies: str, conversation: str | None = None) -> Client:
    conn = await websocket_connect(HTTPRequest(ws_url, headers={"Origin": url, "Cookie": cookies}))
    client = Client(conn)
    await client.send(["hello", 1, None, -1, "", conversation])
    return await client.until(ready)


def reply(c: Client) -> str:
    texts = c.texts()
    return texts[1][1] if len(texts) > 1 else ""


def test_a_tab_on_another_worker_follows_the_answer_and_stops_it(
    serve: Callable[..., Any], write_app: Callable[[str], str], postgres_url: str
) -> None:
    path = write_app(APP)
    one, two = serve(path, store=postgres_url), serve(path, store=postgres_url)
    visitor = Visitor(one.url)
    visitor.get("/")  # the browser's cookie, signed with the store's secret: both workers know it
    cookies = "; ".join(f"{c.name}={c.value}" for c in visitor.jar)
    store = one.app.store
    assert store is not None

    async def go() -> None:
        writer = await tab(one.url, one.ws_url, cookies)
        await writer.submit(writer.input_id(), "long")
        await writer.until(lambda c: len(reply(c)) > 0)
        conversation = store.list(store.user(visitor_id(cookies)), "app")[0].id
        follower = await tab(two.url, two.ws_url, cookies, conversation)
        seen: list[int] = []
        # The follower's worker reads the growing answer from the store when the writer's tells it to.
        await follower.until(lambda c: seen.append(len(reply(c))) or len(set(seen) - {0}) >= 3, timeout=10)
        await follower.send(["stop"])  # pressed on the follower, on the other worker
        await writer.until(lambda c: c.run_state == "stopped", timeout=10)
        owner = store.user(visitor_id(cookies))
        deadline = time.monotonic() + 10
        while (stored := store.path(owner, conversation)[-1]).status != "stopped":
            assert time.monotonic() < deadline, stored.status
            time.sleep(0.05)
        assert 0 < len(stored.content) < len(" ".join(f"w{i}" for i in range(200)))
        # A prompt from the follower's worker takes the lease the writer's gave back, and is answered there.
        await follower.submit(follower.input_id(), "next")
        await follower.until(lambda c: [t for _, t in c.texts()][-1:] == ["Answer to next"], timeout=10)
        await writer.until(lambda c: [t for _, t in c.texts()][-1:] == ["Answer to next"], timeout=10)

    run(go())


def visitor_id(cookies: str) -> str:
    """The anonymous identifier of the browser whose cookies these are (as the store knows it)."""
    import base64

    signed = next(part.split("=", 1)[1] for part in cookies.split("; ") if part.startswith("rc_user="))
    # Tornado's signed value v2: "2|1:0|10:<ts>|7:rc_user|<len>:<base64 value>|<sig>"
    value = signed.split("|")[4].split(":", 1)[1]
    return "anonymous:" + base64.b64decode(value).decode()


def test_an_answer_whose_worker_died_shows_interrupted_and_the_next_prompt_is_answered(
    serve: Callable[..., Any], write_app: Callable[[str], str], postgres_url: str
) -> None:
    served = serve(write_app(APP), store=postgres_url)
    visitor = Visitor(served.url)
    visitor.get("/")
    cookies = "; ".join(f"{c.name}={c.value}" for c in visitor.jar)
    store = served.app.store
    assert store is not None
    owner = store.user(visitor_id(cookies))
    conversation = store.create(owner, "app").id
    store.add(owner, conversation, role="user", content="long")
    # A worker that died mid-answer: its lease (taken just now) runs out by itself, nobody renews it.
    assert store.take_lease(conversation, "a worker killed with -9", 1.0) is not None
    reply = store.add(owner, conversation, role="assistant", content="", status="streaming")
    store.append(owner, reply.id, "as far as it got")

    async def go() -> None:
        c = await tab(served.url, served.ws_url, cookies, conversation)
        assert reply_of(c) == ("as far as it got", "streaming")  # its writer's lease lasts: maybe writing
        await c.until(lambda c: reply_of(c) == ("as far as it got", "interrupted"), timeout=15)
        await c.submit(c.input_id(), "again")
        await c.until(lambda c: [t for _, t in c.texts()][-1:] == ["Answer to again"], timeout=15)
        assert [role for role, _ in c.texts()] == ["user", "assistant", "user", "assistant"]

    run(go())


def reply_of(c: Client) -> tuple[str, str | None]:
    """The first answer's text and its ``status`` prop."""
    message = c.nodes("message")[1]
    return c.texts()[1][1], message[2].get("status")


def test_a_frozen_worker_writes_nothing_after_its_lease_moved(
    tmp_path: pathlib.Path, postgres_url: str
) -> None:
    import signal

    from reactchat.store import open_store
    from tests.nginx import Visitor as NginxVisitor
    from tests.nginx import Worker, free_ports, wait_log

    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent(APP))
    first = free_ports(2)
    frozen, other = (Worker(str(script), p, postgres_url, tmp_path).wait() for p in (first, first + 1))
    try:
        on_frozen, on_other = (
            NginxVisitor(f"http://127.0.0.1:{first}"),
            NginxVisitor(f"http://127.0.0.1:{first + 1}"),
        )
        assert on_frozen.get("/") == 200
        on_other.jar = on_frozen.jar  # the same browser, on the other worker
        with open_store(postgres_url) as store:

            async def go() -> str:
                writer = await on_frozen.tab()
                await writer.submit(writer.input_id(), "long")
                await writer.until(lambda c: len(reply(c)) > 20)
                frozen.process.send_signal(signal.SIGSTOP)  # mid-answer, it stops: no renewal, no writes
                owner = store.user(visitor_id("; ".join(f"{c.name}={c.value}" for c in on_frozen.jar)))
                conversation = store.list(owner, "app")[0].id
                follower = await on_other.tab(conversation)
                await follower.submit(
                    follower.input_id(), "next"
                )  # waits for the frozen one's lease to run out
                await follower.until(
                    lambda c: [t for _, t in c.texts()][-1:] == ["Answer to next"], timeout=20
                )
                return conversation

            conversation = run(go())
            owner = store.user(visitor_id("; ".join(f"{c.name}={c.value}" for c in on_frozen.jar)))
            before = [(m.id, m.status, m.content) for m in store.tree(owner, conversation)]
            assert before[1][1] == "interrupted"  # the frozen worker's answer, taken over
            frozen.process.send_signal(signal.SIGCONT)
            wait_log(frozen.log, lambda text: "was taken by another process" in text)  # it noticed, and stops
            wait_log(frozen.log, lambda text: "refused: the lease of conversation" in text)  # its next write
            assert [(m.id, m.status, m.content) for m in store.tree(owner, conversation)] == before
    finally:
        for worker in (frozen, other):
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGCONT)
            worker.stop()
