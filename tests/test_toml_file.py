"""The reactchat.toml beside a script: found next to it, parsed, a malformed one named."""

from __future__ import annotations

import pathlib

import pytest

from reactchat.toml_file import load, path_beside


def test_the_file_beside_the_script_is_read(tmp_path: pathlib.Path) -> None:
    path = path_beside(str(tmp_path / "app.py"))
    assert path == str(tmp_path / "reactchat.toml")
    with pytest.raises(FileNotFoundError):
        load(path)
    (tmp_path / "reactchat.toml").write_text("[server]\nrun_threads = 8\n")
    assert load(path) == {"server": {"run_threads": 8}}


def test_a_malformed_file_is_named(tmp_path: pathlib.Path) -> None:
    (tmp_path / "reactchat.toml").write_text("[server\n")
    with pytest.raises(ValueError, match=r"reactchat\.toml"):
        load(str(tmp_path / "reactchat.toml"))


def test_without_a_file_the_parser_is_not_imported(tmp_path: pathlib.Path) -> None:
    import subprocess
    import sys

    code = f"import sys; from reactchat.toml_file import load\ntry: load({str(tmp_path / 'none.toml')!r})\nexcept FileNotFoundError: pass\nprint('tomllib' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "False"
