"""What a script knows of who is using it: ``rc.user`` and ``rc.require_user()``.

import reactchat as rc

if rc.user is not None:
    rc.title(f"Hello, {rc.user.name}")
rc.require_user()          # with --allow-anonymous: the rest is for signed-in users only
"""

from __future__ import annotations

import urllib.parse

from reactchat import context
from reactchat.control import stop
from reactchat.identity import Identity
from reactchat.messages import markdown

__all__ = ["current_user", "require_user"]


def current_user() -> Identity | None:
    """The signed-in user of this run's tab (``rc.user``): None for a visitor who has not signed in (and
    always None with ``--auth none``, where every browser is anonymous)."""
    return context.current_run().scope.user


def require_user(message: str = "Sign in to use this.") -> Identity:
    """The signed-in user; for a visitor who has not signed in, show ``message`` with a sign-in link and end
    the run here (nothing below it runs), like ``rc.stop()``.

    Only useful with ``--allow-anonymous``: without it, every visitor has signed in before the script runs.
    """
    run = context.current_run()
    if run.scope.user is not None:
        return run.scope.user
    url = run.scope.sign_in_url
    if url is not None:
        conversation = run.scope.transcript.id if run.scope.transcript is not None else None
        back = f"/c/{conversation}" if conversation else "/"
        message = f"{message} [Sign in]({url}?{urllib.parse.urlencode({'next': back})})"
    markdown(message)
    stop()
    raise AssertionError("unreachable: stop() raises")
