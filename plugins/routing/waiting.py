"""What a caller hears and what happens with time while they wait in a queue.

Each waiting caller gets a hold task: answer, then music in chunks (so an announcement can come
between two), the position and expected wait every ``announce_position_every`` seconds, and the
callback offer once the caller has waited ``callback.offer_after``. Timers per caller fire the
maximum-wait overflow and the escalation steps (which make more operators eligible, so they
kick the distributor). Stopping the hold (to bridge, overflow or hang up) cancels the task and
breaks the playback in progress (``uuid_break``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from ccore.fsconf.inputs import TONES
from ccore.switch import CallGone, SwitchError

from .board import Caller, QueueBoard
from .estimate import expected_wait, minutes_to_say
from .events import QueueAnnounced, QueueEscalated
from .strategies import next_escalation, requirement

if TYPE_CHECKING:
    from pathlib import Path

    from ccore.bus import EventBus
    from ccore.config_schema import Queue
    from ccore.switch import Switch

_LOGGER = logging.getLogger(__name__)

HOLD_BEAT = "%(300,2700,440)"  # tone:hold, one 3-second beat
POSITION_PROMPT = "ivr/ivr-you_are_number.wav"
IN_LINE_PROMPT = "ivr/ivr-in_line.wav"
WAIT_PROMPT = "ivr/ivr-expected_wait_time_is.wav"
MINUTES_PROMPT = "time/minutes.wav"
CALLBACK_PROMPT = "ivr/ivr-press_one_to_be_called_back.wav"
CONFIRM_TONE = TONES["confirm"]


def sound(value: str, center_dir: Path) -> str:
    """A center.toml sound (``tone:hold``, ``silence:500``, a .wav path) as a playback arg."""
    if value.startswith("tone:"):
        return TONES[value[5:]]
    if value.startswith("silence:"):
        return f"silence_stream://{int(value[8:])}"
    if value.startswith("/"):
        return value
    return str(center_dir / value)


def music_chunk(queue: Queue, center_dir: Path, seconds: float) -> str:
    """Hold music lasting about ``seconds`` (tones are sized to it; files play whole)."""
    if queue.music == "tone:hold":
        beats = max(1, int(seconds // 3))
        return f"tone_stream://{HOLD_BEAT};loops={beats}"
    return sound(queue.music, center_dir)


def digit_file(number: int) -> list[str]:
    """Stock sound files saying a whole number (digits/N.wav up to 20, then digit by digit)."""
    if 0 <= number <= 20:
        return [f"digits/{number}.wav"]
    return [f"digits/{digit}.wav" for digit in str(number)]


def announcement(position: int, wait_seconds: float | None) -> str:
    """One ``file_string://`` saying the position and, when known, the expected wait."""
    files = [POSITION_PROMPT, *digit_file(position), IN_LINE_PROMPT]
    if wait_seconds is not None:
        files += [WAIT_PROMPT, *digit_file(minutes_to_say(wait_seconds)), MINUTES_PROMPT]
    return "file_string://" + "!".join(files)


class WaitingRoom:
    """Hold music, announcements and wait timers for the callers in line."""

    def __init__(
        self,
        board: QueueBoard,
        switch: Switch,
        bus: EventBus,
        spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]],
        center_dir: Path,
        *,
        kick: Callable[[], None],
        overflow: Callable[[Caller, str], None],
        offer_chunk: float = 30.0,
    ) -> None:
        self.board = board
        self.switch = switch
        self.bus = bus
        self.spawn = spawn
        self.center_dir = center_dir
        self.kick = kick
        self.overflow = overflow
        self.offer_chunk = offer_chunk
        self.callback_offered: set[str] = set()

    # --- start and stop ----------------------------------------------------------------------

    def start(self, caller: Caller, *, answer: bool = True) -> None:
        """Begin a caller's wait: timers now, music and announcements in a task."""
        queue = self.board.line(caller).config
        clock = self.board.clock
        waited = self.board.waited(caller)
        if queue.max_wait is not None:
            left = queue.max_wait - waited
            caller.timers.append(clock.call_later(max(0.0, left), lambda: self._max_wait(caller)))
        self._schedule_escalation(caller, waited)
        if caller.callback_id is None:
            caller.hold_task = self.spawn(self._hold(caller, answer))

    async def stop(self, caller: Caller) -> None:
        """Stop the caller's music and announcements (before a bridge, overflow or message)."""
        task, caller.hold_task = caller.hold_task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task})  # our own cancellation still propagates
            with contextlib.suppress(SwitchError, ValueError):
                await self.switch.api(f"uuid_break {caller.call_uuid} all")

    # --- timers ------------------------------------------------------------------------------

    def _max_wait(self, caller: Caller) -> None:
        if caller.in_line and caller.callback_id is None:
            self.overflow(caller, "max_wait")

    def _schedule_escalation(self, caller: Caller, waited: float) -> None:
        queue = self.board.line(caller).config
        at = next_escalation(queue, waited)
        if at is None:
            return
        caller.timers.append(
            self.board.clock.call_later(at - waited + 0.001, lambda: self._escalate(caller))
        )

    def _escalate(self, caller: Caller) -> None:
        if not caller.in_line:
            return
        queue = self.board.line(caller).config
        waited = self.board.waited(caller)
        need = requirement(queue, caller.skills, waited)
        if need.step > caller.escalation_step:
            caller.escalation_step = need.step
            self.bus.fire(
                QueueEscalated(
                    call_uuid=caller.call_uuid,
                    queue=caller.queue,
                    step=need.step,
                    skills=dict(need.skills),
                    tier=need.max_tier,
                )
            )
            self.kick()
        self._schedule_escalation(caller, waited)

    # --- the hold task -----------------------------------------------------------------------

    async def _hold(self, caller: Caller, answer: bool) -> None:
        uuid = caller.call_uuid
        queue = self.board.line(caller).config
        every = float(queue.announce_position_every)
        try:
            channel = self.switch.tracker.channels.get(uuid)
            if answer and channel is not None and channel.answered_at is None:
                await self.switch.answer(uuid)
            next_announce = self.board.waited(caller) + every if every else None
            while caller.in_line:
                waited = self.board.waited(caller)
                if next_announce is not None and waited >= next_announce:
                    await self.announce(caller)
                    next_announce = waited + every
                if self._callback_due(caller, queue, waited):
                    self.callback_offered.add(uuid)
                    await self.switch.play(uuid, CALLBACK_PROMPT)
                    continue
                chunk = self._chunk_seconds(queue, waited, next_announce)
                await self.switch.play(uuid, music_chunk(queue, self.center_dir, chunk))
        except (CallGone, SwitchError) as err:
            _LOGGER.debug("Hold of %s ended: %s", uuid, err)

    def _callback_due(self, caller: Caller, queue: Queue, waited: float) -> bool:
        return (
            queue.callback.enabled
            and caller.call_uuid not in self.callback_offered
            and waited >= queue.callback.offer_after
        )

    def _chunk_seconds(self, queue: Queue, waited: float, next_announce: float | None) -> float:
        limit = self.offer_chunk
        if next_announce is not None:
            limit = min(limit, next_announce - waited)
        if queue.callback.enabled and waited < queue.callback.offer_after:
            limit = min(limit, queue.callback.offer_after - waited)
        return max(3.0, limit)

    async def announce(self, caller: Caller) -> None:
        """Tell the caller their position and, when it can be trusted, the expected wait."""
        position = self.board.position(caller)
        if position == 0:
            return
        line = self.board.line(caller)
        staffed = self.board.staffed(caller.queue)
        wait = expected_wait(position, line.handle_times.average(), staffed)
        self.bus.fire(
            QueueAnnounced(
                call_uuid=caller.call_uuid,
                queue=caller.queue,
                position=position,
                expected_wait=None if wait is None else round(wait, 1),
            )
        )
        await self.switch.play(caller.call_uuid, announcement(position, wait))
