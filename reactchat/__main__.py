"""``python -m reactchat``: the ``reactchat`` command (``python -m reactchat run bot.py``)."""

from __future__ import annotations

import sys

from reactchat.cli import main

if __name__ == "__main__":
    sys.exit(main())
