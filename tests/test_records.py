"""The store's records: immutable values, and how a message's content refers to a kept file."""

from __future__ import annotations

import dataclasses

import pytest

from reactchat.records import Message, Origins, StoredFile, User, named_id, new_id


def test_a_kept_file_is_referred_to_by_a_part_naming_it() -> None:
    kept = StoredFile("F1", "C1", "cat.png", "image/png", 12, 1.5)
    assert kept.part() == {"file_id": "F1", "name": "cat.png", "mime_type": "image/png", "size": 12}


def test_records_are_frozen_and_a_message_has_no_siblings_unless_a_path_gives_them() -> None:
    message = Message("M1", "C1", None, "user", "hi", None, "done", None, None, 1.0, 1.0)
    assert message.siblings == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.content = "changed"  # type: ignore[misc]
    user = User("U1", "anonymous:abc", "anonymous", None, None, None)
    assert dataclasses.replace(user, name="Ann").name == "Ann" and user.name is None


def test_a_named_id_is_the_same_for_the_same_names_and_looks_like_any_other() -> None:
    made = named_id("owner", "conversation", "tab:7")
    assert made == named_id("owner", "conversation", "tab:7") != named_id("owner", "conversation", "tab:8")
    assert len(made) == len(new_id()) and set(made) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_origins_follow_a_path_as_it_grows_and_as_it_is_replaced() -> None:
    def made(origin: str | None) -> Message:
        return Message(new_id(), "C1", None, "user", "hi", None, "done", None, origin, 1.0, 1.0)

    origins = Origins()
    path = [made("t:1:0"), made(None)]
    assert origins.of(path) == {"t:1:0", None}
    path.append(made("t:2:0"))
    assert "t:2:0" in origins.of(path)
    path.pop()  # shorter: read again
    assert origins.of(path) == {"t:1:0", None}
    assert origins.of([made("t:3:0")]) == {"t:3:0"}  # another list: only its own
