"""The SQL both backends share: how a search query becomes words, and driver errors told on one line."""

from __future__ import annotations

from reactchat.store_sql import MAX_SEARCH_WORDS, one_line, search_words


def test_a_query_is_its_words_whatever_the_operators_and_quotes() -> None:
    assert search_words('"cats" AND -dogs* (NEAR) x:y') == ["cats", "AND", "dogs", "NEAR", "x", "y"]
    assert search_words("Crème brûlée") == ["Crème", "brûlée"]
    assert search_words("  ") == []


def test_a_query_has_a_bounded_number_of_words() -> None:
    assert len(search_words(" ".join(f"w{i}" for i in range(1000)))) == MAX_SEARCH_WORDS


def test_an_error_is_told_on_one_bounded_line() -> None:
    assert one_line(ValueError("first\n\n  second  \n")) == "first; second"
    assert one_line(ValueError("")) == "ValueError"
    assert len(one_line(ValueError("x" * 1000))) == 400
