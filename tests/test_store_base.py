"""The rules every store backend shares: ids, automatic titles, JSON checks, URLs shown without passwords."""

from __future__ import annotations

import datetime

import pytest

from reactchat.store_base import auto_title, check_json, display_url, new_id, plain_text


def test_ids_are_unique_and_sort_in_creation_order() -> None:
    ids = [new_id() for _ in range(5000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(len(i) == 26 for i in ids)


def test_auto_title_is_one_line_of_at_most_60_characters_cut_at_a_word() -> None:
    assert auto_title("  Hello\n  there ") == "Hello there"
    assert auto_title(" \n ") is None
    long = "How do I bake a sourdough bread at home with rye flour and a very old starter?"
    title = auto_title(long)
    assert title == "How do I bake a sourdough bread at home with rye flour and…"
    assert title is not None and len(title) <= 60 and long.startswith(title[:-1])
    assert auto_title("x" * 100) == "x" * 59 + "…"
    assert auto_title("a" * 60) == "a" * 60


def test_check_json_names_the_key() -> None:
    check_json({"a": [1, 2.5, None, True, {"b": "c"}]}, "state")
    with pytest.raises(TypeError, match=r"state\['a'\]\[1\]\['when'\] is a datetime"):
        check_json({"a": [0, {"when": datetime.datetime.now()}]}, "state")
    with pytest.raises(TypeError, match="nan"):
        check_json({"x": float("nan")}, "state")
    with pytest.raises(TypeError, match="the key 1"):
        check_json({1: "x"}, "state")


def test_plain_text_of_parts() -> None:
    assert plain_text("hi") == "hi"
    assert plain_text(["a", {"type": "text", "text": "b"}, {"type": "image", "url": "x"}]) == "a\nb"


def test_display_url_hides_passwords() -> None:
    assert display_url("postgresql://bob:s3cret@db:5432/chat") == "postgresql://bob:***@db:5432/chat"
    assert display_url("host=db password=s3cret") == "host=db password=***"
    assert display_url("sqlite:///a.db") == "sqlite:///a.db"
