"""Claude's extended thinking with the official `anthropic` client: `rc.write_stream` takes the stream as
the client gives it; the thinking shows as a collapsible "Thought for N s", the answer as markdown, the tokens
used under the reply (tool_use blocks, when the model calls a tool, show as thoughts titled with the tool).

With ANTHROPIC_API_KEY set it asks Anthropic (ANTHROPIC_BASE_URL, ANTHROPIC_MODEL to change where and
which); without, a stand-in model on this machine that streams what Claude would.
Run it with `reactchat run examples/anthropic_thinking.py`.
"""

import os

import anthropic

import reactchat as rc


def stand_in(body: dict) -> list[dict]:
    """The events Claude streams for this request: a thinking block, then a text block."""
    question = body["messages"][-1]["content"]
    thinking = ["The user asks: ", f"{question!r}. ", "I answer briefly."]
    answer = ["You asked: ", f"*{question}*", ". That is a **good** question."]
    usage = {"input_tokens": 12, "output_tokens": 1}

    def delta(kind: str, key: str, text: str) -> dict:
        index = 0 if kind == "thinking_delta" else 1
        return {"type": "content_block_delta", "index": index, "delta": {"type": kind, key: text}}

    return [
        {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
         "model": "stand-in", "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}},
        {"type": "content_block_start", "index": 0,
         "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
        *[delta("thinking_delta", "thinking", t) for t in thinking],
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
        *[delta("text_delta", "text", t) for t in answer],
        {"type": "content_block_stop", "index": 1},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
         "usage": {"output_tokens": 30}},
        {"type": "message_stop"},
    ]  # fmt: skip


if os.environ.get("ANTHROPIC_API_KEY"):
    client = anthropic.Anthropic()
else:
    url = rc.ReplayServer.shared(stand_in, delay=0.05).url.removesuffix("/v1")
    client = anthropic.Anthropic(base_url=url, api_key="stand-in")
MODEL = os.environ.get("ANTHROPIC_MODEL", "claude-sonnet-5-5")

rc.title("Claude, thinking")
rc.chat(show_usage=True)
rc.session_state.setdefault("history", [])
for m in rc.session_state.history:
    rc.message(m)
if prompt := rc.chat_input("Ask Claude"):
    rc.message("user", prompt)
    rc.session_state.history.append({"role": "user", "content": prompt})
    sent = [{"role": m["role"], "content": m["content"]} for m in rc.session_state.history]
    with rc.message("assistant"):
        reply = rc.write_stream(
            client.messages.create(
                model=MODEL,
                max_tokens=4096,
                messages=sent,
                stream=True,
                thinking={"type": "enabled", "budget_tokens": 2048},
            )
        )
    rc.session_state.history.append({"role": "assistant", "content": reply, "metadata": reply.metadata})
