from __future__ import annotations

from collections.abc import Callable

import pytest

from reactchat.testing import ChatTest

SETTINGS = """
    import reactchat as rc
    with rc.sidebar:
        name = rc.text_input("Name", "Ada", help="who you are")
        bio = rc.text_area("Bio", placeholder="About you")
        age = rc.number_input("Age", 30, min_value=0, max_value=120)
        temp = rc.slider("Temperature", 0.0, 2.0, 0.7)
        concise = rc.checkbox("Concise")
        stream = rc.toggle("Stream", True)
        model = rc.selectbox("Model", ["small", "large"], index=1)
        tone = rc.radio("Tone", ["plain", "fun"], key="tone")
        pressed = rc.button("Reset")
    rc.session_state.seen = dict(name=name, bio=bio, age=age, temp=temp, concise=concise, stream=stream,
                                 model=model, tone=tone, pressed=pressed)
    rc.chat_input()
"""


def test_every_widget_declares_itself_in_the_sidebar_with_its_default(
    write_app: Callable[[str], str],
) -> None:
    t = ChatTest.from_file(write_app(SETTINGS))
    assert t.session.state["seen"] == dict(name="Ada", bio="", age=30, temp=0.7, concise=False, stream=True,
                                           model="large", tone="plain", pressed=False)  # fmt: skip
    sidebar = t.nodes("sidebar")[0]
    types = [w[2]["type"] for w in sidebar[3]]
    assert types == [
        "text_input",
        "text_area",
        "number_input",
        "slider",
        "checkbox",
        "toggle",
        "selectbox",
        "radio",
        "button",
    ]
    props = {w[2]["label"]: w[2] for w in sidebar[3]}
    assert props["Name"]["help"] == "who you are" and props["Name"]["value"] == "Ada"
    assert props["Age"] == {
        "type": "number_input",
        "label": "Age",
        "min": 0,
        "max": 120,
        "integer": True,
        "value": 30,
    }
    assert props["Model"]["options"] == ["small", "large"] and props["Model"]["value"] == 1


def test_values_change_are_clamped_and_bad_ones_ignored(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(SETTINGS))
    t.set("Name", "Grace").set("Age", 500).set("Temperature", 1.5).set("Concise", True)
    t.set("Model", "small").set("tone", "fun").set("Stream", "not a bool").set("Bio", 42)
    seen = t.session.state["seen"]
    assert (seen["name"], seen["age"], seen["temp"], seen["concise"], seen["model"], seen["tone"]) == (
        "Grace", 120, 1.5, True, "small", "fun")  # fmt: skip
    assert seen["stream"] is True and seen["bio"] == ""  # values of the wrong type are ignored
    assert t.session.state["tone"] == 1  # a keyed widget's value is also in session_state
    assert {w[2]["label"]: w[2]["value"] for w in t.nodes("widget") if "value" in w[2]}["Age"] == 120


def test_a_button_is_true_only_on_its_click(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(SETTINGS))
    t.click("Reset")
    assert t.session.state["seen"]["pressed"] is True
    t.send("x")
    assert t.session.state["seen"]["pressed"] is False


def test_a_label_change_keeps_the_value(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(SETTINGS))
    t.set("Age", 44)
    t.edit_script(SETTINGS.replace('"Age"', '"Age in years"').replace("\n    ", "\n"))
    assert t.session.state["seen"]["age"] == 44


def test_a_change_during_a_run_applies_on_the_next_run_without_interrupting(
    write_app: Callable[[str], str],
) -> None:
    t = ChatTest.from_file(
        write_app("""
        import threading
        import reactchat as rc
        rc.session_state.setdefault("gate", threading.Event())
        rc.session_state.setdefault("runs", [])
        level = rc.slider("Level", 0, 10, 1)
        if rc.chat_input():
            rc.session_state.gate.wait(10)
            rc.session_state.done = True
        rc.session_state.runs.append(level)
    """)
    )
    t.send("go", wait=False)
    t.wait_for(lambda t: t.run_state == "running")
    t.set("Level", 5, wait=False)
    t.set("Level", 7, wait=False)  # latest wins
    t.session.state["gate"].set()
    t.wait()
    assert t.session.state["done"] is True
    assert t.session.state["runs"] == [1, 1, 7]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("rc.slider('x', 5, 1)", "min_value 5 is greater than max_value 1"),
        ("rc.selectbox('x', [])", "needs at least one option"),
        ("rc.radio('x', ['a'], index=3)", "index 3 is out of range"),
        ("rc.number_input('x', 'ten')", "value must be a number"),
    ],
)
def test_bad_widget_arguments(write_app: Callable[[str], str], call: str, message: str) -> None:
    t = ChatTest.from_file(write_app(f"import reactchat as rc\n{call}\n"))
    assert message in t.errors[0]["message"]
