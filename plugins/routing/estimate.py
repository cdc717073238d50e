"""Expected wait: from recent handle times and the operators staffing a queue.

A caller at position ``p`` waits about ``p * average handle time / staffed operators``. The
figure is only stated when it can be trusted: enough recent calls to average, and somebody
staffing the queue.
"""

from __future__ import annotations

import math
from collections import deque

MIN_SAMPLES = 5
WINDOW = 50


class HandleTimes:
    """The handle times (talk plus wrap-up, seconds) of a queue's most recent calls."""

    def __init__(self, window: int = WINDOW) -> None:
        self._recent: deque[float] = deque(maxlen=window)

    def add(self, seconds: float) -> None:
        """Record one finished call's handle time."""
        if seconds >= 0:
            self._recent.append(seconds)

    @property
    def samples(self) -> int:
        """How many calls the average is over."""
        return len(self._recent)

    def average(self) -> float | None:
        """Average handle time, or None without enough calls to trust it."""
        if len(self._recent) < MIN_SAMPLES:
            return None
        return sum(self._recent) / len(self._recent)


def expected_wait(position: int, average_handle: float | None, staffed: int) -> float | None:
    """Seconds a caller at ``position`` should expect to wait, or None if not trustworthy."""
    if average_handle is None or staffed < 1 or position < 1:
        return None
    return position * average_handle / staffed


def minutes_to_say(seconds: float) -> int:
    """The expected wait as whole minutes to announce (at least one)."""
    return max(1, math.ceil(seconds / 60))
