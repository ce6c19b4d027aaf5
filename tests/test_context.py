from __future__ import annotations

import contextvars
from collections.abc import Callable

import pytest

from reactchat import context
from reactchat.run import Run
from reactchat.testing import ChatTest


def test_functions_outside_a_run_raise_a_clear_error() -> None:
    import reactchat as rc

    with pytest.raises(RuntimeError, match="only work inside a running app"):
        rc.markdown("x")


def test_outside_a_run_current_run_says_how_to_start_one_and_active_run_is_none() -> None:
    with pytest.raises(RuntimeError, match=r"reactchat run SCRIPT.*reactchat\.testing\.ChatTest"):
        context.current_run()
    assert context.active_run() is None


def test_a_bound_run_is_current_until_unbound(bare_run: Run) -> None:
    run = bare_run
    token = context.bind(run)
    try:
        assert context.current_run() is run and context.active_run() is run
    finally:
        context.unbind(token)
    assert context.active_run() is None


def test_inside_the_stream_source_current_run_raises_but_active_run_answers(bare_run: Run) -> None:
    run = bare_run
    token = context.bind(run)
    try:

        def in_source() -> Run | None:
            context.mark_stream_source()
            with pytest.raises(RuntimeError, match="inside the iterable given to write_stream"):
                context.current_run()
            return context.active_run()  # the write guard still finds its run here

        assert contextvars.copy_context().run(in_source) is run
        assert context.current_run() is run  # the mark stays in the source's own context
    finally:
        context.unbind(token)


def test_asyncio_tasks_of_a_script_find_its_run(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import asyncio
        import reactchat as rc
        async def answer(n):
            await asyncio.sleep(0)
            rc.message("assistant", f"task {n}")
        await asyncio.gather(*(asyncio.create_task(answer(n)) for n in range(2)))
    """)
    )
    assert t.errors == []
    assert sorted(m["content"] for m in t.messages) == ["task 0", "task 1"]
