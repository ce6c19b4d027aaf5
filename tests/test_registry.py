from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import reactchat as rc
from reactchat.chatbot import ChatFunction
from reactchat.registry import Registry
from reactchat.testing import ChatTest


class Entry:
    def __init__(self, name: str) -> None:
        self.name = name


class Special(Entry):
    pass


def test_one_entry_per_type_the_latest_winning() -> None:
    registry = Registry()
    assert registry.get(Entry) is None
    first, second, special = Entry("first"), Entry("second"), Special("special")
    registry.register(first)
    registry.register(second)
    registry.register(special)
    assert registry.get(Entry) is second  # kept by its exact type: a subclass is another entry
    assert registry.get(Special) is special
    registry.clear()
    assert registry.get(Entry) is None and registry.get(Special) is None


def test_registrations_from_many_threads_all_land() -> None:
    registry = Registry()
    kinds = [type(f"Kind{i}", (), {}) for i in range(20)]
    threads = [threading.Thread(target=registry.register, args=(kind(),)) for kind in kinds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert all(isinstance(registry.get(kind), kind) for kind in kinds)


def test_chatbot_registers_its_function_for_use_outside_sessions() -> None:
    def bot(message: str, history: list[Any], tone: str) -> str:
        return f"{tone}: {message}"

    t = ChatTest.from_function(bot, additional_inputs=[lambda: rc.text_input("Tone", "calm")])
    entry = t.session.script.registry.get(ChatFunction)
    assert entry is not None and entry.fn is bot
    assert entry.names == ("Tone",) and entry.defaults == ("calm",)
    assert entry.fn("hi", [], *entry.inputs({"Tone": "loud"})) == "loud: hi"


def test_a_changed_script_forgets_what_the_old_code_registered(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.chat_interface(lambda message, history: message)
    """)
    )
    assert t.session.script.registry.get(ChatFunction) is not None
    t.edit_script("import reactchat as rc\nrc.chat_input()\n")
    assert t.session.script.registry.get(ChatFunction) is None
