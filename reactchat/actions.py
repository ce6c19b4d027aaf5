"""``rc.chat`` and the chat actions: the table of actions, what the browser shows for each, and what a click
on one means for the run it triggers (``interpret``, the one place a client event is interpreted)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from reactchat.appearance import avatar, chat_props
from reactchat.elements import begin
from reactchat.example_cache import ExampleCache, cache_for, replay_or_record
from reactchat.messages import StreamSources
from reactchat.page_text import markdown_source
from reactchat.tree import shows_render
from reactchat.trigger import ChatEvent, Prompt, Trigger
from reactchat.uploads import accepts

if TYPE_CHECKING:
    from reactchat.protocol import Event
    from reactchat.run import Run
    from reactchat.tree import Node, Tree
    from reactchat.uploads import Uploads


@dataclasses.dataclass(frozen=True)
class Interactions:
    """What ``rc.chat`` declared for interactions; the session keeps the latest for the next event."""

    callbacks: dict[str, Callable[[ChatEvent], Any]] = dataclasses.field(default_factory=dict)
    examples: tuple[dict[str, Any], ...] = ()
    feedback_options: tuple[str, ...] = ()


# -- the chat actions ----------------------------------------------------------------------------------------

Meaning = Callable[[ChatEvent, "Node | None", "Tree", Interactions], tuple[ChatEvent, dict[str, Any]]]


def _plain(
    chat: ChatEvent, target: Node | None, tree: Tree, declared: Interactions
) -> tuple[ChatEvent, dict[str, Any]]:
    return chat, {}


def _feedback(
    chat: ChatEvent, target: Node | None, tree: Tree, declared: Interactions
) -> tuple[ChatEvent, dict[str, Any]]:
    if target is None or target.kind != "message":
        return chat, {}
    liked = None
    if chat.value is not None:
        if declared.feedback_options[:1] == (chat.value,):
            liked = True
        elif declared.feedback_options[1:2] == (chat.value,):
            liked = False
    # Shown on the message at once, and kept there across reruns.
    mark = {"feedback": chat.value if isinstance(chat.value, str) else None}
    return dataclasses.replace(chat, liked=liked), {"mark": mark}


def _edit(
    chat: ChatEvent, target: Node | None, tree: Tree, declared: Interactions
) -> tuple[ChatEvent, dict[str, Any]]:
    if target is None or target.kind != "message":
        return chat, {}
    value = chat.value.get("text") if isinstance(chat.value, dict) else chat.value  # {"text", "answer"}
    return dataclasses.replace(chat, text=value if isinstance(value, str) else None), {}


def _undo(
    chat: ChatEvent, target: Node | None, tree: Tree, declared: Interactions
) -> tuple[ChatEvent, dict[str, Any]]:
    return chat, {"prefill": last_user_text(tree, target)}


def _example(
    chat: ChatEvent, target: Node | None, tree: Tree, declared: Interactions
) -> tuple[ChatEvent, dict[str, Any]]:
    index = chat.value
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(declared.examples):
        return chat, {}
    example = declared.examples[index]
    return chat, {"prompt": Prompt(example["text"], tuple(example["files"]))}


@dataclasses.dataclass(frozen=True)
class Action:
    """One chat action.

    Attributes:
        switch: The default of its ``rc.chat`` switch (``retry=``, ``copy=``...), sent in the ``actions``
            prop; None for an action shown whenever what it acts on is declared (options, examples).
        meaning: What a click means beyond the plain ChatEvent: a refined event, and Trigger fields.
    """

    switch: bool | None = None
    meaning: Meaning = _plain


ACTIONS: dict[str, Action] = {
    "option": Action(),
    "branch": Action(),  # shown on a stored message with other versions; the session switches to one
    "fork": Action(switch=True),  # "Branch off" on a stored message: a new conversation with the path to it
    "example": Action(meaning=_example),
    "feedback": Action(meaning=_feedback),
    "retry": Action(switch=False),
    "undo": Action(switch=False, meaning=_undo),
    "edit": Action(meaning=_edit),  # shown by rc.chat(editable=...)
    "clear": Action(switch=False),
    "copy": Action(switch=True),
    "copy_all": Action(switch=True),
}
"""Every chat action, by the name the browser sends. Add an action here (and to ``chat``'s parameters), and
in the frontend's action table; see docs/architecture.md."""


def interpret(event: Event, tree: Tree, declared: Interactions, uploads: Uploads) -> Trigger:
    """What a client event means for the run it triggers, decided once, before the run."""
    if event.action == "submit":
        prompt = _prompt(event, tree, uploads)
        node = tree.nodes.get(event.node_id)
        limit = node.props.get("max_chars") if node is not None else None
        if prompt is not None and isinstance(limit, int) and len(prompt.text) > limit:
            notice = f"The message was not sent: it has {len(prompt.text)} characters; at most {limit} fit."
            return Trigger("submit", event.node_id, event.value, prefill=prompt.text, notice=notice)
        return Trigger("submit", event.node_id, event.value, prompt=prompt)
    action = ACTIONS.get(event.action)
    if action is None:
        return Trigger(event.action, event.node_id, event.value)  # a button's click, or nothing we know
    target = tree.nodes.get(event.node_id)
    chat = _chat_event(event, target, tree)
    chat, extra = action.meaning(chat, target, tree, declared)
    callback = declared.callbacks.get(event.action)
    return Trigger(event.action, event.node_id, event.value, chat=chat, callback=callback, **extra)


def _chat_event(event: Event, target: Node | None, tree: Tree) -> ChatEvent:
    if target is None or target.kind != "message":
        return ChatEvent(event.action, value=event.value, target=event.node_id)
    shown = messages(tree)
    index = shown.index(target) if target in shown else None
    role = target.props.get("role")
    return ChatEvent(event.action, index, event.value, role, message_text(target), target=target.id)


def _prompt(event: Event, tree: Tree, uploads: Uploads) -> Prompt | None:
    value = event.value
    if isinstance(value, str):
        return Prompt(value, (), event.node_id)
    if not isinstance(value, Mapping) or not isinstance(value.get("text", ""), str):
        return None
    node = tree.nodes.get(event.node_id)
    types = node.props.get("file_types") if node is not None else None
    paths = []
    for upload_id in value.get("files") or ():
        upload = uploads.get(upload_id) if isinstance(upload_id, str) else None
        if upload is not None and accepts(types, upload.name, upload.mime):
            paths.append(upload.path)
    return Prompt(value.get("text", ""), tuple(paths), event.node_id)


def message_text(node: Node) -> str:
    """A message's text as the script gave it (markdown source), parts joined by blank lines."""
    parts = [markdown_source(node) or ""] if shows_render(node.props) else []  # (a message holding its text)
    for child in node.children:
        text = markdown_source(child) if child.kind == "markdown" else None
        if text is not None:
            parts.append(text)
    return "\n\n".join(parts)


def messages(tree: Tree) -> list[Node]:
    return [n for n in tree.root.children if n.kind == "message"]


def last_user_text(tree: Tree, before: Node | None) -> str | None:
    """The text of the last user message at or before ``before`` (the whole chat when None)."""
    shown = messages(tree)
    if before is not None and before in shown:
        shown = shown[: shown.index(before) + 1]
    for node in reversed(shown):
        if node.props.get("role") == "user":
            return message_text(node)
    return None


# -- rc.chat -------------------------------------------------------------------------------------------------


def chat(
    *,
    layout: str = "bubble",
    height: int | str | None = None,
    min_height: int | str | None = None,
    max_height: int | str | None = None,
    resizable: bool = False,
    placeholder: str | None = None,
    avatar_images: Any = None,
    show_timestamps: bool = False,
    show_usage: bool = False,
    render_markdown: bool = True,
    line_breaks: bool = False,
    sanitize_html: bool = True,
    allow_tags: Iterable[str] | None = None,
    latex_delimiters: list[dict[str, Any]] | None = None,
    rtl: bool = False,
    group_consecutive_messages: bool = True,
    autoscroll: bool = True,
    show_copy_code: bool = True,
    allow_file_downloads: bool = True,
    submit_btn: str | None = None,
    stop_btn: str | None = None,
    reasoning_tags: Iterable[tuple[str, str]] | None = None,
    title: str | None = None,
    description: str | None = None,
    examples: Iterable[Any] | None = None,
    feedback: bool | Iterable[str] = False,
    feedback_options: Iterable[str] | None = None,
    feedback_on_user: bool = False,
    retry: bool = False,
    undo: bool = False,
    editable: str | None = None,
    clear: bool = False,
    copy: bool = True,
    copy_all: bool = True,
    fork: bool = True,
    cache_examples: bool = False,
    watermark: str | None = None,
    theme: Mapping[str, Any] | None = None,
    on_option: Callable[[ChatEvent], Any] | None = None,
    on_example: Callable[[ChatEvent], Any] | None = None,
    on_feedback: Callable[[ChatEvent], Any] | None = None,
    on_retry: Callable[[ChatEvent], Any] | None = None,
    on_undo: Callable[[ChatEvent], Any] | None = None,
    on_edit: Callable[[ChatEvent], Any] | None = None,
    on_clear: Callable[[ChatEvent], Any] | None = None,
    on_copy: Callable[[ChatEvent], Any] | None = None,
    on_copy_all: Callable[[ChatEvent], Any] | None = None,
) -> None:
    """Configure how the chat looks and how messages render. Call it before the messages it should affect
    (usually at the top of the script).

    Args:
        layout: ``"bubble"`` (messages as bubbles) or ``"panel"`` (full-width rows).
        height, min_height, max_height: The transcript's size: pixels, or a CSS length like ``"70vh"``.
        resizable: Let the user drag the transcript's height.
        placeholder: Markdown shown while the chat has no messages.
        avatar_images: ``{"user": ..., "assistant": ...}`` or ``(user, assistant)``: an image path, URL or
            an emoji.
        show_timestamps: Show when each message was created.
        show_usage: Show, small under each reply, the tokens it used and the model (from a model library's
            stream, see ``write_stream``, or a message's ``metadata["usage"]``).
        render_markdown: False shows message text exactly as typed.
        line_breaks: Single newlines in markdown become line breaks.
        sanitize_html: False renders raw HTML in markdown (still through the sanitiser's allow-list).
        allow_tags: Extra (custom) tags kept in messages, e.g. ``["thinking"]``.
        latex_delimiters: ``[{"left", "right", "display"}]``; default ``$$..$$``, ``\\[..\\]``,
            ``\\(..\\)`` and ``$..$`` (a single ``$`` only where it cannot be money: "$5 and $10" stays
            text). ``[]`` turns math off.
        rtl: Right-to-left text.
        group_consecutive_messages: Show consecutive messages of one role as a group.
        autoscroll: Follow new content while the user is at the bottom (a button offers the way back down
            when they scrolled up).
        show_copy_code: A copy button on every code block.
        allow_file_downloads: A download button on media in messages (image, audio, video, file, gallery).
        submit_btn, stop_btn: Labels for the input's send and stop buttons (default: "Send", "Stop").
        reasoning_tags: Pairs like ``("<think>", "</think>")``: text between them in assistant messages
            (streamed or not) shows as a "Thinking" thought.
        title: The page's title, shown at the top.
        description: Markdown shown under the title.
        examples: Shown in the empty chat; a click submits one as if typed. Each a str or
            ``{"text", "files"?, "icon"?, "display_text"?}``.
        feedback: True for Like / Dislike thumbs under assistant messages, or a list of feedback strings
            (the first two as thumbs, the rest in a menu). The choice is kept on the message.
        feedback_options: The list of feedback strings under Gradio's name: the same as ``feedback=[...]``.
        feedback_on_user: Feedback on user messages too.
        retry, undo, clear: Show those actions (retry on the last answer, undo on the last message, clear
            for the whole chat); they reach the script as ``rc.chat_event()`` (and the callbacks below).
        editable: ``"user"`` or ``"all"``: which messages can be edited in place.
        copy, copy_all: A copy button per message, and one for the whole chat.
        fork: "Branch off" on each stored message (a new conversation with the path up to it).
        cache_examples: Record what the first ``write_stream`` of an example's run streams, on its first
            click, and replay it on later clicks (until the script changes) instead of streaming anew.
        watermark: Text appended to what copy-all copies.
        theme: ``{"accent", "font", "mono_font", "radius", "mode", "css"}``: the accent colour, font names,
            the corner radius (pixels or a CSS length), ``"light"``/``"dark"``/``"auto"``, and extra CSS. Over
            the ``[theme]`` of a ``reactchat.toml`` beside the script, which applies from the first paint.
        on_option, on_example, on_feedback, on_retry, on_undo, on_edit, on_clear, on_copy, on_copy_all:
            Called with the
            ``ChatEvent`` before the script reruns for it.

    Raises:
        ValueError, TypeError: naming the option and the bad value.
    """
    run = begin()
    options = {k: v for k, v in locals().items() if k not in ("run", "title")}  # the parameters, by name
    props, rendering = chat_props(run, options)
    more, interactions = _interaction_props(run, options)
    run.put(rendering)
    run.put(interactions)
    prompt = run.trigger.prompt
    if cache_examples and run.trigger.action == "example" and prompt is not None:
        cache = cache_for(None, lambda: run.scope.registry.get(ExampleCache))
        run.scope.registry.register(cache)
        message = {"text": prompt.text, "files": list(prompt.files)} if prompt.files else prompt.text
        run.part(StreamSources).append(replay_or_record(cache, message))
    run.reconciler.emit("chat", {**props, **more})
    if title is not None:
        run.reconciler.emit("title", {"text": str(title)})


def _interaction_props(run: Run, options: dict[str, Any]) -> tuple[dict[str, Any], Interactions]:
    """The interaction part of ``rc.chat``: examples, feedback, message actions and callbacks.

    Raises:
        ValueError, TypeError: naming the option and the bad value.
    """
    props: dict[str, Any] = {}
    feedback = options.get("feedback", False)
    if options.get("feedback_options") is not None:
        if feedback not in (False, None):
            raise ValueError("give feedback=[...] or feedback_options=[...], not both")
        feedback = options["feedback_options"]
        feedback = feedback if isinstance(feedback, str) else list(feedback)
    if feedback is True:
        feedback_options: tuple[str, ...] = ("Like", "Dislike")
    elif feedback is False or feedback is None:
        feedback_options = ()
    elif (
        isinstance(feedback, Sequence)
        and not isinstance(feedback, str)
        and all(isinstance(f, str) for f in feedback)
    ):
        feedback_options = tuple(feedback)
    else:
        raise TypeError(f"feedback must be True, False or a list of strings; got {feedback!r}")
    props["feedback_options"] = list(feedback_options)
    props["feedback_on_user"] = bool(options.get("feedback_on_user", False))
    edit = options.get("editable")
    if edit not in (None, "user", "all"):
        raise ValueError(f"editable must be None, 'user' or 'all'; got {edit!r}")
    actions: dict[str, Any] = {"edit": edit}
    for name, action in ACTIONS.items():
        if action.switch is None:
            continue
        value = options.get(name, action.switch)
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False; got {value!r}")
        actions[name] = value
    props["actions"] = actions
    if options.get("watermark") is not None:
        props["watermark"] = str(options["watermark"])
    shown, examples = [], []
    for i, example in enumerate(options.get("examples") or ()):
        if isinstance(example, str):
            example = {"text": example}
        if not isinstance(example, Mapping) or not isinstance(example.get("text", ""), str):
            raise TypeError(
                f"examples[{i}] must be a str or {{'text', 'files'?, 'icon'?, 'display_text'?}}; "
                f"got {example!r}"
            )
        files = [os.fspath(f) for f in example.get("files") or ()]
        for f in files:
            if not os.path.isfile(f):
                raise FileNotFoundError(f"examples[{i}]: no such file {f!r}")
        item: dict[str, Any] = {"text": example.get("text", "")}
        if example.get("display_text"):
            item["display_text"] = str(example["display_text"])
        if files:
            item["files"] = [{"name": os.path.basename(f)} for f in files]
        icon = example.get("icon")
        if icon is not None:
            item["icon"] = avatar(run, f"examples[{i}] icon", icon)
        shown.append(item)
        examples.append({"text": item["text"], "files": files})
    if shown:
        props["examples"] = shown
    callbacks = {}
    for name in ACTIONS:
        callback = options.get(f"on_{name}")
        if callback is not None:
            if not callable(callback):
                raise TypeError(f"on_{name} must be a function; got {callback!r}")
            callbacks[name] = callback
    return props, Interactions(callbacks, tuple(examples), feedback_options)
