"""The export route: a conversation downloads as JSON (the whole tree) or Markdown (the branch on screen), for
its owner only."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest

from reactchat.export_route import file_name
from tests.serving import Browser, Served

APP = """
    import reactchat as rc
    conv = rc.conversation()
    rc.chat_input()
"""


def test_a_download_is_named_for_the_title() -> None:
    assert (
        file_name("Plans for Friday: the team's lunch?", "json") == "Plans-for-Friday-the-team-s-lunch.json"
    )
    assert file_name(None, "md") == "conversation.md" and file_name("¿?", "md") == "conversation.md"
    assert file_name("Café crème", "md") == "Café-crème.md"
    assert len(file_name("word " * 40, "json")) <= 65


def test_the_owner_downloads_json_and_markdown_and_no_one_else_anything(
    serve: Callable[..., Served], write_app: Callable[[str], str]
) -> None:
    import tornado.web

    served = serve(write_app(APP))
    ann, bob = Browser(served.url), Browser(served.url)
    store = served.app.store
    assert store is not None
    signed = next(c.value for c in ann.jar if c.name == "rc_user")
    value = tornado.web.decode_signed_value(store.secret().hex(), "rc_user", signed)
    assert value is not None
    owner = store.user(f"anonymous:{value.decode()}")
    c = store.create(owner, "app")
    q = store.add(owner, c.id, role="user", content="Café?")
    store.add(owner, c.id, role="assistant", content="old answer")
    store.add(owner, c.id, role="assistant", content="**new** answer", parent_id=q.id)
    base = f"{served.url}/_rc/export/{c.id}"
    with ann.opener.open(base + ".json") as response:
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Content-Disposition"] == "attachment; filename*=UTF-8''Caf%C3%A9.json"
        assert "no-store" in response.headers["Cache-Control"]
        data = json.loads(response.read())
    assert data["format"] == "reactchat" and [x["id"] for x in data["conversations"]] == [c.id]
    messages = data["conversations"][0]["messages"]
    assert [(m["content"], m["parent_id"]) for m in messages] == [
        ("Café?", None), ("old answer", q.id), ("**new** answer", q.id)
    ]  # fmt: skip
    assert "owner" not in data["conversations"][0]  # the browser's identity stays out of the file
    with ann.opener.open(base + ".md") as response:
        assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
        assert response.read().decode() == "# Café?\n\n## User\n\nCafé?\n\n## Assistant\n\n**new** answer\n"
    for opener, url in [
        (bob.opener, base + ".json"),  # another browser
        (urllib.request.build_opener(), base + ".md"),  # no cookie
        (ann.opener, f"{served.url}/_rc/export/MISSING.json"),
        (ann.opener, base + ".txt"),
    ]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(url)
        assert refused.value.code == 404
    store.delete(owner, c.id)
    with pytest.raises(urllib.error.HTTPError) as gone:
        ann.opener.open(base + ".json")
    assert gone.value.code == 404
