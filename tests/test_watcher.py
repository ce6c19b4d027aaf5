from __future__ import annotations

import pathlib
import sys
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reactchat.runner import Script
from reactchat.watcher import Watcher

WAIT = 10.0  # seconds to wait for a file event; a pass takes a fraction of one


class Loop:
    """Runs what the watcher hands to the loop at once, and records the batch of paths it was for."""

    def __init__(self) -> None:
        self.batches: list[set[str]] = []
        self._cond = threading.Condition()

    def add_callback(self, fn: Callable[..., Any], *args: Any) -> None:
        fn(*args)
        with self._cond:
            self.batches.append(set(args[0]))
            self._cond.notify_all()

    def wait_for(self, path: pathlib.Path) -> set[str]:
        """Wait until a batch with ``path`` was applied; returns every path applied so far."""
        with self._cond:
            if not self._cond.wait_for(lambda: any(str(path) in b for b in self.batches), WAIT):
                raise TimeoutError(f"no change of {path} was applied; batches: {self.batches}")
            return set().union(*self.batches)


class Host:
    """What the watcher needs of the app: its script, its loop, and the two ways to react."""

    def __init__(self, script_path: str) -> None:
        self.script = Script(script_path)
        self.script.load()
        self.loop = Loop()
        self.reloads = 0
        self.reruns = 0

    def reload(self) -> None:
        self.reloads += 1
        self.script.load()

    def rerun_all(self) -> None:
        self.reruns += 1


@pytest.fixture
def folder(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "app.py").write_text("import reactchat as rc\nrc.title('one')\n")
    (tmp_path / "helper.py").write_text("NAME = 'v1'\n")
    return tmp_path


@pytest.fixture
def watched(folder: pathlib.Path) -> Iterator[tuple[Host, Watcher]]:
    host = Host(str(folder / "app.py"))
    watcher = Watcher(host, debounce=0.1)  # type: ignore[arg-type]
    watcher.start()
    yield host, watcher
    watcher.stop()


def test_saving_the_script_reloads_it(folder: pathlib.Path, watched: tuple[Host, Watcher]) -> None:
    host, _ = watched
    (folder / "app.py").write_text("import reactchat as rc\nrc.title('two')\n")
    host.loop.wait_for(folder / "app.py")
    assert host.reloads >= 1 and host.reruns == 0


def test_a_changed_helper_is_dropped_from_sys_modules_and_every_session_reruns(
    folder: pathlib.Path, watched: tuple[Host, Watcher]
) -> None:
    host, _ = watched
    helper = folder / "helper.py"
    module = types.ModuleType("reactchat_watched_helper")
    module.__file__ = str(helper)
    sys.modules[module.__name__] = module
    try:
        helper.write_text("NAME = 'v2'\n")
        host.loop.wait_for(helper)
        assert module.__name__ not in sys.modules and host.reruns >= 1 and host.reloads == 0
    finally:
        sys.modules.pop(module.__name__, None)


def test_a_save_with_the_same_bytes_does_not_rerun(
    folder: pathlib.Path, watched: tuple[Host, Watcher]
) -> None:
    host, _ = watched
    helper = folder / "helper.py"
    helper.write_text("NAME = 'v2'\n")
    host.loop.wait_for(helper)
    (folder / "app.py").write_text("import reactchat as rc\nrc.title('marker')\n")
    host.loop.wait_for(folder / "app.py")  # every event of the helper's save was applied before this one
    reruns = host.reruns
    assert reruns >= 1
    host.loop.batches.clear()
    helper.write_text("NAME = 'v2'\n")  # an editor's save that changes nothing
    (folder / "app.py").write_text("import reactchat as rc\nrc.title('marker 2')\n")
    assert str(helper) in host.loop.wait_for(folder / "app.py")
    assert host.reruns == reruns


def test_while_the_script_does_not_compile_a_helper_change_reruns_nothing(
    folder: pathlib.Path, watched: tuple[Host, Watcher]
) -> None:
    host, _ = watched
    (folder / "app.py").write_text("import reactchat as rc\nrc.title('broken'\n")
    host.loop.wait_for(folder / "app.py")
    assert host.script.overlay is not None
    (folder / "helper.py").write_text("NAME = 'v3'\n")
    host.loop.wait_for(folder / "helper.py")
    assert host.reruns == 0  # the overlay stays until the script compiles again


def test_only_python_files_count(folder: pathlib.Path, watched: tuple[Host, Watcher]) -> None:
    host, _ = watched
    (folder / "notes.txt").write_text("not code")
    (folder / "data.json").write_text("{}")
    (folder / "app.py").write_text("import reactchat as rc\nrc.title('after the notes')\n")
    seen = host.loop.wait_for(folder / "app.py")
    assert all(path.endswith(".py") for path in seen)


def test_a_burst_of_changes_is_handled_as_one_batch(folder: pathlib.Path) -> None:
    host = Host(str(folder / "app.py"))
    watcher = Watcher(host, debounce=0.5)  # type: ignore[arg-type]
    app, helper = str(folder / "app.py"), str(folder / "helper.py")
    for path in (app, helper, app, helper):
        watcher.poke(path)
    host.loop.wait_for(folder / "app.py")
    assert host.loop.batches == [{app, helper}]
    assert host.reloads == 1 and host.reruns == 1


def test_a_file_still_being_written_is_not_read_until_it_is_closed(folder: pathlib.Path) -> None:
    host = Host(str(folder / "app.py"))
    watcher = Watcher(host, debounce=0.05)  # type: ignore[arg-type]
    app = str(folder / "app.py")
    watcher.poke(app, writing=True)
    watcher.poke(app, closed=True)  # this platform reports closes
    host.loop.wait_for(folder / "app.py")
    watcher.poke(app, writing=True)  # truncated: a save has begun, the rest is not written yet
    with host.loop._cond:
        assert not host.loop._cond.wait_for(lambda: len(host.loop.batches) > 1, 0.4)
    watcher.poke(app, closed=True)  # the save is complete
    with host.loop._cond:
        assert host.loop._cond.wait_for(lambda: len(host.loop.batches) == 2, WAIT)
