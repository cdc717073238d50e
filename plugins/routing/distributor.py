"""Offering waiting callers to operators, event-driven: no polling.

Whenever something changes that could let a caller be served (a caller enters, an operator
becomes available or registers, an offer ends, an escalation step is reached) ``kick`` asks for
one dispatch pass on the next loop turn. A pass walks the callers of every queue in order
(priority, then first come) and, for each, rings the operator (or, for ring-all, the operators)
the queue's strategy picks among those free right now. ``AgentBoard.offer`` makes an operator
RINGING atomically, so no operator is ever offered two calls at once.

An offer is an ``originate`` of ``user/<ext>`` with a UUID made here (so the operator's leg can
be killed the moment the caller hangs up) and the queue's ring timeout as
``originate_timeout``. When the operator answers, the caller's hold music is stopped and the
two legs are bridged; when they do not, the caller keeps the place and the next operator is
tried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid as uuid_module
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ccore.switch import CallGone, SwitchError

from .board import Caller, CallerState, QueueBoard
from .events import QueueAbandoned, QueueAnswered, QueueCompleted, QueueMissed, QueueOffered
from .strategies import choose, requirement

if TYPE_CHECKING:
    from ccore.bus import EventBus
    from ccore.switch import Switch

    from .waiting import WaitingRoom

_LOGGER = logging.getLogger(__name__)

# Causes that are the operator's doing (a miss counts towards the break after N misses).
NO_ANSWER_CAUSES = frozenset(
    {
        "NO_ANSWER",
        "NO_USER_RESPONSE",
        "ALLOTTED_TIMEOUT",
        "RECOVERY_ON_TIMER_EXPIRE",
        "CALL_REJECTED",
    }
)
BUSY_CAUSES = frozenset({"USER_BUSY"})
# Causes that end an offer through no fault of the operator (ring-all lost, caller gone).
WITHDRAWN_CAUSES = frozenset({"LOSE_RACE", "ORIGINATOR_CANCEL", "PICKED_OFF"})


class Agents(Protocol):
    """What the distributor uses of the agents plugin's ``AgentBoard``."""

    def offerable(self) -> list[Any]: ...
    def offer(self, extension: str, call_uuid: str) -> bool: ...
    def answered(self, extension: str, call_uuid: str) -> None: ...
    def missed(
        self, extension: str, call_uuid: str, cause: str, break_after: int | None
    ) -> None: ...
    def call_ended(self, extension: str, call_uuid: str, wrap_up_seconds: float) -> None: ...
    def release_stuck(self, extension: str, reason: str, by: str = ...) -> Any: ...


def cause_of(text: str) -> str:
    """The hangup cause in FreeSWITCH's originate failure text (``-ERR NO_ANSWER``)."""
    words = text.replace("-ERR", " ").split()
    for word in words:
        if word.isupper() and word.replace("_", "").isalpha():
            return word
    return "NORMAL_TEMPORARY_FAILURE"


def dial_variable(value: str) -> str:
    """A channel variable value safe inside ``{...}`` of an originate (quoted if spaced)."""
    cleaned = "".join(ch for ch in value if ch not in ",}{'\n\r")
    return f"'{cleaned}'" if " " in cleaned else cleaned


def agent_call(caller: Caller, leg: str) -> str:
    """The call the agents board files an offer under: the caller's, or for a callback the
    operator's own leg (the caller's original call is gone; the reconciler checks this one).
    """
    return leg if caller.callback_id is not None else caller.call_uuid


@dataclass
class Settings:
    """Distribution settings from ``[plugins.routing]``."""

    busy_retry: float = 10.0  # a busy phone is not rung again for this long (queue seconds)


Connect = Callable[[Caller, str, str], Coroutine[Any, Any, None]]


class Distributor:
    """Matches waiting callers with free operators and connects them."""

    def __init__(
        self,
        board: QueueBoard,
        agents: Callable[[], Agents],
        switch: Switch,
        bus: EventBus,
        spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]],
        settings: Settings | None = None,
    ) -> None:
        self.board = board
        self.agents = agents
        self.switch = switch
        self.bus = bus
        self.spawn = spawn
        self.settings = settings or Settings()
        self.waiting_room: WaitingRoom | None = None
        self.connect_callback: Connect | None = None  # set by the callback dialer
        self.callback_ready: Callable[[Caller], bool] = lambda caller: True
        self.busy_until: dict[str, float] = {}
        self.agent_legs: dict[str, Caller] = {}  # operator leg uuid -> the caller it serves
        self.doomed: set[str] = set()  # operator legs whose caller left while they rang
        self.offers_started = 0
        self.on_originate: Callable[[Caller, str], None] | None = None  # benchmark probe
        self._pending = False

    # --- dispatch ----------------------------------------------------------------------------

    def kick(self) -> None:
        """Ask for one dispatch pass soon (many kicks in one loop turn make one pass)."""
        if not self._pending:
            self._pending = True
            asyncio.get_running_loop().call_soon(self._dispatch)

    def _dispatch(self) -> None:
        self._pending = False
        try:
            self.dispatch()
        except Exception:
            _LOGGER.exception("Dispatch pass failed")

    def dispatch(self) -> int:
        """Offer every caller who can be served now; return how many offers were made."""
        try:
            agents = self.agents()
        except LookupError:
            return 0
        now = self.board.clock.now()
        free = [
            agent
            for agent in agents.offerable()
            if self.busy_until.get(agent.extension, 0.0) <= now
        ]
        made = 0
        for caller in self.board.in_order():
            if not free:
                break
            if caller.state is not CallerState.WAITING:
                continue
            if caller.callback_id is not None and not self.callback_ready(caller):
                continue
            queue = self.board.line(caller).config
            need = requirement(queue, caller.skills, now - caller.entered_at)
            for agent in choose(queue, need, free, caller.missed_by):
                leg = str(uuid_module.uuid4())
                if agents.offer(agent.extension, agent_call(caller, leg)):
                    free.remove(agent)
                    self._start_offer(caller, agent.extension, leg)
                    made += 1
        return made

    def _start_offer(self, caller: Caller, extension: str, leg: str) -> None:
        caller.state = CallerState.OFFERING
        caller.ringing[extension] = leg
        self.board.line(caller).figures.offered += 1
        self.offers_started += 1
        self.bus.fire(
            QueueOffered(
                call_uuid=caller.call_uuid,
                queue=caller.queue,
                agent=extension,
                agent_uuid=leg,
                waited=round(self.board.waited(caller), 3),
            )
        )
        self.spawn(self._offer(caller, extension, leg))

    # --- one offer ---------------------------------------------------------------------------

    async def _offer(self, caller: Caller, extension: str, leg: str) -> None:
        queue = self.board.line(caller).config
        label = f"Callback {caller.number}" if caller.callback_id is not None else caller.name
        variables = {
            "origination_uuid": leg,
            "originate_timeout": str(int(queue.ring_timeout)),
            "origination_caller_id_number": dial_variable(caller.number or "anonymous"),
            "origination_caller_id_name": dial_variable(label or caller.number or "Caller"),
            "ccore_queue": caller.queue,
            "ccore_caller_uuid": caller.call_uuid,
        }
        if self.on_originate is not None:
            self.on_originate(caller, extension)
        try:
            await self.switch.originate(
                f"user/{extension}", variables=variables, timeout=queue.ring_timeout + 30
            )
        except SwitchError as err:
            cause = cause_of(err.text)
        except Exception:
            _LOGGER.exception("Offering %s to %s failed", caller.call_uuid, extension)
            cause = "NORMAL_TEMPORARY_FAILURE"
        else:
            cause = "SUCCESS"
        caller.ringing.pop(extension, None)
        self.doomed.discard(leg)
        if cause in NO_ANSWER_CAUSES and caller.state is CallerState.LEFT:
            cause = "ORIGINATOR_CANCEL"  # the caller left while it rang: not the operator's miss
        if cause == "SUCCESS":
            await self._answered(caller, extension, leg)
        else:
            self._missed(caller, extension, leg, cause)

    async def _answered(self, caller: Caller, extension: str, leg: str) -> None:
        agents = self.agents()
        if caller.state is not CallerState.OFFERING or not self._caller_live(caller):
            # the caller left (hung up, overflowed) while the phone rang: never connect
            with contextlib.suppress(SwitchError, ValueError):
                await self.switch.hangup(leg, "ORIGINATOR_CANCEL")
            self._withdraw(extension, "caller gone")
            self.bus.fire(
                QueueMissed(
                    call_uuid=caller.call_uuid,
                    queue=caller.queue,
                    agent=extension,
                    cause="ORIGINATOR_CANCEL",
                )
            )
            self.kick()
            return
        self.board.take(caller, extension, leg)
        self.agent_legs[leg] = caller
        agents.answered(extension, agent_call(caller, leg))
        for other_leg in list(caller.ringing.values()):  # ring-all: the others lost
            self.spawn(self._kill(other_leg, "LOSE_RACE"))
        if caller.callback_id is not None and self.connect_callback is not None:
            await self.connect_callback(caller, extension, leg)
            return
        if self.waiting_room is not None:
            await self.waiting_room.stop(caller)
        try:
            await self.switch.bridge_calls(caller.call_uuid, leg)
        except (SwitchError, CallGone) as err:
            _LOGGER.info("Could not connect %s to %s: %s", caller.call_uuid, extension, err)
            if caller.state is CallerState.CONNECTED:  # (not already ended by its hangup)
                self._lost_while_connecting(caller)
            return
        caller.bridged = True
        self.bus.fire(
            QueueAnswered(
                call_uuid=caller.call_uuid,
                queue=caller.queue,
                agent=extension,
                agent_uuid=leg,
                waited=round((caller.answered_at or 0.0) - caller.entered_at, 3),
            )
        )

    def _lost_while_connecting(self, caller: Caller) -> None:
        """The caller hung up just as the operator answered: an abandon, not a conversation."""
        extension, leg = caller.agent or "", caller.agent_uuid or ""
        line = self.board.line(caller)
        self.board.leave(caller)
        self.agent_legs.pop(leg, None)
        self.spawn(self._kill(leg, "ORIGINATOR_CANCEL"))
        line.figures.answered -= 1
        line.figures.abandoned += 1
        with contextlib.suppress(LookupError):
            self.agents().call_ended(extension, agent_call(caller, leg), 0)
        self.bus.fire(
            QueueAbandoned(
                call_uuid=caller.call_uuid,
                queue=caller.queue,
                waited=round(self.board.waited(caller), 3),
                while_ringing=extension,
            )
        )
        self.kick()

    def _missed(self, caller: Caller, extension: str, leg: str, cause: str) -> None:
        queue = self.board.line(caller).config
        fault = cause in NO_ANSWER_CAUSES
        break_after = (queue.missed_calls_before_break or None) if fault else None
        if cause in BUSY_CAUSES:
            self.busy_until[extension] = self.board.clock.now() + self.settings.busy_retry
            self.board.clock.call_later(self.settings.busy_retry + 0.01, self.kick)
        if cause in WITHDRAWN_CAUSES:
            self._withdraw(extension, f"offer withdrawn ({cause})")
        else:
            with contextlib.suppress(LookupError):
                self.agents().missed(extension, agent_call(caller, leg), cause, break_after)
        self.bus.fire(
            QueueMissed(
                call_uuid=caller.call_uuid, queue=caller.queue, agent=extension, cause=cause
            )
        )
        if caller.state is CallerState.OFFERING:
            if cause not in WITHDRAWN_CAUSES:
                caller.missed_by.add(extension)
            if not caller.ringing:
                caller.state = CallerState.WAITING
        self.kick()

    def _withdraw(self, extension: str, reason: str) -> None:
        """The offer ended through no fault of the operator: available again, place kept."""
        with contextlib.suppress(LookupError, ValueError):
            self.agents().release_stuck(extension, reason, by="routing")

    # --- the end of a call -------------------------------------------------------------------

    def cancel_offers(self, caller: Caller) -> None:
        """Kill the operator legs still ringing for a caller who is gone."""
        for leg in list(caller.ringing.values()):
            self.doomed.add(leg)
            self.spawn(self._kill(leg, "ORIGINATOR_CANCEL"))

    def leg_seen(self, leg: str) -> None:
        """An operator leg showed up on the switch: kill it if its caller is already gone.

        (The caller can hang up before the switch has created the leg it is originating.)
        """
        if leg in self.doomed:
            self.spawn(self._kill(leg, "ORIGINATOR_CANCEL"))

    async def _kill(self, leg: str, cause: str) -> None:
        with contextlib.suppress(SwitchError, ValueError):
            await self.switch.hangup(leg, cause)

    def finish(self, caller: Caller) -> None:
        """A connected call ended (either side hung up): free the operator, count the time."""
        if caller.state is not CallerState.CONNECTED:
            return
        if not caller.bridged:
            if caller.callback_id is None:  # hung up before the bridge: an abandon
                self._lost_while_connecting(caller)
            return  # a callback still dialing the customer sorts itself out
        line = self.board.line(caller)
        talked = self.board.clock.now() - (caller.answered_at or self.board.clock.now())
        self.board.leave(caller)
        if self.waiting_room is not None:
            self.waiting_room.callback_offered.discard(caller.call_uuid)
        legs = [leg for leg, served in self.agent_legs.items() if served is caller]
        for leg in legs:
            del self.agent_legs[leg]
        # whoever is left on the line (uuid_bridge does not end the other side everywhere)
        for leg in (caller.call_uuid, *legs):
            channel = self.switch.tracker.channels.get(leg)
            if channel is not None and channel.is_live:
                self.spawn(self._kill(leg, "NORMAL_CLEARING"))
        wrap_up = self._wrap_up(caller)
        line.handle_times.add(talked + wrap_up)
        if caller.agent is not None:
            with contextlib.suppress(LookupError):
                call = agent_call(caller, caller.agent_uuid or "")
                self.agents().call_ended(caller.agent, call, wrap_up)
        self.bus.fire(
            QueueCompleted(
                call_uuid=caller.call_uuid,
                queue=caller.queue,
                agent=caller.agent or "",
                talked=round(talked, 3),
            )
        )
        self.kick()

    def _wrap_up(self, caller: Caller) -> float:
        operator = self.board.model.operator(caller.agent or "")
        if operator is not None and operator.wrap_up is not None:
            return float(operator.wrap_up)
        return float(self.board.line(caller).config.wrap_up)

    def _caller_live(self, caller: Caller) -> bool:
        if caller.callback_id is not None:
            return True
        channel = self.switch.tracker.channels.get(caller.call_uuid)
        return channel is not None and channel.is_live
