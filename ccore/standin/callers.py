"""Simulated callers: a call placed into the switch, its script, and how it ended."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .channel import Channel

DigitScript = Iterable["str | tuple[float, str]"]


@dataclass(frozen=True)
class CallOutcome:
    """How a simulated call ended; times are simulated unix seconds (0 when never)."""

    uuid: str
    hangup_cause: str
    created: float
    answered: float
    bridged: float
    ended: float
    caller_hung_up: bool

    @property
    def wait_seconds(self) -> float:
        """Seconds from arrival to being bridged (or to the end when never bridged)."""
        return (self.bridged or self.ended) - self.created


class SimCall:
    """A caller's call: press digits, hang up, and await the outcome (``await call``)."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.uuid = channel.uuid
        self.caller_hung_up = False
        self._tasks: list[asyncio.Task[Any]] = []

    def __await__(self) -> Generator[Any, None, CallOutcome]:
        return self.wait().__await__()

    async def wait(self) -> CallOutcome:
        """Wait until the channel is destroyed; the outcome of the call."""
        cause = await asyncio.shield(self.channel.done)
        t = self.channel.profile.times
        return CallOutcome(
            uuid=self.uuid,
            hangup_cause=cause,
            created=t["Channel-Created-Time"] / 1e6,
            answered=t["Channel-Answered-Time"] / 1e6,
            bridged=t["Channel-Bridged-Time"] / 1e6,
            ended=t["Channel-Hangup-Time"] / 1e6,
            caller_hung_up=self.caller_hung_up,
        )

    @property
    def ended(self) -> bool:
        """Whether the call is over."""
        return not self.channel.up

    async def press(self, digits: str, gap: float = 0.25) -> None:
        """The caller presses ``digits`` (RFC 2833), ``gap`` simulated seconds apart."""
        for i, digit in enumerate(digits):
            if i:
                await self.channel.switch.clock.sleep(gap)
            self.channel.add_dtmf(digit)

    async def hangup(self) -> None:
        """The caller hangs up (CANCEL before answer: ORIGINATOR_CANCEL; BYE after)."""
        if self.channel.up:
            self.caller_hung_up = True
            self.channel.hangup("NORMAL_CLEARING" if self.channel.answered
                                else "ORIGINATOR_CANCEL", remote=True)

    def run_script(self, digits: DigitScript, patience: float | None,
                   talk_seconds: float | None) -> None:
        """Start the caller's behaviour: scripted digits, patience and talk time."""
        switch = self.channel.switch
        steps = [(1.0, d) if isinstance(d, str) else d for d in digits]
        if steps:
            self._tasks.append(switch.spawn(self._press_script(steps)))
        if patience is not None:
            self._tasks.append(switch.spawn(self._patience(patience)))
        if talk_seconds is not None:
            self._tasks.append(switch.spawn(self._talk(talk_seconds)))

    async def _until(self, ready: Any) -> bool:
        ch = self.channel
        while ch.up and not ready():
            await asyncio.sleep(0.005)
        return ch.up

    async def _press_script(self, steps: list[tuple[float, str]]) -> None:
        if not await self._until(lambda: self.channel.answered):
            return
        for delay, digits in steps:
            await self.channel.switch.clock.sleep(delay)
            if not self.channel.up:
                return
            await self.press(digits)

    async def _patience(self, seconds: float) -> None:
        ch = self.channel
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ch.wait_hangup(), ch.switch.clock.real_seconds(seconds))
            return
        if ch.up and not ch.profile.times["Channel-Bridged-Time"]:
            await self.hangup()

    async def _talk(self, seconds: float) -> None:
        if not await self._until(lambda: self.channel.profile.times["Channel-Bridged-Time"]):
            return
        ch = self.channel
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ch.wait_hangup(), ch.switch.clock.real_seconds(seconds))
            return
        await self.hangup()
