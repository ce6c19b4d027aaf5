"""``rc.chat_interface(fn)``: a whole chat app around one function.

The function gets the user's message and the history before it (OpenAI-style dicts, a copy it may change)
and returns or yields the reply. Everything else is built in: history in session state, streaming with Stop,
retry, undo, edit, clear, options, examples, feedback, and settings widgets in the sidebar.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from reactchat import context
from reactchat.actions import chat
from reactchat.composer import chat_input
from reactchat.control import chat_event
from reactchat.conversation import conversation
from reactchat.example_cache import ExampleCache, cache_for
from reactchat.messages import message, new_answer, write_stream
from reactchat.queues import Line, gate, line_for
from reactchat.replies import (
    END,
    as_messages,
    chain,
    copy_message,
    deltas,
    is_stream,
    is_structured,
    last_user,
    nothing,
    structured,
)
from reactchat.stored_chat import StoredChat
from reactchat.widgets import Declared, show_value, shows, sidebar, value_error

if TYPE_CHECKING:
    from reactchat.run import Run
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
    widgets: tuple[dict[str, Any] | None, ...] = ()  # their widgets' props, to check values given
    line: Line | None = None  # where calls wait for a place (``concurrency_limit``); None: no limit

    def inputs(self, given: Any) -> list[Any]:
        """The additional values for a call: the defaults, overridden by a list (in order) or a mapping
        (by key or label).

        Raises:
            ValueError: for too many values, an unknown name, or a value its widget could not hold (naming
                the input).
        """
        values = list(self.defaults)
        if isinstance(given, list):
            if len(given) > len(values):
                raise ValueError(f"additional_inputs takes at most {len(values)} values; got {len(given)}")
            changed = dict(enumerate(given))
        elif isinstance(given, dict):
            changed = {}
            for name, value in given.items():
                if name not in self.names:
                    raise ValueError(f"unknown input {name!r}; this app's inputs are {list(self.names)}")
                changed[self.names.index(name)] = value
        elif given is not None:
            raise ValueError("additional_inputs must be a list (in order) or an object (by name)")
        else:
            changed = {}
        for i, value in changed.items():
            widget = self.widgets[i] if i < len(self.widgets) else None
            error = value_error(widget, value) if widget is not None else None
            if error is not None:
                raise ValueError(f"additional input {self.names[i] or i!r} {error}")
            values[i] = value
        return values

    def call(self, message: Any, history: list[dict[str, Any]], values: list[Any],
             options: dict[str, Any] | None = None) -> Any:  # fmt: skip
        """Call the function; a coroutine is run to completion here. Of ``options`` (a request's sampling
        parameters, such as ``temperature``), it is given those it takes as keyword-only arguments (all of
        them with ``**kwargs``)."""
        wanted: dict[str, Any] = {}
        if options:
            params = inspect.signature(self.fn).parameters.values()
            if any(p.kind is p.VAR_KEYWORD for p in params):  # all but the names positional arguments took
                taken = {p.name for p in params if p.kind is not p.KEYWORD_ONLY}
                wanted = {k: v for k, v in options.items() if k not in taken}
            else:
                names = {p.name for p in params if p.kind is p.KEYWORD_ONLY}
                wanted = {k: v for k, v in options.items() if k in names}
        result = self.fn(message, history, *values, **wanted)
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
    max_chars: int | None = None,
    concurrency_limit: int | None = None,
    concurrency_id: str | None = None,
    cache_examples: bool = False,
    cache_mode: str = "eager",
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
            ``lambda: rc.slider("Temperature", 0.0, 1.0, 0.7)`` (shown in the sidebar), or the values of
            widgets the script declared before (``temperature = rc.slider(...)`` in ``with rc.sidebar:``).
            Their values are passed to ``fn`` after ``history``, in order.
        examples: Shown in the empty chat: strings, ``{"text", "files"?}`` when multimodal, or rows
            ``[message, value, ...]`` that also set the additional inputs.
        example_labels, example_icons: Text and icons shown for the examples instead of their text.
        title, description, placeholder: As in ``rc.chat`` (the placeholder is markdown shown while the
            chat is empty).
        input_placeholder: Shown in the empty input box.
        editable: Let the user edit their messages (the reply is regenerated).
        file_types: What files ``multimodal`` accepts.
        max_chars: The longest message the input takes (it counts, and stops there).
        concurrency_limit: At most this many calls of ``fn`` at once in this process, across every
            session and the HTTP API; the others wait in line, first come, first served, and the page shows
            each its place. None (the default): no limit.
        concurrency_id: Name the line, to share it with other chat functions or ``rc.queue(name)`` blocks
            that use the same model.
        cache_examples: Compute each example's answer once and replay it on a click without calling
            ``fn`` (streamed as the original was). Kept in ``.reactchat/<script>.examples.json`` next to the
            script; a change to the script or to ``fn`` starts afresh.
        cache_mode: ``"eager"``: ``reactchat run`` computes the answers at start; ``"lazy"``: each on its
            first click.
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
    values, widgets = _inputs(run, additional_inputs or ())
    names = tuple(
        "" if w is None else str(w.key if isinstance(w.key, str) else w.props.get("label")) for w in widgets
    )
    shapes = tuple(dict(w.props) if w is not None else None for w in widgets)
    waited = line_for(fn, concurrency_limit, concurrency_id)
    run.scope.registry.register(ChatFunction(fn, multimodal, tuple(values), names, shapes, waited))
    cache = _cache(fn, cache_examples, cache_mode, shown_examples, rows, values, multimodal)
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
    held = contextlib.ExitStack()  # the line's place, kept until the whole answer is shown
    answer = gate(fn, waited, held)
    if cache is not None and event is not None and event.kind == "example":
        answer = cache.wrap(answer)
    if transcript is not None:
        with held:
            kept = StoredChat(run, transcript, state)
            return kept.turn(answer, event, values, multimodal, input_placeholder, file_types, max_chars)

    prompt: Any = _apply(event, history) if event is not None else None
    ids = [message(shown).node.id for shown in history]
    submitted = chat_input(
        input_placeholder, multimodal=multimodal, file_types=file_types, max_chars=max_chars
    )
    if submitted is not None:
        prompt = submitted
    if prompt is not None:
        with held:
            _turn(answer, prompt, history, values, multimodal, ids)
    state["ids"] = ids  # the element showing each history entry, for the next event
    return history


def _cache(
    fn: Callable[..., Any],
    enabled: bool,
    mode: str,
    examples: list[dict[str, Any]],
    rows: list[list[Any]],
    values: list[Any],
    multimodal: bool,
) -> ExampleCache | None:
    """The example cache of this version of the script (registered for ``reactchat run`` to fill), with
    the message and input values of each example."""
    if mode not in ("eager", "lazy"):
        raise ValueError(f"cache_mode must be 'eager' or 'lazy'; got {mode!r}")
    if not enabled:
        return None
    registry = context.current_run().scope.registry
    cache = cache_for(fn, lambda: registry.get(ExampleCache))
    cache.lazy = mode == "lazy"
    calls = []
    for item, row in zip(examples, rows, strict=True):
        message: Any = item["text"]
        if multimodal:
            message = {"text": message, "files": [os.fspath(f) for f in item.get("files") or ()]}
        calls.append((message, [*row, *values[len(row) :]]))
    cache.examples = calls
    registry.register(cache)
    return cache


def _inputs(run: Run, given: Sequence[Any]) -> tuple[list[Any], list[Node | None]]:
    """The additional inputs' values and the widgets showing them. Each is a function that declares its
    widget (in the sidebar) and returns its value, or a value: a widget declared earlier in the script
    returned it (the widget is found by the value it shows, for the HTTP API to check values against)."""
    declared = run.part(Declared)
    earlier = list(declared)
    values: list[Any] = []
    widgets: list[Node | None] = []
    for item in given:
        if callable(item):
            with sidebar:
                before = len(declared)
                values.append(item())
            widgets.append(declared[before] if len(declared) > before else None)  # the widget it made
        else:
            values.append(item)
            found = next((i for i, w in enumerate(earlier) if shows(w.props, item)), None)
            widgets.append(earlier[found] if found is not None else None)
            earlier = earlier[found + 1 :] if found is not None else earlier
    return values, widgets


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
    run = context.current_run()
    new_answer(run)
    result = fn(argument, before, *values)
    if inspect.iscoroutine(result):
        result = run.scope.event_loop().run_until_complete(result)
    if inspect.isgenerator(result):
        first = next(result, END)
        if first is END:
            nothing(fn)
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
    replies = as_messages(result)
    if not replies:
        nothing(fn)
    for item in replies:
        history.append(item)
        ids.append(message(item).node.id)
