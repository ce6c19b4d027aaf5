"""The store's records: immutable values, and how a message's content refers to a kept file."""

from __future__ import annotations

import dataclasses

import pytest

from reactchat.records import Message, StoredFile, User, named_id, new_id


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
