"""The fence a context writes under."""

from __future__ import annotations

import threading

from reactchat.leases import Fence, current_fence, fenced


def test_fenced_sets_the_fence_for_this_context_only() -> None:
    fence = Fence("c1", "worker-a", 3)
    seen: list[Fence | None] = []
    assert current_fence() is None
    with fenced(fence):
        assert current_fence() == fence
        other = threading.Thread(target=lambda: seen.append(current_fence()))
        other.start()
        other.join()
        with fenced(Fence("c2", "worker-a", 1)):
            assert current_fence() == Fence("c2", "worker-a", 1)
        assert current_fence() == fence
    assert current_fence() is None
    assert seen == [None]  # another thread writes under a fence of its own, or none
