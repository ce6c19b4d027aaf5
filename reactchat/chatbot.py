"""``rc.chat_interface(fn)``: a whole chat app around one function.

The function gets the user's message and the history before it (OpenAI-style dicts, a copy it may change)
and returns or yields the reply. Everything else is built in: history in session state, streaming with Stop,
retry, undo, edit, clear, options, examples, feedback, and settings widgets in the sidebar.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from reactchat import context
from reactchat.actions import chat
from reactchat.composer import chat_input
from reactchat.control import chat_event
from reactchat.conversation import conversation
from reactchat.messages import message, write_stream
from reactchat.replies import (
    END,
    as_messages,
    chain,
    copy_message,
    deltas,
    is_stream,
    is_structured,
    last_user,
    structured,
)
from reactchat.stored_chat import StoredChat
from reactchat.widgets import Declared, show_value, sidebar

if TYPE_CHECKING:
    from reactchat.tree import Node

STATE_KEY = "__reactchat_chat_interface__"


@dataclasses.dataclass(frozen=True)
class ChatFunction:
    """The app's chat function and its additional inputs, as ``rc.chat_interface`` registers them with the
    app: what the HTTP API needs to call the function outside any browser session."""

    fn: Callable[..., Any]
    multimodal: bool
    defaults: tuple[Any, ...]  # the additional inputs' default values, in order
    names: tuple[str, ...]  # their keys or labels, to pass them by name

    def inputs(self, given: Any) -> list[Any]:
        """The additional values for a call: the defaults, overridden by a list (in order) or a mapping
        (by key or label).

        Raises:
            ValueError: for too many values or an unknown name.
        """
        values = list(self.defaults)
        if isinstance(given, list):
            if len(given) > len(values):
                raise ValueError(f"additional_inputs takes at most {len(values)} values; got {len(given)}")
            values[: len(given)] = given
        elif isinstance(given, dict):
            for name, value in given.items():
                if name not in self.names:
                    raise ValueError(f"unknown input {name!r}; this app's inputs are {list(self.names)}")
                values[self.names.index(name)] = value
        elif given is not None:
            raise ValueError("additional_inputs must be a list (in order) or an object (by name)")
        return values

    def call(self, message: Any, history: list[dict[str, Any]], values: list[Any]) -> Any:
        """Call the function; a coroutine is run to completion here."""
        result = self.fn(message, history, *values)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
        return result


def chat_interface(
    fn: Callable[..., Any],
    *,
    multimodal: bool = False,
    additional_inputs: Sequence[Callable[[], Any]] | None = None,
    examples: Sequence[Any] | None = None,
    example_labels: Sequence[str] | None = None,
    example_icons: Sequence[str] | None = None,
    title: str | None = None,
    description: str | None = None,
    placeholder: str | None = None,
    input_placeholder: str | None = None,
    editable: bool = False,
    file_types: Sequence[str] | None = None,
    **chat_options: Any,
) -> list[dict[str, Any]]:
    """Declare a complete chat app around ``fn(message, history, *additional_values)``.

    Args:
        fn: Called for every user message. ``message`` is the text, or ``{"text", "files"}`` when
            ``multimodal``; ``history`` is the list of ``{"role", "content"}`` dicts before it (files as
            ``{"path": ...}`` contents). It may return a str, a message dict or ``ChatMessage`` (with
            ``metadata`` for a thought, ``options`` for preset replies), a media element, or a list of
            messages. A generator streams: each yield is the whole reply so far (a str). Sync or async.
        multimodal: Accept files with the message.
        additional_inputs: Functions that declare a widget and return its value, e.g.
            ``lambda: rc.slider("Temperature", 0.0, 1.0, 0.7)``; shown in the sidebar, their values are passed
            to ``fn`` after ``history``, in order.
        examples: Shown in the empty chat: strings, ``{"text", "files"?}`` when multimodal, or rows
            ``[message, value, ...]`` that also set the additional inputs.
        example_labels, example_icons: Text and icons shown for the examples instead of their text.
        title, description, placeholder: As in ``rc.chat`` (the placeholder is markdown shown while the
            chat is empty).
        input_placeholder: Shown in the empty input box.
        editable: Let the user edit their messages (the reply is regenerated).
        file_types: What files ``multimodal`` accepts.
        chat_options: Any other ``rc.chat`` option (``feedback=True``, ``layout="panel"``, ...).

    Returns:
        The history after this run, as OpenAI-style dicts.

    When the app is served with a store (the default), the conversation is stored: it survives reloads and
    restarts and shows in the conversation list; retry and edit keep the earlier versions as branches.
    """
    run = context.current_run()
    transcript = run.scope.transcript
    if transcript is not None:
        conversation()  # stored: the list in the side panel, and prompts stored before the run
    state = run.scope.state.setdefault(STATE_KEY, {"history": []})
    history: list[dict[str, Any]] = state["history"]
    shown_examples = []
    rows: list[list[Any]] = []  # per example, the values it sets for the additional inputs
    for i, example in enumerate(examples or ()):
        row: list[Any] = []
        if isinstance(example, (list, tuple)):
            example, row = example[0], list(example[1:])
            if len(row) > len(additional_inputs or ()):
                raise ValueError(f"examples[{i}] has {len(row)} input values; there are only "
                                 f"{len(additional_inputs or ())} additional_inputs")  # fmt: skip
        rows.append(row)
        item = dict(example) if isinstance(example, dict) else {"text": str(example)}
        if row and "display_text" not in item:
            item["display_text"] = f"{item['text']}  ·  " + "  ·  ".join(map(str, row))
        if example_labels is not None and i < len(example_labels):
            item["display_text"] = example_labels[i]
        if example_icons is not None and i < len(example_icons):
            item["icon"] = example_icons[i]
        shown_examples.append(item)
    options = {"retry": True, "undo": True, "clear": True, **chat_options}
    chat(
        title=title,
        description=description,
        placeholder=placeholder,
        examples=shown_examples or None,
        editable="user" if editable else None,
        **options,
    )
    values: list[Any] = []
    names: list[str] = []
    widgets: list[Node | None] = []
    if additional_inputs:
        declared = run.part(Declared)
        with sidebar:
            for declare in additional_inputs:
                before = len(declared)
                values.append(declare())
                widget = declared[before] if len(declared) > before else None  # the widget it made
                widgets.append(widget)
                names.append(
                    str(widget.key if isinstance(widget.key, str) else widget.props.get("label"))
                    if widget
                    else ""
                )
    run.scope.registry.register(ChatFunction(fn, multimodal, tuple(values), tuple(names)))
    event = chat_event()
    if event is not None:
        # Which history entry the clicked message shows: by element, since thoughts are entries too.
        shown_ids: list[int] = state.get("ids", [])
        index = shown_ids.index(event.target) if event.target in shown_ids else None
        event = dataclasses.replace(event, index=index)
        if event.kind == "example" and isinstance(event.value, int) and 0 <= event.value < len(rows):
            for i, value in enumerate(rows[event.value]):
                values[i] = value
                widget = widgets[i]
                if widget is not None:
                    show_value(run, widget, value)
    if transcript is not None:
        kept = StoredChat(run, transcript, state)
        return kept.turn(fn, event, values, multimodal, input_placeholder, file_types)

    prompt: Any = _apply(event, history) if event is not None else None
    ids = [message(shown).node.id for shown in history]
    submitted = chat_input(input_placeholder, multimodal=multimodal, file_types=file_types)
    if submitted is not None:
        prompt = submitted
    if prompt is not None:
        _turn(fn, prompt, history, values, multimodal, ids)
    state["ids"] = ids  # the element showing each history entry, for the next event
    return history


def _apply(event: Any, history: list[dict[str, Any]]) -> Any:
    """Change the history for a chat event; returns a prompt to answer, if the event asks for one."""
    index = event.index
    if event.kind == "clear":
        history.clear()
    elif event.kind == "feedback" and index is not None and index < len(history):
        history[index]["feedback"] = event.value
    elif event.kind in ("undo", "retry", "edit") and index is not None:
        start = last_user(history, index)
        if start is None:
            return None
        prompt = history[start]["content"] if event.kind != "edit" else event.text
        del history[start:]
        if event.kind == "undo":
            return None
        return prompt
    elif event.kind == "option" and isinstance(event.value, str):
        return event.value
    return None


def _turn(
    fn: Callable[..., Any],
    prompt: Any,
    history: list[dict[str, Any]],
    values: list[Any],
    multimodal: bool,
    ids: list[int],
) -> None:
    if isinstance(prompt, dict):
        text, files = prompt.get("text", ""), list(prompt.get("files", []))
    else:
        text, files = str(prompt), []
    before = [copy_message(m) for m in history]
    user = [{"role": "user", "content": {"path": path}} for path in files]
    if text or not files:
        user.append({"role": "user", "content": text})
    for item in user:
        history.append(item)
        ids.append(message(item).node.id)
    argument: Any = {"text": text, "files": files} if multimodal else text
    result = fn(argument, before, *values)
    if inspect.iscoroutine(result):
        result = context.current_run().scope.event_loop().run_until_complete(result)
    if inspect.isgenerator(result):
        first = next(result, END)
        if first is END:
            return
        if is_structured(first):
            structured(first, result, history, ids)
            return
        result = chain(first, result)
    if is_stream(result):
        with message("assistant") as shown:
            ids.append(shown.node.id)
            reply = write_stream(deltas(result))
        entry = {"role": "assistant", "content": str(reply)}
        if reply.metadata:  # thoughts, tool calls, usage: shown again from the history
            entry["metadata"] = reply.metadata
        history.append(entry)
        return
    for item in as_messages(result):
        history.append(item)
        ids.append(message(item).node.id)
