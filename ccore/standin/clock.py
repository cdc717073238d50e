"""Simulated time for the stand-in switch: every duration and event time goes through it."""

from __future__ import annotations

import asyncio
import time


class SimClock:
    """A clock that can run faster than real time.

    ``now()`` is simulated unix time: it starts at the real time when the clock is made
    (or at ``start``) and advances ``speed`` times faster than the wall clock. ``sleep(s)``
    waits ``s`` simulated seconds, that is ``s / speed`` real seconds, so a simulated day
    runs in seconds while every event keeps its order.
    """

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real0 = time.monotonic()
        self._sim0 = time.time() if start is None else start

    def now(self) -> float:
        """Simulated unix time in seconds."""
        return self._sim0 + (time.monotonic() - self._real0) * self.speed

    def uepoch(self) -> int:
        """Simulated unix time in microseconds, as FreeSWITCH stamps events."""
        return int(self.now() * 1_000_000)

    def real_seconds(self, seconds: float) -> float:
        """How many real seconds ``seconds`` of simulated time take."""
        return max(0.0, seconds) / self.speed

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of simulated time."""
        await asyncio.sleep(self.real_seconds(seconds))
