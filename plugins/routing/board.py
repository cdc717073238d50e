"""The queue board: who waits in which queue, in which order, and today's figures.

``QueueBoard`` is the routing plugin's service (``center.service("routing", QueueBoard)``). It
keeps each queue's line in order (higher priority first, then first come, first served),
the calls operators took, and the day's counters for the wallboard (``snapshot``). Putting a
caller in a queue (``enqueue``) hands the caller to the plugin's runtime, which plays music
and offers the call to operators.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .clock import QueueClock
from .estimate import HandleTimes, expected_wait

if TYPE_CHECKING:
    import asyncio

    from ccore.config_schema import CenterModel, Queue


class CallerState(StrEnum):
    """Where a caller is in a queue."""

    WAITING = "waiting"  # in line; no phone ringing for them
    OFFERING = "offering"  # an operator's phone (or several, ring-all) rings for them
    CONNECTED = "connected"  # an operator took the call
    LEFT = "left"  # answered and done, hung up, overflowed or turned into a callback


@dataclass(eq=False)
class Caller:
    """One caller (or one callback) in a queue's line."""

    call_uuid: str
    queue: str
    number: str
    name: str
    priority: int
    skills: dict[str, int]
    entered_at: float  # queue time; the place in line among equal priorities
    seq: int
    state: CallerState = CallerState.WAITING
    ringing: dict[str, str] = field(default_factory=dict)  # extension -> agent leg uuid
    missed_by: set[str] = field(default_factory=set)
    callback_id: int | None = None  # a callback holding the place of a caller who hung up
    agent: str | None = None
    agent_uuid: str | None = None
    answered_at: float | None = None
    bridged: bool = False  # the operator and the caller (or callback customer) are talking
    escalation_step: int = 0
    timers: list[asyncio.TimerHandle] = field(default_factory=list)
    hold_task: asyncio.Task[Any] | None = None

    @property
    def order(self) -> tuple[int, float, int]:
        """Sort key: higher priority first, then who came first."""
        return (-self.priority, self.entered_at, self.seq)

    @property
    def in_line(self) -> bool:
        """Still waiting for an operator (possibly while one is being rung)."""
        return self.state in (CallerState.WAITING, CallerState.OFFERING)

    def cancel_timers(self) -> None:
        """Stop this caller's wait timers (max wait, escalation)."""
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()


@dataclass
class QueueFigures:
    """A queue's counters since the board started (the wallboard's 'today')."""

    entered: int = 0
    offered: int = 0
    answered: int = 0
    answered_in_time: int = 0
    abandoned: int = 0
    abandoned_late: int = 0
    overflowed: int = 0
    callbacks_requested: int = 0
    called_back: int = 0

    def service_level(self) -> float | None:
        """Share of callers answered within the target (abandons after it count against)."""
        counted = self.answered + self.abandoned_late
        return None if counted == 0 else round(self.answered_in_time / counted, 3)


class QueueLine:
    """One queue: its configuration, the callers in line and its figures."""

    def __init__(self, config: Queue) -> None:
        self.config = config
        self.callers: list[Caller] = []
        self.figures = QueueFigures()
        self.handle_times = HandleTimes()

    def add(self, caller: Caller) -> None:
        """Put a caller in line at their place."""
        keys = [c.order for c in self.callers]
        self.callers.insert(bisect.bisect_right(keys, caller.order), caller)

    def remove(self, caller: Caller) -> bool:
        """Take a caller out of the line; False if they were not in it."""
        try:
            self.callers.remove(caller)
        except ValueError:
            return False
        return True

    def position(self, caller: Caller) -> int:
        """1 for the front of the line; 0 when not in it."""
        for index, other in enumerate(self.callers, start=1):
            if other is caller:
                return index
        return 0


class QueueBoard:
    """Every queue's line, the calls in progress and the day's figures."""

    def __init__(
        self,
        model: CenterModel,
        clock: QueueClock | None = None,
        *,
        service_level_seconds: float = 20.0,
    ) -> None:
        self.model = model
        self.clock = clock or QueueClock()
        self.service_level_seconds = service_level_seconds
        self.lines: dict[str, QueueLine] = {q.name: QueueLine(q) for q in model.queues}
        self.callers: dict[str, Caller] = {}  # by call uuid (or "callback:<id>")
        self.connected: dict[str, Caller] = {}  # calls operators took, by call uuid
        self._seq = itertools.count(1)
        self.on_enter: Callable[[Caller], None] | None = None  # set by the plugin's runtime
        self.staffed: Callable[[str], int] = lambda queue: 0

    def sync_queues(self, model: CenterModel) -> tuple[list[str], list[str]]:
        """Bring the queues in line with center.toml after a reload; returns (added, removed).

        An existing queue takes its new settings and keeps its line and figures; a new one
        starts empty. A removed queue with callers still in line stays until it is empty (they
        keep their place), so a reload never drops a waiting caller.
        """
        self.model = model
        wanted = {queue.name: queue for queue in model.queues}
        added = []
        for name, queue in wanted.items():
            line = self.lines.get(name)
            if line is None:
                self.lines[name] = QueueLine(queue)
                added.append(name)
            else:
                line.config = queue
        removed = [name for name, line in self.lines.items()
                   if name not in wanted and not line.callers]
        for name in removed:
            del self.lines[name]
        return added, removed

    # --- the API other plugins use -----------------------------------------------------------

    def enqueue(
        self,
        call_uuid: str,
        queue: str,
        *,
        skills: Mapping[str, int] | None = None,
        priority: int = 0,
        number: str = "",
        name: str = "",
        entered_at: float | None = None,
        callback_id: int | None = None,
        requeued: bool = False,
    ) -> Caller:
        """Put a call in a queue; the plugin plays music and offers it to operators.

        ``entered_at`` (queue time) keeps an earlier place (a caller re-queued after a
        restart, a callback; ``requeued`` says it was counted already). Raises KeyError for
        an unknown queue, ValueError for a call already in a queue.
        """
        line = self.lines.get(queue)
        if line is None:
            raise KeyError(f"no queue named {queue!r}")
        if call_uuid in self.callers:
            already = self.callers[call_uuid].queue
            raise ValueError(f"call {call_uuid} is already in queue {already}")
        caller = Caller(
            call_uuid=call_uuid,
            queue=queue,
            number=number,
            name=name,
            priority=priority,
            skills=dict(skills or {}),
            entered_at=self.clock.now() if entered_at is None else entered_at,
            seq=next(self._seq),
            callback_id=callback_id,
        )
        self.callers[call_uuid] = caller
        line.add(caller)
        if not requeued:
            line.figures.entered += 1
        if self.on_enter is not None:
            self.on_enter(caller)
        return caller

    def snapshot(self) -> dict[str, Any]:
        """The wallboard's view: per queue the line, longest wait and today's figures."""
        now = self.clock.now()
        queues: dict[str, Any] = {}
        for name, line in self.lines.items():
            staffed = self.staffed(name)
            average = line.handle_times.average()
            waiting = [
                {
                    "call_uuid": c.call_uuid,
                    "caller": c.number,
                    "position": position,
                    "waited": round(now - c.entered_at, 1),
                    "priority": c.priority,
                    "state": c.state.value,
                    "callback": c.callback_id is not None,
                    "expected_wait": expected_wait(position, average, staffed),
                }
                for position, c in enumerate(line.callers, start=1)
            ]
            figures = line.figures
            queues[name] = {
                "display_name": line.config.display_name or name,
                "strategy": line.config.strategy,
                "waiting": waiting,
                "longest_wait": max((w["waited"] for w in waiting), default=0.0),
                "staffed": staffed,
                "offered": figures.offered,
                "entered": figures.entered,
                "answered": figures.answered,
                "abandoned": figures.abandoned,
                "overflowed": figures.overflowed,
                "callbacks_requested": figures.callbacks_requested,
                "called_back": figures.called_back,
                "service_level": figures.service_level(),
                "average_handle_time": average,
            }
        calls = [
            {
                "call_uuid": c.call_uuid,
                "queue": c.queue,
                "caller": c.number,
                "agent": c.agent,
                "since": c.answered_at,
            }
            for c in self.connected.values()
        ]
        return {"at": now, "queues": queues, "calls": calls}

    # --- used by the runtime -----------------------------------------------------------------

    def line(self, caller: Caller) -> QueueLine:
        """The line a caller is in."""
        return self.lines[caller.queue]

    def position(self, caller: Caller) -> int:
        """The caller's place in their queue (1 is the front; 0 when no longer in line)."""
        return self.line(caller).position(caller)

    def waited(self, caller: Caller) -> float:
        """Seconds (queue time) since the caller entered the queue."""
        return self.clock.now() - caller.entered_at

    def in_order(self) -> Iterator[Caller]:
        """Every caller in line across queues, priority first, then first come."""
        ordered = sorted(
            (c for line in self.lines.values() for c in line.callers),
            key=lambda c: c.order,
        )
        return iter(ordered)

    def leave(self, caller: Caller) -> bool:
        """Take a caller out of line for good (answered, gone, overflowed); False if already."""
        if caller.state is CallerState.LEFT:
            return False
        caller.cancel_timers()
        self.line(caller).remove(caller)
        caller.state = CallerState.LEFT
        if self.callers.get(caller.call_uuid) is caller:
            del self.callers[caller.call_uuid]
        self.connected.pop(caller.call_uuid, None)
        return True

    def take(self, caller: Caller, agent: str, agent_uuid: str) -> None:
        """An operator took the caller: out of the line, into the calls in progress."""
        caller.cancel_timers()
        self.line(caller).remove(caller)
        caller.state = CallerState.CONNECTED
        caller.agent = agent
        caller.agent_uuid = agent_uuid
        caller.answered_at = self.clock.now()
        self.connected[caller.call_uuid] = caller
        figures = self.line(caller).figures
        figures.answered += 1
        if caller.answered_at - caller.entered_at <= self.service_level_seconds:
            figures.answered_in_time += 1
