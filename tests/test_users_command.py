"""``reactchat users``: the password users of an app's store."""

from __future__ import annotations

import io
import pathlib

import pytest

from reactchat.cli import main
from reactchat.passwords import check
from reactchat.store import default_url, open_store


@pytest.fixture
def app(tmp_path: pathlib.Path) -> str:
    path = tmp_path / "bot.py"
    path.write_text("import reactchat as rc\n")
    return str(path)


def users(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", *argv])


def test_add_list_passwd_remove(
    app: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(monkeypatch, "add", "alice", "--app", app, "--password-stdin", stdin="first pass\n") == 0
    assert users(monkeypatch, "add", "bob", "--app", app, "--password-stdin", stdin="bob's\n") == 0
    with open_store(default_url(app)) as store:
        account = store.account("password:alice")
        assert account is not None and check("first pass", account.password_hash)
        epoch = account.epoch
    capsys.readouterr()
    assert users(monkeypatch, "list", "--app", app) == 0
    assert capsys.readouterr().out.split() == ["alice", "bob"]
    assert users(monkeypatch, "passwd", "alice", "--app", app, "--password-stdin", stdin="second\n") == 0
    assert users(monkeypatch, "signout", "bob", "--app", app) == 0
    assert users(monkeypatch, "remove", "bob", "--app", app) == 0
    with open_store(default_url(app)) as store:
        account = store.account("password:alice")
        assert account is not None and check("second", account.password_hash) and account.epoch == epoch + 1
        removed = store.account("password:bob")
        assert removed is not None and removed.password_hash is None
    capsys.readouterr()
    assert users(monkeypatch, "list", "--app", app) == 0
    assert capsys.readouterr().out.split() == ["alice"]


def test_prompts_twice_and_refuses_a_mismatch(app: str, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["one", "two"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert users(monkeypatch, "add", "carol", "--app", app) == 1
    with open_store(default_url(app)) as store:
        assert store.account("password:carol") is None


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["add", "alice"], "", "name the app's store"),
        (["add", "a b", "--store", "memory", "--password-stdin"], "x\n", "no spaces"),
        (["add", "dave", "--store", "memory", "--password-stdin"], "\n", "got 0"),
        (["passwd", "nobody", "--store", "memory", "--password-stdin"], "x\n", "no user 'nobody'"),
        (["add", "eve", "--app", "/no/such/bot.py"], "", "script not found"),
    ],
)
def test_errors_are_named(
    argv: list[str],
    stdin: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("REACTCHAT_STORE", raising=False)
    assert users(monkeypatch, *argv, stdin=stdin) != 0
    assert message in capsys.readouterr().err


def test_adding_twice_says_how_to_change(
    app: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(monkeypatch, "add", "frank", "--app", app, "--password-stdin", stdin="x\n") == 0
    assert users(monkeypatch, "add", "frank", "--app", app, "--password-stdin", stdin="y\n") == 1
    assert "reactchat users passwd" in capsys.readouterr().err
