"""The chat HTTP API's documentation page, ``GET /api``: how to call this app, with curl, OpenAI-client and
Python examples that name its own inputs."""

from __future__ import annotations

import html
import json
from typing import Any

from reactchat.http_api import ApiHandler
from reactchat.runner import ScriptFailed

DOCS = """<!doctype html><meta charset=utf-8><title>API</title>
<style>body{{font:15px system-ui;max-width:52rem;margin:2rem auto;padding:0 1rem}}
pre{{background:#f4f4f5;padding:1rem;overflow:auto}}</style>
<h1>API of this app</h1>{status}
<h2>POST /api/chat</h2>
<p>JSON in: <code>message</code>, optional <code>history</code> (a list of <code>{{role, content}}</code>) and
<code>additional_inputs</code> (a list in order, or an object by name: {names}).
Out: <code>{{reply, messages}}</code>.</p>
<pre>{chat}</pre>
<h2>POST /api/chat/stream</h2>
<p>The same request; Server-Sent Events: <code>delta</code> events (<code>{{delta, replace}}</code>), then one
<code>done</code> (<code>{{reply}}</code>).</p>
<pre>{stream}</pre>
<h2>POST /v1/chat/completions</h2>
<p>OpenAI-compatible (<code>stream</code> true or false): the last user message is the message, the rest is
the history. Any OpenAI client works with <code>base_url="{base}/v1"</code>; <code>GET /v1/models</code> lists
this app. It takes <code>additional_inputs</code> too, as above; a system message goes to the input named like
a system prompt, if there is one.</p>
<pre>{openai}</pre>
<h2>Python</h2>
<pre>{client}</pre>
"""
NO_INTERFACE = "<p><strong>This app does not use rc.chat_interface: these routes answer 404.</strong></p>"
JSON_HEADER = "-H 'Content-Type: application/json'"


class DocsHandler(ApiHandler):
    """``GET /api``: how to call this app, with curl examples for it."""

    async def get(self) -> None:
        failure = None
        try:
            interface = await self.find_interface()
        except ScriptFailed as exc:
            interface, failure = None, str(exc)
        base = f"{self.request.protocol}://{self.request.host}"
        names = list(interface.names) if interface else []
        # The inputs' current defaults, so the command runs as pasted; change them to call it differently.
        given = {n: v for n, v in zip(names, interface.defaults if interface else (), strict=False) if n}
        request: dict[str, Any] = {"message": "Hello", "history": []}
        if given:
            request["additional_inputs"] = given
        body = json.dumps(request, default=str)
        openai = json.dumps({"model": self.app, "messages": [{"role": "user", "content": "Hello"}]})
        examples = {
            "chat": f"curl -s {base}/api/chat {JSON_HEADER} \\\n  -d '{body}'",
            "stream": f'curl -sN {base}/api/chat/stream {JSON_HEADER} -d \'{{"message": "Hello"}}\'',
            "openai": f"curl -s {base}/v1/chat/completions {JSON_HEADER} \\\n  -d '{openai}'",
            "client": f'from reactchat import Client\nprint(Client("{base}").chat("Hello"))',
        }
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.write(
            DOCS.format(
                status=_status(interface is not None, failure),
                names=html.escape(", ".join(names) or "none"),
                base=html.escape(base),
                **{k: html.escape(v) for k, v in examples.items()},
            )
        )


def _status(found: bool, failure: str | None) -> str:
    if failure is not None:
        return f"<p><strong>The app's script failed: {html.escape(failure)}</strong></p>"
    return "" if found else NO_INTERFACE
