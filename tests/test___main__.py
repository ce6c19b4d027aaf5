from __future__ import annotations

import subprocess
import sys

from reactchat import __version__


def test_python_m_reactchat_is_the_reactchat_command() -> None:
    result = subprocess.run([sys.executable, "-m", "reactchat", "--version"], capture_output=True, text=True,
                            timeout=30)  # fmt: skip
    assert result.returncode == 0 and result.stdout.strip() == f"reactchat {__version__}"
