from __future__ import annotations

import pytest


def test_functions_outside_a_run_raise_a_clear_error() -> None:
    import reactchat as rc

    with pytest.raises(RuntimeError, match="only work inside a running app"):
        rc.markdown("x")
