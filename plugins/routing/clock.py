"""The queue clock: the center's clock, with the timers the routing plugin keeps.

Wait times, the maximum wait, escalation steps, announcements and callback retries all run on
``center.clock`` (wall time in a real center, faster when the demo or a test runs the stand-in
sped up). This wrapper remembers the timers it started so that unloading the plugin cancels
every one of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ccore.clock import CenterClock


class QueueClock:
    """The center's time, and the routing plugin's pending timers."""

    def __init__(self, base: CenterClock | None = None) -> None:
        self.base = base or CenterClock()
        self._timers: set[asyncio.TimerHandle] = set()

    @property
    def speed(self) -> float:
        """Center seconds per real second."""
        return self.base.speed

    def now(self) -> float:
        """Center time in seconds (wall time at speed 1)."""
        return self.base.now()

    def real_seconds(self, seconds: float) -> float:
        """How many real seconds ``seconds`` of center time take."""
        return self.base.real_seconds(seconds)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of center time."""
        await self.base.sleep(seconds)

    def call_later(self, seconds: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        """Run ``callback`` after ``seconds`` of center time (cancelled by ``close``)."""
        handle: asyncio.TimerHandle

        def run() -> None:
            self._timers.discard(handle)
            callback()

        handle = self.base.call_later(seconds, run)
        self._timers.add(handle)
        return handle

    def close(self) -> None:
        """Cancel every timer still pending (the plugin is unloading)."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
