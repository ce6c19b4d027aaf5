"""Password hashes and the limit on failed attempts."""

from __future__ import annotations

import time

import pytest

from reactchat.passwords import Attempts, check, hash_password, valid_name


def test_a_hash_checks_its_password_only() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert hashed != hash_password("correct horse")  # salted
    assert check("correct horse", hashed)
    assert not check("wrong horse", hashed)
    assert not check("", hashed)


def test_no_hash_never_checks() -> None:
    assert not check("anything", None)
    assert not check("anything", "not a hash")


def test_unreasonable_passwords_are_refused() -> None:
    with pytest.raises(ValueError, match="1 to 1024 characters, got 0"):
        hash_password("")
    with pytest.raises(ValueError, match="got 1025"):
        hash_password("x" * 1025)
    assert not check("x" * 5000, hash_password("x"))


@pytest.mark.parametrize(
    ("name", "problem"),
    [("alice", None), ("a.b@example.com", None), ("", "1 to 64"), ("a b", "no spaces"), ("x" * 65, "got 65")],
)
def test_valid_name(name: str, problem: str | None) -> None:
    why = valid_name(name)
    assert (why is None) if problem is None else (problem in (why or ""))


def test_attempts_refuse_after_the_limit_until_the_window_passes() -> None:
    attempts = Attempts(limit=3, window=0.3)
    for _ in range(3):
        assert attempts.wait("user:a") == 0
        attempts.fail("user:a", "address:1")
    assert 0 < attempts.wait("user:a") <= 0.3
    assert attempts.wait("address:1") > 0
    assert attempts.wait("user:b") == 0
    deadline = time.monotonic() + 5
    while attempts.wait("user:a") > 0:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    attempts.fail("user:a")
    assert attempts.wait("user:a") == 0  # the old failures aged out: one is not a lockout


def test_forget_clears_a_key_and_memory_is_bounded() -> None:
    attempts = Attempts(limit=1, window=60, kept=10)
    attempts.fail("user:a")
    attempts.forget("user:a")
    assert attempts.wait("user:a") == 0
    for i in range(50):
        attempts.fail(f"address:{i}")
    assert attempts.wait("address:0") == 0  # forgotten: only the 10 most recent are kept
    assert attempts.wait("address:49") > 0
