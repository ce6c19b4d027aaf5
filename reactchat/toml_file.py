"""The ``reactchat.toml`` beside a script (its ``[theme]``, ``[auth]`` and ``[server]`` tables), read with
``tomllib`` imported only when there is such a file: a server without one never loads the parser."""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["FILE", "load", "path_beside"]

FILE = "reactchat.toml"


def path_beside(script_path: str) -> str:
    """Where the ``reactchat.toml`` of the script at ``script_path`` is."""
    return os.path.join(os.path.dirname(os.path.abspath(script_path)), FILE)


def load(path: str) -> dict[str, Any]:
    """The file at ``path``, parsed.

    Raises:
        OSError: it cannot be read (FileNotFoundError: there is none). ValueError: it is not TOML, naming
            ``path`` and where.
    """
    with open(path, "rb") as f:  # first: without the file, the parser is never imported
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
        try:
            parsed: dict[str, Any] = tomllib.load(f)
            return parsed
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path}: {error}") from None
