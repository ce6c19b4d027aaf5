from __future__ import annotations

from types import SimpleNamespace

from reactchat.parts import Text, ToolCall, field


def test_field_reads_attributes_and_dict_keys_alike() -> None:
    assert field({"a": 1}, "a") == 1 and field(SimpleNamespace(a=2), "a") == 2
    assert field({}, "a", 3) == 3 and field(SimpleNamespace(), "a") is None and field(None, "a") is None


def test_parts_compare_by_value() -> None:
    assert Text("x") == Text("x") != Text("y")
    assert ToolCall(0, "f") == ToolCall(0, "f", "", None)
