"""Settings next to the chat: the sidebar and its widgets.

A widget's value is state: it lives in the session, keyed by the widget's identity (its key path, or its
``key=`` — then it is also ``rc.session_state[key]``), never by its label, so relabelling keeps the value. A
change from the browser is applied at the start of the next run (latest wins) and never interrupts a run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from reactchat import context
from reactchat.elements import begin, flush_pending

if TYPE_CHECKING:
    from reactchat.run import Run
    from reactchat.state import WidgetValues
    from reactchat.tree import Node

T = TypeVar("T")
MAX_TEXT = 100_000


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Declared(list["Node"]):
    """The widgets this run declared, in order (``rc.chat_interface`` learns its inputs' widgets here)."""


def accept_value(values: WidgetValues, node: Node, value: Any) -> None:
    """Keep a value the browser sent for ``node`` if it fits the widget; ignore it otherwise."""
    props = node.props
    kind = props.get("type")
    if kind in ("text_input", "text_area"):
        if not isinstance(value, str):
            return
        value = value[: props.get("max_chars") or MAX_TEXT]
    elif kind in ("number_input", "slider"):
        if not _number(value):
            return
        if props.get("min") is not None:
            value = max(value, props["min"])
        if props.get("max") is not None:
            value = min(value, props["max"])
        if props.get("integer"):
            value = round(value)
    elif kind in ("checkbox", "toggle"):
        if not isinstance(value, bool):
            return
    elif kind in ("selectbox", "radio"):
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 0 <= value < len(props.get("options", ()))
        ):
            return
    else:
        return
    values.put(node, value)


def value_error(props: dict[str, Any], value: Any) -> str | None:
    """Why ``value`` does not fit the widget with ``props`` (as a value its function would return), or None
    when it fits: the HTTP API checks the additional inputs it is given with this."""
    kind = props.get("type")
    if kind in ("text_input", "text_area"):
        limit = props.get("max_chars") or MAX_TEXT
        if not isinstance(value, str):
            return f"must be a string; got {value!r}"
        return f"must be at most {limit} characters; got {len(value)}" if len(value) > limit else None
    if kind in ("number_input", "slider"):
        integer = props.get("integer")
        if not _number(value) or (integer and not float(value).is_integer()):
            return f"must be {'a whole number' if integer else 'a number'}; got {value!r}"
        low, high = props.get("min"), props.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            return f"must be between {low} and {high}; got {value!r}"
    elif kind in ("checkbox", "toggle") and not isinstance(value, bool):
        return f"must be true or false; got {value!r}"
    elif kind in ("selectbox", "radio") and str(value) not in props.get("options", ()):
        return f"must be one of {props.get('options')}; got {value!r}"
    return None


def shows(props: dict[str, Any], value: Any) -> bool:
    """Whether the widget with ``props`` shows ``value`` (as its function returned it)."""
    shown, options = props.get("value"), props.get("options")
    if options is not None:
        return isinstance(shown, int) and 0 <= shown < len(options) and options[shown] == str(value)
    return shown == value and isinstance(shown, bool) == isinstance(value, bool)


def _widget(
    kind: str, label: str, default: Any, key: str | None, help: str | None, **extra: Any
) -> tuple[Run, Node, Any]:
    run = begin()
    props = {"type": kind, "label": str(label), **{k: v for k, v in extra.items() if v is not None}}
    if help is not None:
        props["help"] = str(help)
    rec = run.reconciler
    node = rec.emit("widget", props, key, defaults={"value": None})
    run.part(Declared).append(node)
    value = _kept(run, node, run.scope.widgets.get(node, default))
    return run, node, value


def _kept(run: Run, node: Node, current: Any) -> Any:
    """A widget with a ``key=`` in an app showing a stored conversation keeps its value with it, in
    ``conv.state[key]`` (a choice by its label): a change is written there, and opening the conversation
    brings its value back."""
    transcript, key = run.scope.transcript, node.key
    if not isinstance(key, str) or transcript is None or not transcript.in_use:
        return current
    conversation = transcript.conversation
    if conversation is None:
        return current
    labels = node.props.get("options")
    synced, state = transcript.synced(), conversation.state
    if key not in state or (key in synced and synced[key] != current):  # new here, or the user changed it
        shown = current
        if labels is not None and isinstance(current, int) and 0 <= current < len(labels):
            shown = labels[current]
        transcript.set_state({**state, key: shown})
        synced[key] = current
        return current
    kept = state[key]
    if labels is not None:
        kept = labels.index(kept) if kept in labels else current
    accept_value(run.scope.widgets, node, kept)  # only a value that fits the widget
    synced[key] = value = run.scope.widgets.get(node, current)
    return value


def _show(run: Run, node: Node, wire: Any) -> None:
    if node.props.get("value") != wire:
        run.reconciler.set(node, {"value": wire})


def text_input(
    label: str, value: str = "", *, key: str | None = None, help: str | None = None,
    placeholder: str | None = None, max_chars: int | None = None, disabled: bool = False,
) -> str:  # fmt: skip
    """A one-line text box; returns its text."""
    run, node, current = _widget("text_input", label, value, key, help, placeholder=placeholder,
                                 max_chars=max_chars, disabled=disabled or None)  # fmt: skip
    _show(run, node, current)
    return str(current)


def text_area(
    label: str, value: str = "", *, key: str | None = None, help: str | None = None,
    placeholder: str | None = None, disabled: bool = False,
) -> str:  # fmt: skip
    """A multi-line text box; returns its text."""
    run, node, current = _widget("text_area", label, value, key, help, placeholder=placeholder,
                                 disabled=disabled or None)  # fmt: skip
    _show(run, node, current)
    return str(current)


def _bounds(name: str, value: Any, min_value: Any, max_value: Any) -> None:
    for what, number in (("value", value), ("min_value", min_value), ("max_value", max_value)):
        if number is not None and not _number(number):
            raise TypeError(f"{name}: {what} must be a number; got {number!r}")
    if min_value is not None and max_value is not None and min_value > max_value:
        raise ValueError(f"{name}: min_value {min_value!r} is greater than max_value {max_value!r}")


def number_input(
    label: str, value: float = 0, *, min_value: float | None = None, max_value: float | None = None,
    step: float | None = None, key: str | None = None, help: str | None = None, disabled: bool = False,
) -> float:  # fmt: skip
    """A number box; returns an int when the value, bounds and step are ints, else a float."""
    _bounds("number_input", value, min_value, max_value)
    integer = all(isinstance(x, int) for x in (value, min_value, max_value, step) if x is not None)
    run, node, current = _widget("number_input", label, value, key, help, min=min_value, max=max_value,
                                 step=step, integer=integer or None, disabled=disabled or None)  # fmt: skip
    _show(run, node, current)
    return current  # type: ignore[no-any-return]


def slider(
    label: str, min_value: float = 0, max_value: float = 100, value: float | None = None, *,
    step: float | None = None, key: str | None = None, help: str | None = None, disabled: bool = False,
) -> float:  # fmt: skip
    """A slider between ``min_value`` and ``max_value``; returns its value (an int for int bounds)."""
    _bounds("slider", value, min_value, max_value)
    start = min_value if value is None else value
    integer = all(isinstance(x, int) for x in (start, min_value, max_value, step) if x is not None)
    step = step if step is not None else (1 if integer else (max_value - min_value) / 100)
    run, node, current = _widget("slider", label, start, key, help, min=min_value, max=max_value, step=step,
                                 integer=integer or None, disabled=disabled or None)  # fmt: skip
    _show(run, node, current)
    return current  # type: ignore[no-any-return]


def checkbox(label: str, value: bool = False, *, key: str | None = None, help: str | None = None,
             disabled: bool = False) -> bool:  # fmt: skip
    """A checkbox; returns whether it is ticked."""
    run, node, current = _widget("checkbox", label, bool(value), key, help, disabled=disabled or None)
    _show(run, node, current)
    return bool(current)


def toggle(label: str, value: bool = False, *, key: str | None = None, help: str | None = None,
           disabled: bool = False) -> bool:  # fmt: skip
    """A switch; returns whether it is on."""
    run, node, current = _widget("toggle", label, bool(value), key, help, disabled=disabled or None)
    _show(run, node, current)
    return bool(current)


def _choice(kind: str, label: str, options: Sequence[T], index: int, format_func: Callable[[T], Any],
            key: str | None, help: str | None, disabled: bool) -> T:  # fmt: skip
    options = list(options)
    if not options:
        raise ValueError(f"{kind} {label!r} needs at least one option")
    if not 0 <= index < len(options):
        raise ValueError(f"{kind} {label!r}: index {index} is out of range for {len(options)} options")
    labels = [str(format_func(o)) for o in options]
    run, node, current = _widget(kind, label, index, key, help, options=labels, disabled=disabled or None)
    if not isinstance(current, int) or not 0 <= current < len(options):
        current = index  # the options changed under a stored choice
    _show(run, node, current)
    return options[current]


def selectbox(label: str, options: Sequence[T], index: int = 0, *, format_func: Callable[[T], Any] = str,
              key: str | None = None, help: str | None = None, disabled: bool = False) -> T:  # fmt: skip
    """A drop-down; returns the chosen option (the object from ``options``)."""
    return _choice("selectbox", label, options, index, format_func, key, help, disabled)


def radio(label: str, options: Sequence[T], index: int = 0, *, format_func: Callable[[T], Any] = str,
          key: str | None = None, help: str | None = None, disabled: bool = False) -> T:  # fmt: skip
    """Radio buttons; returns the chosen option (the object from ``options``)."""
    return _choice("radio", label, options, index, format_func, key, help, disabled)


def button(label: str, *, key: str | None = None, help: str | None = None, disabled: bool = False) -> bool:
    """A button; returns True on the run its click triggered."""
    run = begin()
    props: dict[str, Any] = {"type": "button", "label": str(label)}
    if help is not None:
        props["help"] = str(help)
    if disabled:
        props["disabled"] = True
    node = run.reconciler.emit("widget", props, key)
    trigger = run.trigger
    return trigger.action == "click" and trigger.target == node.id


@dataclasses.dataclass(frozen=True)
class _SidebarNode:
    node: Node


class Sidebar:
    """``with rc.sidebar:`` puts what follows in the side panel (usually settings widgets)."""

    def __enter__(self) -> Sidebar:
        run = begin()
        rec = run.reconciler
        declared = run.find(_SidebarNode)
        if declared is None:
            if rec.container is not rec.tree.root:
                raise RuntimeError(
                    "use `with rc.sidebar:` at the top level of the script, not inside a message"
                )
            declared = _SidebarNode(rec.emit("sidebar", {}, "__sidebar__"))
            run.put(declared)
        rec.enter(declared.node)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        run = context.current_run()
        if exc_type is None:
            flush_pending(run)
        run.reconciler.exit(prune=False)  # it may be entered again in this run: prune at the end


sidebar = Sidebar()


def show_value(run: Run, node: Node, value: Any) -> None:
    """Show ``value`` in the widget ``node`` (an option's label picks it) and keep it as its value."""
    options = node.props.get("options")
    wire = options.index(str(value)) if options is not None and str(value) in options else value
    accept_value(run.scope.widgets, node, wire)
    if node.props.get("value") != wire:
        run.reconciler.set(node, {"value": wire})
