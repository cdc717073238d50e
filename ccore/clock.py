"""The center's clock: wall time, or faster for the demo and tests on a sped-up stand-in.

A real center runs at speed 1. When the demo or a test runs the stand-in switch faster than
real time, the center gets the same speed, so every timer that plugins keep (wrap-up, maximum
wait, escalation, announcements, callback retries, the reconciler) keeps pace with the calls.
Plugins take time from ``center.clock``, never from ``time`` or ``asyncio.sleep`` directly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class CenterClock:
    """Unix time that advances ``speed`` times faster than the wall clock."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real0 = time.monotonic()
        self._wall0 = time.time()

    def now(self) -> float:
        """The center's time in unix seconds (wall time at speed 1)."""
        return self._wall0 + (time.monotonic() - self._real0) * self.speed

    def real_seconds(self, seconds: float) -> float:
        """How many real seconds ``seconds`` of center time take."""
        return max(0.0, seconds) / self.speed

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of center time."""
        await asyncio.sleep(self.real_seconds(seconds))

    def call_later(self, seconds: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        """Run ``callback`` after ``seconds`` of center time."""
        return asyncio.get_running_loop().call_later(self.real_seconds(seconds), callback)
