"""Simulated traffic for the stand-in: callers arriving, and operators working their shifts.

Callers arrive as a Poisson process at a rate per interval, dial one of the center's numbers,
press the IVR digits they came for, wait with a patience drawn from an exponential
distribution, and talk for a handle time drawn the same way. Operators register their phones,
log in and out with feature codes at the times of their schedule, take breaks, and answer
(or sometimes miss) the calls that ring. Every draw comes from one seeded ``random.Random``, and
every wait goes through the switch's clock, so the same seed at any speed gives the same calls.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .callers import CallOutcome, SimCall
    from .switch import StandinSwitch

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrafficPlan:
    """Who calls, when, and how they behave."""

    numbers: Sequence[str]  # the numbers callers dial
    calls_per_hour: float = 120.0
    rate_changes: Sequence[tuple[float, float]] = ()  # (simulated seconds from start, new rate)
    patience_mean: float = 120.0  # seconds a caller waits to be connected
    talk_mean: float = 150.0  # seconds a connected caller talks
    digit_choices: Sequence[str] = ()  # IVR keys callers press (one chosen per call)
    digit_delay: float = 1.5  # seconds after the greeting starts before pressing
    caller_prefix: str = "+1555"

    def rate_at(self, elapsed: float) -> float:
        """The arrival rate (calls per hour) at ``elapsed`` simulated seconds."""
        rate = self.calls_per_hour
        for start, new_rate in sorted(self.rate_changes):
            if elapsed >= start:
                rate = new_rate
        return rate


@dataclass(frozen=True)
class Shift:
    """One operator's day: when they log in and out, their breaks, how they answer."""

    extension: str
    login_at: float = 0.0  # simulated seconds from the start
    logout_at: float | None = None
    breaks: Sequence[tuple[float, float, str]] = ()  # (start, duration, reason digit)
    ring_seconds: tuple[float, float] = (1.0, 4.0)  # uniform range before answering
    answer_probability: float = 0.97  # per call; a miss rings until the queue gives up


@dataclass
class TrafficReport:
    """What the simulation produced."""

    calls: list[SimCall] = field(default_factory=list)
    outcomes: list[CallOutcome] = field(default_factory=list)

    @property
    def placed(self) -> int:
        """How many callers called."""
        return len(self.calls)


@dataclass(frozen=True)
class FeatureCodes:
    """The feature codes operators dial (from center.toml's ``[feature_codes]``)."""

    login: str = "*21"
    break_: str = "*22"
    back: str = "*23"
    logout: str = "*24"


class TrafficGenerator:
    """Drives a ``StandinSwitch`` with callers and operators."""

    def __init__(
        self,
        switch: StandinSwitch,
        plan: TrafficPlan,
        shifts: Sequence[Shift] = (),
        *,
        seed: int = 0,
        feature_codes: FeatureCodes | None = None,
    ) -> None:
        self.switch = switch
        self.plan = plan
        self.shifts = list(shifts)
        self.codes = feature_codes or FeatureCodes()
        self.random = random.Random(seed)
        self.report = TrafficReport()
        self._tasks: list[asyncio.Task[None]] = []

    async def run(self, duration: float, *, wait_for_calls: bool = True) -> TrafficReport:
        """Simulate ``duration`` seconds of switch time: arrivals and operators' schedules.

        With ``wait_for_calls`` it returns once every call placed has ended (and operators'
        schedules have stopped); otherwise right after the last arrival, with operators still
        working until ``stop``.
        """
        for shift in self.shifts:
            self._tasks.append(asyncio.ensure_future(self._work(shift, duration)))
        await self._arrivals(duration)
        if wait_for_calls:
            await self.settle(timeout=None)
            await self.stop()
        return self.report

    async def settle(self, timeout: float | None) -> list[CallOutcome]:
        """Wait (at most ``timeout`` real seconds) for the calls placed so far to end."""
        calls = [call for call in self.report.calls if not call.ended]
        if calls:
            waiting = [asyncio.ensure_future(call.wait()) for call in calls]
            _, pending = await asyncio.wait(waiting, timeout=timeout)
            for task in pending:
                task.cancel()
        self.report.outcomes = [
            await call.wait() for call in self.report.calls if call.ended
        ]
        return self.report.outcomes

    async def stop(self) -> None:
        """Stop operators' schedules early (callers already placed carry on)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _arrivals(self, duration: float) -> None:
        """Callers at planned times: the sum of the drawn gaps, never the measured clock, so
        scheduling delays at a high speed-up cannot change which calls happen."""
        clock = self.switch.clock
        start = clock.now()
        planned = 0.0
        while True:
            rate = self.plan.rate_at(planned)
            gap = self.random.expovariate(rate / 3600.0) if rate > 0 else 60.0
            planned += gap
            if planned >= duration:
                await clock.sleep(max(start + duration - clock.now(), 0.0))
                return
            await clock.sleep(max(start + planned - clock.now(), 0.0))
            if rate > 0:
                await self._one_caller()

    async def _one_caller(self) -> None:
        plan = self.plan
        number = self.random.choice(list(plan.numbers))
        caller = f"{plan.caller_prefix}{self.random.randrange(1000000, 9999999)}"
        digits: list[tuple[float, str]] = []
        if plan.digit_choices:
            digits.append((plan.digit_delay, self.random.choice(list(plan.digit_choices))))
        patience = self.random.expovariate(1.0 / plan.patience_mean)
        talk = max(self.random.expovariate(1.0 / plan.talk_mean), 5.0)
        call = await self.switch.place_call(
            caller_number=caller,
            destination=number,
            digits=digits,
            patience=patience,
            talk_seconds=talk,
        )
        self.report.calls.append(call)

    async def _work(self, shift: Shift, duration: float) -> None:
        """An operator's day: register, log in, answer, take breaks, log out."""
        clock = self.switch.clock
        start = clock.now()
        self._randomise_phone(shift)
        await self.switch.register(shift.extension)
        steps: list[tuple[float, str]] = [(shift.login_at, self.codes.login)]
        for at, length, reason in shift.breaks:
            steps.append((at, f"{self.codes.break_}{reason}"))
            steps.append((at + length, self.codes.back))
        if shift.logout_at is not None:
            steps.append((shift.logout_at, self.codes.logout))
        for at, code in sorted(steps):
            if at > duration:
                break
            while clock.now() - start < at:
                await clock.sleep(min(at - (clock.now() - start), 30.0))
                self._randomise_phone(shift)
            await self._dial_feature_code(shift.extension, code)
        while True:  # keep the phone's behaviour varying call to call
            await clock.sleep(30.0)
            self._randomise_phone(shift)

    def _randomise_phone(self, shift: Shift) -> None:
        low, high = shift.ring_seconds
        self.switch.set_phone(
            shift.extension,
            ring_seconds=self.random.uniform(low, high),
            answers=self.random.random() < shift.answer_probability,
        )

    async def _dial_feature_code(self, extension: str, code: str) -> None:
        call = await self.switch.place_call(
            caller_number=extension, destination=code, context="default", patience=30.0
        )
        outcome = await call.wait()
        _LOGGER.debug("Operator %s dialed %s: %s", extension, code, outcome.hangup_cause)
