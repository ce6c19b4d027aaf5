"""chat_interface on a stored conversation: it lasts through a restart, and retry, edit, undo and clear keep
what was there as branches or in the list."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from reactchat.store import Store, open_store
from reactchat.testing import ChatTest


@pytest.fixture
def store() -> Store:
    return open_store("memory")


def bot() -> Any:
    counter = itertools.count(1)

    def reply(message: str, history: list[dict[str, Any]]) -> str:
        return f"answer {next(counter)} to {message} after {len(history)}"

    return reply


def texts(t: ChatTest) -> list[str]:
    return [m["content"] for m in t.messages]


def stored(t: ChatTest, store: Store) -> list[tuple[str, Any]]:
    assert t.conversation is not None
    return [(m.role, m.content) for m in store.path(t.owner, t.conversation)]


def test_a_chat_interface_conversation_survives_a_restart(store: Store) -> None:
    t = ChatTest.from_function(bot(), store=store)
    t.send("hi").send("again")
    shown = ["hi", "answer 1 to hi after 0", "again", "answer 2 to again after 2"]
    assert texts(t) == shown and [text for _, text in stored(t, store)] == shown
    assert texts(t.restart()) == shown
    assert t.session.state["__reactchat_chat_interface__"]["history"][1] == {
        "role": "assistant",
        "content": "answer 1 to hi after 0",
    }


def test_retry_answers_again_and_keeps_the_old_answer_as_a_branch(store: Store) -> None:
    t = ChatTest.from_function(bot(), store=store)
    t.send("hi")
    first = stored(t, store)
    t.retry()
    assert texts(t) == ["hi", "answer 2 to hi after 0"]
    user_id = store.path(t.owner, t.conversation or "")[0].id
    store.set_leaf(t.owner, t.conversation or "", user_id)
    children = [m for m in store.path(t.owner, t.conversation or "")]
    assert children[-1].id == user_id and first[1] == ("assistant", "answer 1 to hi after 0")


def test_edit_makes_a_new_prompt_beside_the_old_one(store: Store) -> None:
    t = ChatTest.from_function(bot(), store=store, editable=True)
    t.send("hi")
    old_user = store.path(t.owner, t.conversation or "")[0]
    t.edit(0, "hello")
    assert texts(t) == ["hello", "answer 2 to hello after 0"]
    new_user = store.path(t.owner, t.conversation or "")[0]
    assert new_user.id != old_user.id and new_user.parent_id == old_user.parent_id is None


def test_undo_goes_back_a_turn_and_clear_starts_a_new_conversation(store: Store) -> None:
    t = ChatTest.from_function(bot(), store=store)
    t.send("one").send("two")
    t.undo()
    assert texts(t) == ["one", "answer 1 to one after 0"]
    assert t.nodes("chat_input")[0][2]["value"] == "two"  # the undone prompt back in the input
    first = t.conversation
    t.clear()
    assert texts(t) == [] and t.conversation is None
    t.send("fresh")
    assert t.conversation != first
    assert len(store.list(t.owner, "app")) == 2


def test_media_a_chat_function_makes_are_kept_and_show_after_a_restart(store: Store) -> None:
    import reactchat as rc

    png = b"\x89PNG\r\n\x1a\n" + bytes(200)

    def draw(message: str, history: list[dict[str, Any]]) -> list[Any]:
        return ["Drawn:", rc.image(png), rc.gallery([png + b"1", png + b"2"])]

    t = ChatTest.from_function(draw, store=store)
    t.send("a cat")
    before = texts(t)
    t.restart()
    sources = [n[2]["src"] for n in t.nodes("image")]
    assert len(sources) == 3 and all(src.startswith("/_rc/files/") for src in sources)
    kept = [store.file(t.owner, src.rsplit("/", 1)[1]) for src in sources]
    assert [found[1] for found in kept if found is not None] == [png, png + b"1", png + b"2"]
    assert texts(t) == before and len(t.messages) == 4  # the prompt, the text, the image, the gallery


def test_the_chat_function_gets_paths_to_earlier_attachments(store: Store) -> None:
    seen: list[Any] = []

    def look(message: dict[str, Any], history: list[dict[str, Any]]) -> str:
        seen.append([m["content"] for m in history])
        return "seen"

    t = ChatTest.from_function(look, store=store, multimodal=True)
    t.send("first", files=[("a.txt", b"hello", "text/plain")]).send("second")
    attached = seen[-1][0]
    assert attached["name"] == "a.txt" and attached["mime_type"] == "text/plain"
    with open(attached["path"], "rb") as f:
        assert f.read() == b"hello"


def test_retry_and_edit_make_versions_a_pager_switches_between_and_they_last(store: Store) -> None:
    t = ChatTest.from_function(bot(), store=store)
    t.send("hi").send("next")
    t.retry(1 - 4)  # the first answer, from the top: messages are hi, answer, next, answer
    assert texts(t) == ["hi", "answer 3 to hi after 0"]

    def branch_of(t: ChatTest) -> list[Any]:
        return [n[2].get("branch") for n in t.nodes("message")]

    assert branch_of(t) == [None, [2, 2]]
    t.retry()
    assert branch_of(t) == [None, [3, 3]]
    t.branch(1, -1).branch(1, -1)
    assert branch_of(t)[:2] == [None, [1, 3]]
    assert texts(t) == ["hi", "answer 1 to hi after 0", "next", "answer 2 to next after 2"]  # its own turn
    assert texts(t.reload()) == ["hi", "answer 1 to hi after 0", "next", "answer 2 to next after 2"]
    t.branch(1, 1)
    assert texts(t) == ["hi", "answer 3 to hi after 0"] and branch_of(t) == [None, [2, 3]]
    t.edit(0, "hello")  # a second version of the prompt, answered
    assert texts(t) == ["hello", "answer 5 to hello after 0"] and branch_of(t) == [[2, 2], None]
    t.branch(0, -1)  # the first prompt's branch, as it was last seen
    assert texts(t.restart()) == ["hi", "answer 3 to hi after 0"]
    assert branch_of(t) == [[1, 2], [2, 3]]
    t.branch(0, -1)  # no earlier version: nothing changes
    assert branch_of(t) == [[1, 2], [2, 3]]
