"""The queue clock: wait times, timers and escalation, optionally faster than real time.

A real center runs it at speed 1 (queue time is wall time). Tests and the demo run the
stand-in switch sped up; ``[plugins.routing] speed`` makes the queue's own timers (maximum
wait, escalation, announcements, callback retries) keep pace with it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class QueueClock:
    """Unix time that advances ``speed`` times faster than the wall clock."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real0 = time.monotonic()
        self._wall0 = time.time()
        self._timers: set[asyncio.TimerHandle] = set()

    def now(self) -> float:
        """Queue time in seconds (wall time at speed 1)."""
        return self._wall0 + (time.monotonic() - self._real0) * self.speed

    def real_seconds(self, seconds: float) -> float:
        """How many real seconds ``seconds`` of queue time take."""
        return max(0.0, seconds) / self.speed

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of queue time."""
        await asyncio.sleep(self.real_seconds(seconds))

    def call_later(self, seconds: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        """Run ``callback`` after ``seconds`` of queue time (cancelled by ``close``)."""
        handle: asyncio.TimerHandle

        def run() -> None:
            self._timers.discard(handle)
            callback()

        handle = asyncio.get_running_loop().call_later(self.real_seconds(seconds), run)
        self._timers.add(handle)
        return handle

    def close(self) -> None:
        """Cancel every timer still pending (the plugin is unloading)."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
