"""Stream from any OpenAI-compatible server (OpenAI, vLLM, llama.cpp, Ollama, TGI, ...) with the standard
library only: a `urllib` request with `"stream": true`, and the server-sent events parsed line by line.

Configure it with environment variables:

    OPENAI_BASE_URL  the API's base URL, e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1 (required)
    OPENAI_API_KEY   sent as a bearer token (leave it out for local servers that need none)
    OPENAI_MODEL     the model name (default: gpt-4o-mini)

Without OPENAI_BASE_URL the app says which variables to set instead of failing. Conversations are
stored, so they survive reloads and restarts. Stop ends the answer at once and keeps the partial text;
the generator, and with it the HTTP response, is closed when the next chunk arrives. Run it with
`reactchat run examples/llm_client.py`.
"""

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator

import reactchat as rc

BASE_URL = os.environ.get("OPENAI_BASE_URL", "").strip().rstrip("/")
API_KEY = os.environ.get("OPENAI_API_KEY", "").strip()
MODEL = os.environ.get("OPENAI_MODEL", "").strip() or "gpt-4o-mini"

NOT_CONFIGURED = """**No model server is configured.** Set these environment variables and restart:

- `OPENAI_BASE_URL`: the server's base URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`
- `OPENAI_API_KEY`: your API key (optional for local servers)
- `OPENAI_MODEL`: the model to use (default `gpt-4o-mini`)

For example: `OPENAI_BASE_URL=http://127.0.0.1:8080/v1 reactchat run examples/llm_client.py`"""


class RequestFailed(Exception):
    """The server refused or could not be reached; the message says why."""


def sse_data(lines: Iterator[bytes]) -> Iterator[str]:
    """The data of each server-sent event (multi-line data joined by newlines; comments skipped)."""
    data: list[str] = []
    for raw in lines:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield "\n".join(data)


def complete(messages: list[dict], temperature: float) -> Iterator[str]:
    """Stream the answer's text deltas from POST {BASE_URL}/chat/completions."""
    body = {"model": MODEL, "messages": messages, "temperature": temperature, "stream": True}
    headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
    if API_KEY:
        headers["Authorization"] = f"Bearer {API_KEY}"
    request = urllib.request.Request(
        f"{BASE_URL}/chat/completions", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as e:
        detail = e.read(500).decode("utf-8", "replace")
        raise RequestFailed(f"the server answered HTTP {e.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as e:
        raise RequestFailed(f"could not reach {BASE_URL}: {getattr(e, 'reason', e)}") from None
    with response:  # also closed when Stop closes this generator
        for data in sse_data(response):
            if data == "[DONE]":
                return
            chunk = json.loads(data)
            if chunk.get("error"):
                raise RequestFailed(f"the server reported: {chunk['error']}")
            for choice in chunk.get("choices") or ():
                if text := (choice.get("delta") or {}).get("content"):
                    yield text


def for_the_model(history: list[dict]) -> list[dict]:
    """The stored conversation as the API takes it: role and content only, without failed turns (a reply
    that ended in an error, and the prompt it answered)."""
    kept: list[dict] = []
    for msg in history:
        if msg.get("status") == "error":
            if kept and kept[-1]["role"] == "user":
                kept.pop()
            continue
        kept.append({"role": msg["role"], "content": msg["content"]})
    return kept


rc.chat(title="LLM client", description=f"`{MODEL}` at `{BASE_URL}`" if BASE_URL else None)

conv = rc.conversation()  # stored: it survives reloads and restarts, and is listed in the side panel

with rc.sidebar:  # with a key=, each conversation keeps its own system prompt and temperature
    system = rc.text_area("System prompt", "You are a helpful assistant.", key="system")
    temperature = rc.slider("Temperature", 0.0, 2.0, 0.7, step=0.1, key="temperature")

if not BASE_URL:
    rc.message("assistant", NOT_CONFIGURED)

conv.show()

if prompt := rc.chat_input("Ask the model"):  # already stored: conv.history ends with it
    if not BASE_URL:
        conv.add({"role": "assistant", "content": NOT_CONFIGURED})
    else:
        messages = [{"role": "system", "content": system}, *for_the_model(conv.history)]
        try:
            with conv.reply():  # stored as it streams; an exception marks it as an error
                rc.write_stream(complete(messages, temperature))
        except RequestFailed as e:
            rc.message("assistant", f"⚠️ Request failed: {e}")
