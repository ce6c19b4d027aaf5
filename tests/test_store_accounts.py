"""Accounts in the store, on SQLite and PostgreSQL: passwords, epochs and the claim of a browser's
conversations."""

from __future__ import annotations

from reactchat.store import Store


def test_an_unknown_identifier_has_no_account(store: Store) -> None:
    assert store.account("password:nobody") is None


def test_set_password_creates_a_password_user_and_raises_the_epoch(store: Store) -> None:
    first = store.set_password("password:alice", "hash1", name="alice")
    account = store.account("password:alice")
    assert account is not None
    assert (account.user.provider, account.user.name, account.password_hash) == ("password", "alice", "hash1")
    assert account.epoch == first
    again = store.set_password("password:alice", "hash2")
    account = store.account("password:alice")
    assert account is not None and account.password_hash == "hash2"
    assert again == first + 1 == account.epoch
    assert account.user.name == "alice"  # kept when not given


def test_removing_a_password_keeps_the_user(store: Store) -> None:
    store.set_password("password:bob", "hash")
    owner = store.user("password:bob")
    conversation = store.create(owner, "app")
    store.set_password("password:bob", None)
    account = store.account("password:bob")
    assert account is not None and account.password_hash is None
    assert store.get(owner, conversation.id) is not None


def test_raise_epoch(store: Store) -> None:
    store.user("oidc:https://idp|42", provider="oidc")
    before = store.account("oidc:https://idp|42")
    assert before is not None
    assert store.raise_epoch("oidc:https://idp|42") == before.epoch + 1
    assert store.raise_epoch("oidc:https://idp|missing") == -1


def test_claim_moves_conversations_and_feedback(store: Store) -> None:
    browser = store.user("anonymous:abc")
    user = store.user("password:carol", provider="password")
    mine = store.create(browser, "app", title="tried it first")
    message = store.add(browser, mine.id, role="assistant", content="hi")
    store.set_feedback(browser, message.id, "like")
    theirs = store.create(user, "app", title="already hers")
    assert store.claim(browser, user) == 1
    assert store.get(browser, mine.id) is None
    assert {c.id for c in store.list(user, "app")} == {mine.id, theirs.id}
    path = store.path(user, mine.id)
    assert path[-1].feedback == "like"
    assert store.claim(browser, user) == 0
    assert store.claim(user, user) == 0


def test_claim_to_an_unknown_owner_moves_nothing(store: Store) -> None:
    browser = store.user("anonymous:xyz")
    store.create(browser, "app")
    assert store.claim(browser, "no-such-user") == 0
    assert len(store.list(browser, "app")) == 1
