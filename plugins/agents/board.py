"""The agents board: every operator's state, registration and counters, in memory.

The board is the one writer of operator state. Routing offers calls through it (``offer`` is
atomic: an operator is never offered two calls at once), feature codes and the admin change
states through ``set_state``, and every change fires ``agent.state_changed``, which the core's
journal appends to the events table (the board is rebuilt from it after a restart).

Registration of the softphone is tracked apart from the state: a logged-in operator whose phone
is not registered is not offerable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from ccore.clock import CenterClock
from ccore.config_schema import Operator
from ccore.events import Event

from .events import AgentStateChanged

_LOGGER = logging.getLogger(__name__)

USER_NOT_REGISTERED = "USER_NOT_REGISTERED"
MISSED_CALLS = "missed calls"
DEFAULT_BREAK_REASON = "Break"


class AgentState(StrEnum):
    """Where an operator is in their day."""

    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    ON_BREAK = "on_break"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


ON_A_CALL = frozenset({AgentState.RINGING, AgentState.ON_CALL})
LOGGED_IN = frozenset({AgentState.AVAILABLE, AgentState.ON_BREAK, AgentState.WRAP_UP})

# What set_state (admin, API, feature codes) may do: target -> states it may come from.
# Ringing, on a call and wrap-up are entered only through offer / answered / call_ended, and
# an operator on a call is changed only by the call (or, when stuck, by the reconciler).
ALLOWED_FROM: dict[AgentState, frozenset[AgentState]] = {
    AgentState.AVAILABLE: frozenset({AgentState.LOGGED_OUT, *LOGGED_IN}),
    AgentState.ON_BREAK: LOGGED_IN,
    AgentState.LOGGED_OUT: frozenset({AgentState.LOGGED_OUT, *LOGGED_IN}),
}


@dataclass
class Agent:
    """One operator: who they are, their state and the counters routing reads."""

    extension: str
    name: str
    skills: dict[str, int]
    state: AgentState = AgentState.LOGGED_OUT
    state_since: float = 0.0
    reason: str = ""
    registered: bool = False
    call_uuid: str | None = None
    calls_today: int = 0
    missed_in_row: int = 0
    idle_since: float = 0.0  # when they last became available (longest-idle)
    last_offered_at: float = 0.0  # for round robin
    wrap_up: int | None = None  # the operator's own wrap-up seconds (overrides the queue's)
    wrap_up_until: float | None = None  # while in wrap-up: when it ends
    counted_day: date | None = field(default=None, repr=False)  # the day calls_today counts

    @property
    def offerable(self) -> bool:
        """Available and with a registered phone: may be offered a call now."""
        return self.state is AgentState.AVAILABLE and self.registered


class AgentBoard:
    """Every operator's state; each change fires ``agent.state_changed``."""

    def __init__(
        self,
        operators: Iterable[Operator],
        fire: Callable[[Event], None],
        *,
        clock: CenterClock | None = None,
        timezone: str = "UTC",
    ) -> None:
        self.clock = clock or CenterClock()
        self._fire = fire
        self._zone = ZoneInfo(timezone)
        self._wrap_up_timers: dict[str, asyncio.TimerHandle] = {}
        self.on_registration_doubt: Callable[[str], None] | None = None
        now = self.clock.now()
        self.agents: dict[str, Agent] = {
            op.extension: Agent(
                extension=op.extension,
                name=op.name,
                skills=dict(op.skills),
                state_since=now,
                wrap_up=op.wrap_up,
            )
            for op in operators
        }

    def sync_operators(self, operators: Iterable[Operator]) -> tuple[list[str], list[str]]:
        """Bring the board in line with center.toml after a reload; returns (added, removed).

        A new operator starts logged out; an existing one keeps their state and gets the new
        name, skills and wrap-up. A removed operator goes at once unless a call is ringing or
        in progress on their phone: then they are logged out and go when the reconciler or
        the next reload finds them free.
        """
        wanted = {op.extension: op for op in operators}
        added = []
        now = self.clock.now()
        for extension, op in wanted.items():
            agent = self.agents.get(extension)
            if agent is None:
                self.agents[extension] = Agent(
                    extension=extension,
                    name=op.name,
                    skills=dict(op.skills),
                    state_since=now,
                    wrap_up=op.wrap_up,
                )
                added.append(extension)
            else:
                agent.name, agent.skills, agent.wrap_up = op.name, dict(op.skills), op.wrap_up
        removed = []
        for extension in [ext for ext in self.agents if ext not in wanted]:
            agent = self.agents[extension]
            if agent.state in ON_A_CALL:
                _LOGGER.info("Operator %s was removed; kept until their call ends", extension)
                continue
            if agent.state is not AgentState.LOGGED_OUT:
                self._change(agent, AgentState.LOGGED_OUT, "removed from center.toml", "admin")
            timer = self._wrap_up_timers.pop(extension, None)
            if timer is not None:
                timer.cancel()
            del self.agents[extension]
            removed.append(extension)
        return added, removed

    # --- reading -----------------------------------------------------------------------------

    def agent(self, extension: str) -> Agent:
        """The operator on ``extension``; ValueError naming it when there is none."""
        found = self.agents.get(extension)
        if found is None:
            raise ValueError(f"no operator on extension {extension!r}")
        return found

    def offerable(self) -> list[Agent]:
        """Operators who may be offered a call now (available, phone registered)."""
        return [agent for agent in self.agents.values() if agent.offerable]

    def today(self) -> date:
        """Today's date in the center's time zone (calls_today counts this day)."""
        return datetime.fromtimestamp(self.clock.now(), self._zone).date()

    def roll_over_day(self) -> None:
        """At a new day (center's time zone), start every operator's calls_today at 0."""
        today = self.today()
        for agent in self.agents.values():
            if agent.counted_day != today:
                agent.counted_day, agent.calls_today = today, 0

    # --- what routing does -------------------------------------------------------------------

    def offer(self, extension: str, call_uuid: str) -> bool:
        """Reserve an available, registered operator for a call (-> ringing); False if not."""
        agent = self.agent(extension)
        if not agent.offerable:
            return False
        agent.last_offered_at = self.clock.now()
        self._change(agent, AgentState.RINGING, "offered", "routing", call_uuid=call_uuid)
        return True

    def answered(self, extension: str, call_uuid: str) -> None:
        """The operator took the call they were ringing for (-> on a call)."""
        agent = self.agent(extension)
        if not self._is_on(agent, AgentState.RINGING, call_uuid, "answered"):
            return
        self.roll_over_day()
        agent.calls_today += 1
        agent.missed_in_row = 0
        self._change(agent, AgentState.ON_CALL, "answered", "routing", call_uuid=call_uuid)

    def missed(
        self, extension: str, call_uuid: str, cause: str, break_after: int | None
    ) -> None:
        """The operator's phone rang and they did not take the call (-> available or break).

        ``idle_since`` is kept (they keep their place for longest-idle); after ``break_after``
        misses in a row they go on break (reason ``missed calls``). A phone that is not
        registered is marked so, and is not offered again until it registers.
        """
        agent = self.agent(extension)
        if not self._is_on(agent, AgentState.RINGING, call_uuid, "missed"):
            return
        agent.missed_in_row += 1
        if cause == USER_NOT_REGISTERED:
            self.set_registered(extension, False)
            if self.on_registration_doubt is not None:
                self.on_registration_doubt(extension)
        if break_after and agent.missed_in_row >= break_after:
            _LOGGER.info(
                "Operator %s missed %d calls in a row: on break", extension, agent.missed_in_row
            )
            self._change(agent, AgentState.ON_BREAK, MISSED_CALLS, "routing", call_uuid=call_uuid)
            return
        self._change(
            agent, AgentState.AVAILABLE, f"missed ({cause or 'no answer'})", "routing",
            call_uuid=call_uuid, keep_idle_since=True,
        )

    def call_ended(self, extension: str, call_uuid: str, wrap_up_seconds: float) -> None:
        """The operator's call ended: wrap-up for the operator's own time, else the queue's.

        Zero seconds of wrap-up makes them available at once.
        """
        agent = self.agent(extension)
        if not self._is_on(agent, AgentState.ON_CALL, call_uuid, "call_ended"):
            return
        self._finish_call(agent, wrap_up_seconds, "call ended", "routing")

    # --- admin, API and feature codes --------------------------------------------------------

    def set_state(
        self, extension: str, state: AgentState, reason: str = "", by: str = "admin"
    ) -> None:
        """Log in/out, break, back: ValueError naming the problem if the change is not allowed.

        Setting the state an operator already has (with the same reason) changes nothing.
        """
        agent = self.agent(extension)
        state = AgentState(state)
        allowed = ALLOWED_FROM.get(state)
        if allowed is None:
            raise ValueError(
                f"operator {extension} cannot be set to {state}: only a call puts an operator"
                " there"
            )
        if agent.state not in allowed:
            raise ValueError(
                f"operator {extension} is {agent.state}: cannot change to {state}"
                + (" while a call is in progress" if agent.state in ON_A_CALL else "")
                + (" before logging in" if agent.state is AgentState.LOGGED_OUT else "")
            )
        if state is AgentState.ON_BREAK:
            reason = reason or DEFAULT_BREAK_REASON
        elif not reason:
            reason = _default_reason(agent.state, state)
        if agent.state is state and (state is not AgentState.ON_BREAK or agent.reason == reason):
            return
        if state is AgentState.AVAILABLE:
            agent.missed_in_row = 0  # back from a break (or logged in): a fresh start
        self._change(agent, state, reason, by)

    def end_wrap_up(self, extension: str, by: str = "phone") -> bool:
        """End the operator's wrap-up now (-> available); False if they are not in wrap-up."""
        agent = self.agent(extension)
        if agent.state is not AgentState.WRAP_UP:
            return False
        self._change(agent, AgentState.AVAILABLE, "wrap-up done", by, call_uuid=agent.call_uuid)
        return True

    def set_registered(self, extension: str, registered: bool) -> bool:
        """Record whether the operator's softphone is registered; True if that changed."""
        agent = self.agents.get(extension)
        if agent is None or agent.registered == registered:
            return False
        agent.registered = registered
        _LOGGER.info(
            "Operator %s phone %s", extension, "registered" if registered else "not registered"
        )
        return True

    # --- the reconciler and recovery ---------------------------------------------------------

    def release_stuck(
        self,
        extension: str,
        reason: str,
        by: str = "reconciler",
        wrap_up_seconds: float = 0,
        *,
        call_uuid: str | None = None,
    ) -> AgentState:
        """Free an operator stuck ringing or on a call the switch no longer has.

        Ringing becomes available (keeping their place, no miss counted); on a call goes
        through wrap-up (the operator's own time, else ``wrap_up_seconds``). With
        ``call_uuid``, only when the operator is on that call. Returns their state now.
        """
        agent = self.agent(extension)
        if call_uuid is not None and agent.call_uuid != call_uuid:
            return agent.state
        if agent.state is AgentState.RINGING:
            self._change(
                agent, AgentState.AVAILABLE, reason, by,
                call_uuid=agent.call_uuid, keep_idle_since=True,
            )
        elif agent.state is AgentState.ON_CALL:
            self._finish_call(agent, wrap_up_seconds, reason, by)
        return agent.state

    def restore(
        self,
        extension: str,
        state: AgentState,
        *,
        since: float,
        reason: str = "",
        call_uuid: str | None = None,
        until: float | None = None,
        calls_today: int = 0,
    ) -> None:
        """Put back an operator's state as it was before a restart (no event: nothing changed).

        A wrap-up gets its timer back (ending at once if its time is over).
        """
        agent = self.agent(extension)
        agent.state, agent.state_since, agent.reason = state, since, reason
        agent.call_uuid = call_uuid if state is not AgentState.LOGGED_OUT else None
        agent.calls_today, agent.counted_day = calls_today, self.today()
        if state is AgentState.AVAILABLE:
            agent.idle_since = since
        if state is AgentState.WRAP_UP:
            until = until if until is not None else since
            agent.wrap_up_until = until
            self._arm_wrap_up(agent, until - self.clock.now())

    def close(self) -> None:
        """Cancel the wrap-up timers (the plugin is unloading)."""
        for handle in self._wrap_up_timers.values():
            handle.cancel()
        self._wrap_up_timers.clear()

    # --- internals ---------------------------------------------------------------------------

    def _is_on(self, agent: Agent, state: AgentState, call_uuid: str, what: str) -> bool:
        if agent.state is state and agent.call_uuid == call_uuid:
            return True
        _LOGGER.warning(
            "%s for operator %s and call %s ignored: the operator is %s (call %s)",
            what, agent.extension, call_uuid, agent.state, agent.call_uuid,
        )
        return False

    def _finish_call(self, agent: Agent, wrap_up_seconds: float, reason: str, by: str) -> None:
        seconds = float(agent.wrap_up if agent.wrap_up is not None else wrap_up_seconds)
        if seconds <= 0:
            self._change(agent, AgentState.AVAILABLE, reason, by, call_uuid=agent.call_uuid)
            return
        now = self.clock.now()
        agent.wrap_up_until = now + seconds
        self._change(agent, AgentState.WRAP_UP, reason, by, call_uuid=agent.call_uuid, at=now)
        self._arm_wrap_up(agent, seconds)

    def _arm_wrap_up(self, agent: Agent, seconds: float) -> None:
        until = agent.wrap_up_until
        extension = agent.extension

        def over() -> None:
            self._wrap_up_timers.pop(extension, None)
            current = self.agents[extension]
            if current.state is AgentState.WRAP_UP and current.wrap_up_until == until:
                self._change(
                    current, AgentState.AVAILABLE, "wrap-up over", "wrap_up_timer",
                    call_uuid=current.call_uuid,
                )

        self._cancel_wrap_up(extension)
        self._wrap_up_timers[extension] = self.clock.call_later(max(seconds, 0.0), over)

    def _cancel_wrap_up(self, extension: str) -> None:
        handle = self._wrap_up_timers.pop(extension, None)
        if handle is not None:
            handle.cancel()

    def _change(
        self,
        agent: Agent,
        state: AgentState,
        reason: str,
        by: str,
        *,
        call_uuid: str | None = None,
        keep_idle_since: bool = False,
        at: float | None = None,
    ) -> None:
        now = self.clock.now() if at is None else at
        old = agent.state
        if old is AgentState.WRAP_UP and state is not AgentState.WRAP_UP:
            self._cancel_wrap_up(agent.extension)
        if state is not AgentState.WRAP_UP:
            agent.wrap_up_until = None
        agent.state, agent.state_since, agent.reason = state, now, reason
        agent.call_uuid = call_uuid if state in (*ON_A_CALL, AgentState.WRAP_UP) else None
        if state is AgentState.AVAILABLE and not keep_idle_since:
            agent.idle_since = now
        _LOGGER.debug("Operator %s: %s -> %s (%s, by %s)", agent.extension, old, state, reason, by)
        self._fire(
            AgentStateChanged(
                at=now, call_uuid=call_uuid, agent=agent.extension, old=str(old),
                new=str(state), reason=reason, by=by, until=agent.wrap_up_until,
            )
        )


def _default_reason(old: AgentState, new: AgentState) -> str:
    if new is AgentState.LOGGED_OUT:
        return "logout"
    if old is AgentState.LOGGED_OUT:
        return "login"
    if old is AgentState.WRAP_UP:
        return "wrap-up done"
    return "back"
