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
from reactchat.messages import message, new_answer, write_stream
from reactchat.replies import END, as_messages, chain, copy_message, deltas, last_user, nothing, structured
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
    values, widgets = _inputs(run, additional_inputs or ())
    names = tuple(
        "" if w is None else str(w.key if isinstance(w.key, str) else w.props.get("label")) for w in widgets
    )
    shapes = tuple(dict(w.props) if w is not None else None for w in widgets)
    run.scope.registry.register(ChatFunction(fn, multimodal, tuple(values), names, shapes))
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
        if not isinstance(first, str):
            structured(first, result, history, ids)
            return
        result = chain(first, result)
    if inspect.isgenerator(result) or inspect.isasyncgen(result):
        with message("assistant") as shown:
            ids.append(shown.node.id)
            reply = write_stream(deltas(result))
        history.append({"role": "assistant", "content": reply})
        return
    replies = as_messages(result)
    if not replies:
        nothing(fn)
    for item in replies:
        history.append(item)
        ids.append(message(item).node.id)
