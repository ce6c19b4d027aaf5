"""Two servers on one PostgreSQL store, as two worker processes would be: a tab on one follows the answer
the other runs, live, from the store; its Stop stops it there; a prompt from it waits for the lease."""

from __future__ import annotations

import pathlib
import textwrap
import time
from collections.abc import Callable
from typing import Any

from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClosedError, websocket_connect

from reactchat.protocol import VERSION
from reactchat.store_sql import SqlStore
from tests.serving import Client, ready, run, wait_for
from tests.signing import Visitor, anonymous_id, cookie_header

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
    await client.send(["hello", VERSION, None, -1, "", conversation])
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
    cookies = cookie_header(visitor.jar)
    store = one.app.store
    assert store is not None

    async def go() -> None:
        writer = await tab(one.url, one.ws_url, cookies)
        await writer.submit(writer.input_id(), "long")
        await writer.until(lambda c: len(reply(c)) > 0)
        conversation = store.list(store.user(anonymous_id(visitor.jar)), "app")[0].id
        follower = await tab(two.url, two.ws_url, cookies, conversation)
        seen: list[int] = []
        # The follower's worker reads the growing answer from the store when the writer's tells it to.
        await follower.until(lambda c: seen.append(len(reply(c))) or len(set(seen) - {0}) >= 3, timeout=10)
        await follower.send(["stop"])  # pressed on the follower, on the other worker
        await writer.until(lambda c: c.run_state == "stopped", timeout=10)
        owner = store.user(anonymous_id(visitor.jar))
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


def test_an_answer_whose_worker_died_shows_interrupted_and_the_next_prompt_is_answered(
    serve: Callable[..., Any], write_app: Callable[[str], str], postgres_url: str
) -> None:
    served = serve(write_app(APP), store=postgres_url)
    visitor = Visitor(served.url)
    visitor.get("/")
    cookies = cookie_header(visitor.jar)
    store = served.app.store
    assert store is not None
    owner = store.user(anonymous_id(visitor.jar))
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
                owner = store.user(anonymous_id(on_frozen.jar))
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
            owner = store.user(anonymous_id(on_frozen.jar))
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


def test_a_rolling_restart_of_every_worker_loses_nothing(tmp_path: pathlib.Path, postgres_url: str) -> None:
    """30 tabs each ask 3 questions in a row (each answer streams 2 s) while the 3 workers are restarted one
    after the other: every answer completes or is marked interrupted, each question is stored and answered
    once, and no tab is shown an error."""
    import asyncio

    from reactchat.nginx_config import nginx_config
    from reactchat.ops import ERR
    from reactchat.store import open_store
    from tests.nginx import Nginx, Worker, free_ports
    from tests.nginx import Visitor as NginxVisitor

    script = tmp_path / "app.py"
    source = textwrap.dedent(APP).replace("range(200)", "range(40)").replace("0.02", "0.05")
    script.write_text(source.replace('prompt == "long"', 'prompt.startswith("long")'))
    first, listen = free_ports(3), free_ports(1)
    workers = [Worker(str(script), p, postgres_url, tmp_path).wait() for p in range(first, first + 3)]
    nginx = Nginx(nginx_config(3, first, listen=f"127.0.0.1:{listen}"), listen, tmp_path).start()
    visitors = [NginxVisitor(nginx.url) for _ in range(30)]
    shown_errors: list[str] = []
    try:
        for visitor in visitors:
            assert visitor.get("/") == 200
        with open_store(postgres_url) as store:

            def conversation_of(visitor: NginxVisitor) -> str | None:
                owner = store.user(anonymous_id(visitor.jar))
                found = store.list(owner, "app")
                return found[0].id if found else None

            async def ask(visitor: NginxVisitor, i: int) -> None:
                tab = await visitor.tab()
                for round_ in range(3):
                    question = f"long {i}-{round_}"
                    while True:
                        try:
                            if question not in [t for _, t in tab.texts()]:
                                await tab.submit(tab.input_id(), question)
                            await tab.until(lambda c, q=question: answered(c, q), timeout=60)
                            break
                        except (
                            ConnectionError,
                            WebSocketClosedError,
                        ):  # its worker drained: reconnect elsewhere
                            shown_errors.extend(n for n in tab.notes if "could not" in n.lower())
                            shown_errors.extend(str(op[1]) for _, ops in tab.frames for op in ops
                                                if op[0] == ERR and op[1] is not None)  # fmt: skip
                            tab = await reconnect(visitor)
                tab.close()

            async def reconnect(visitor: NginxVisitor) -> Client:
                # As the page does: a refused reconnect is tried again after a pause. While workers
                # restart, nginx can find none it counts as up for a moment (each failure marks a worker
                # down for 5 s) and answer the upgrade with 502.
                for _ in range(50):
                    try:
                        return await visitor.tab(conversation_of(visitor))
                    except HTTPClientError as error:
                        if error.code not in (502, 503):
                            raise
                        await asyncio.sleep(0.2)
                return await visitor.tab(conversation_of(visitor))

            async def restart_all() -> None:
                await asyncio.to_thread(wait_streaming, postgres_url, 20)
                for at, worker in enumerate(workers):
                    await asyncio.to_thread(
                        worker.stop
                    )  # SIGTERM: answers finish, tabs are sent on, it exits
                    workers[at] = await asyncio.to_thread(
                        lambda w=worker: Worker(str(script), w.port, postgres_url, tmp_path).wait()
                    )

            async def go() -> None:
                await asyncio.gather(restart_all(), *(ask(v, i) for i, v in enumerate(visitors)))

            asyncio.run(asyncio.wait_for(go(), 240))
            assert shown_errors == []
            kept = [
                store.path(c.owner_id, c.id) for user in store.users() for c in store.conversations(user.id)
            ]
        assert len(kept) == 30
        for path in kept:
            assert [m.role for m in path] == ["user", "assistant"] * 3, [(m.role, m.content) for m in path]
            i = path[0].content.split()[1].split("-")[0]
            assert [m.content for m in path[::2]] == [f"long {i}-{r}" for r in range(3)]  # each question once
            for answer in path[1::2]:
                assert answer.status in ("done", "interrupted"), answer
                assert answer.status == "interrupted" or answer.content.split() == [
                    f"w{n}" for n in range(40)
                ]
    finally:
        nginx.stop()
        for worker in workers:
            worker.stop()


def answered(c: Client, question: str) -> bool:
    """The tab shows ``question`` with an answer after it, and no run going."""
    texts = c.texts()
    return question in [t for _, t in texts] and texts[-1][0] == "assistant" and c.run_state != "running"


def wait_streaming(store_url: str, count: int) -> None:
    """Wait until ``count`` answers are streaming in the store."""
    from reactchat.store import open_store

    with open_store(store_url) as store:
        assert isinstance(store, SqlStore)

        def streaming() -> bool:
            with store.transaction(write=False) as tx:
                return int(tx.one("SELECT count(*) FROM messages WHERE status = 'streaming'")[0]) >= count

        wait_for(streaming, 30)
