from __future__ import annotations

import dataclasses

import pytest

from reactchat.config import Config
from reactchat.testing import ChatTest


def test_defaults_bind_loopback_and_watch() -> None:
    config = Config()
    assert config.host == "127.0.0.1" and config.watch and config.allowed_origins == ()
    assert config.max_message_bytes == 1 << 20  # the inbound WebSocket cap of the design


def test_a_config_is_frozen_and_replace_makes_a_new_one() -> None:
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.port = 1  # type: ignore[misc]
    changed = config.replace(port=9000, frame_interval=0.05)
    assert (changed.port, changed.frame_interval) == (9000, 0.05)
    assert (config.port, config.frame_interval) == (8700, 0.025)
    assert changed == Config(port=9000, frame_interval=0.05)


def test_replace_refuses_a_misspelt_setting() -> None:
    with pytest.raises(TypeError, match="frame_intervall"):
        Config().replace(frame_intervall=0.1)


def test_every_setting_is_documented() -> None:
    doc = Config.__doc__ or ""
    missing = [f.name for f in dataclasses.fields(Config) if f"{f.name}:" not in doc]
    assert missing == []


def test_a_sessions_runs_pace_streams_by_its_frame_interval() -> None:
    t = ChatTest.from_source(
        "import reactchat as rc\nfrom reactchat import context\n"
        "rc.session_state.interval = context.current_run().scope.frame_interval\n",
        config=Config(frame_interval=0.005),
    )
    assert t.session.state["interval"] == 0.005
