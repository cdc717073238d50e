"""The operators' clock: wall time, optionally faster (to keep pace with a sped-up stand-in).

A real center runs it at speed 1. Tests and the demo run the stand-in switch faster than real
time; ``[plugins.agents] speed`` makes wrap-up timers and the reconciler's interval keep pace.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class AgentClock:
    """Unix time that advances ``speed`` times faster than the wall clock."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real0 = time.monotonic()
        self._wall0 = time.time()

    def now(self) -> float:
        """The operators' time in unix seconds (wall time at speed 1)."""
        return self._wall0 + (time.monotonic() - self._real0) * self.speed

    def real_seconds(self, seconds: float) -> float:
        """How many real seconds ``seconds`` of operator time take."""
        return max(0.0, seconds) / self.speed

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of operator time."""
        await asyncio.sleep(self.real_seconds(seconds))

    def call_later(self, seconds: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        """Run ``callback`` after ``seconds`` of operator time."""
        return asyncio.get_running_loop().call_later(self.real_seconds(seconds), callback)
