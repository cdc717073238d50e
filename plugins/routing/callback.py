"""Callbacks (virtual queue): the caller hangs up and keeps the place; we call back.

A waiting caller who presses the queue's callback key is turned into a callback: a row in the
plugin's own table ``routing_callbacks`` (so it survives a restart of ccore) and an entry that
stays at the caller's place in the line. When it reaches the front and an operator is free, the
operator's phone rings first; once they answer, the customer is dialed through the trunk and
the two are bridged. A customer not reached is retried after ``retry_delay`` up to ``retries``
times; a callback not reached within ``expiry`` is given up. Every outcome is an event and is
kept in the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid as uuid_module
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from ccore.switch import CallGone, SwitchError

from .board import Caller, CallerState, QueueBoard
from .callback_store import CallbackRow, CallbackStore
from .distributor import cause_of, dial_variable
from .events import QueueCallbackAttempted, QueueCallbackCompleted, QueueCallbackRequested

if TYPE_CHECKING:
    from ccore.bus import EventBus
    from ccore.switch import Switch

    from .distributor import Distributor
    from .waiting import WaitingRoom

_LOGGER = logging.getLogger(__name__)

CUSTOMER_RING_SECONDS = 30
CONFIRM_TONE = "tone_stream://%(150,100,880);%(150,0,1320)"


class CallbackDialer:
    """Turns waiting callers into callbacks and makes the calls when their turn comes."""

    def __init__(
        self,
        board: QueueBoard,
        store: CallbackStore,
        switch: Switch,
        bus: EventBus,
        distributor: Distributor,
        waiting_room: WaitingRoom,
        spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]],
        *,
        gateway: str | None,
        caller_id: str | None,
    ) -> None:
        self.board = board
        self.store = store
        self.switch = switch
        self.bus = bus
        self.distributor = distributor
        self.waiting_room = waiting_room
        self.spawn = spawn
        self.gateway = gateway
        self.caller_id = caller_id
        self.rows: dict[int, CallbackRow] = {}
        distributor.connect_callback = self.connect
        distributor.callback_ready = self.ready

    def dial_url(self, number: str) -> str:
        """Where the customer is dialed: through the trunk gateway (or a local user)."""
        if self.gateway:
            return f"sofia/gateway/{self.gateway}/{number}"
        return f"user/{number}"

    # --- requests ----------------------------------------------------------------------------

    def request(self, caller: Caller, *, queue: str | None = None) -> Caller:
        """Turn a caller in line into a callback at once (they keep the place).

        The callback is stored and announced before anything else happens, so the place is
        never given away meanwhile; ``let_go`` then confirms and hangs the caller up. With
        ``queue`` (an overflow to another queue's callbacks) the callback waits there, still
        ordered by when the caller first entered.
        """
        now = self.board.clock.now()
        if queue is not None:
            self.board.leave(caller)
            caller = self.board.enqueue(
                caller.call_uuid,
                queue,
                skills=caller.skills,
                priority=caller.priority,
                number=caller.number,
                name=caller.name,
                entered_at=caller.entered_at,
                callback_id=-1,
            )
        row = self.store.add(caller, now)
        self.rows[row.id] = row
        caller.callback_id = row.id
        self.board.line(caller).figures.callbacks_requested += 1
        self.bus.fire(
            QueueCallbackRequested(
                call_uuid=caller.call_uuid,
                queue=caller.queue,
                callback_id=row.id,
                number=row.number,
            )
        )
        self._schedule_expiry(caller, row)
        return caller

    async def let_go(self, caller: Caller, *, confirm: bool = True) -> None:
        """Stop the caller's music, play the confirmation and hang the caller up."""
        await self.waiting_room.stop(caller)
        if confirm:
            with contextlib.suppress(CallGone, SwitchError, ValueError, TimeoutError):
                await self.switch.execute(caller.call_uuid, "playback", CONFIRM_TONE, timeout=5)
        with contextlib.suppress(SwitchError, ValueError):  # whatever the tone did: let go
            await self.switch.hangup(caller.call_uuid, "NORMAL_CLEARING")

    def restore(self) -> int:
        """Put the stored callbacks back in line at their places (after a restart)."""
        count = 0
        for row in self.store.pending():
            if row.queue not in self.board.lines:
                continue
            key = f"callback:{row.id}"
            if key in self.board.callers:
                continue
            self.rows[row.id] = row
            caller = self.board.enqueue(
                key,
                row.queue,
                skills=row.skills,
                priority=row.priority,
                number=row.number,
                name=row.name,
                entered_at=row.entered_at,
                callback_id=row.id,
                requeued=True,
            )
            self._schedule_expiry(caller, row)
            count += 1
        self.distributor.kick()
        return count

    # --- their turn --------------------------------------------------------------------------

    def ready(self, caller: Caller) -> bool:
        """Whether a callback may be offered now (not waiting for a retry, not expired)."""
        row = self.rows.get(caller.callback_id or 0)
        if row is None:
            return False
        now = self.board.clock.now()
        if self._expired(row, now):
            self._complete(caller, row, "expired", "")
            return False
        # never dial a customer who is still on the line from the request
        return row.next_attempt_at <= now and not self._live(row.call_uuid)

    async def connect(self, caller: Caller, extension: str, agent_leg: str) -> None:
        """The operator answered for a callback: dial the customer and bridge them."""
        row = self.rows[caller.callback_id or 0]
        row.attempts += 1
        customer = str(uuid_module.uuid4())
        variables = {
            "origination_uuid": customer,
            "originate_timeout": str(CUSTOMER_RING_SECONDS),
            "ccore_queue": caller.queue,
            "ccore_callback_id": str(row.id),
        }
        if self.caller_id:
            variables["origination_caller_id_number"] = dial_variable(self.caller_id)
        try:
            await self.switch.originate(
                self.dial_url(row.number),
                variables=variables,
                timeout=CUSTOMER_RING_SECONDS + 30,
            )
        except SwitchError as err:
            cause = cause_of(err.text)
        else:
            cause = "SUCCESS"
        agent_there = self._live(agent_leg)
        if cause == "SUCCESS" and agent_there:
            try:
                await self.switch.bridge_calls(agent_leg, customer)
            except (SwitchError, CallGone) as err:
                cause = f"BRIDGE_FAILED {err}"
        self.bus.fire(
            QueueCallbackAttempted(
                call_uuid=row.call_uuid,
                queue=caller.queue,
                callback_id=row.id,
                agent=extension,
                attempt=row.attempts,
                cause=cause if agent_there else "AGENT_GONE",
            )
        )
        if cause == "SUCCESS" and agent_there:
            self.distributor.agent_legs[customer] = caller
            caller.bridged = True
            self._complete(caller, row, "answered", extension, leave=False)
            return
        self.distributor.agent_legs.pop(agent_leg, None)  # its hangup must not end the callback
        for leg in (customer, agent_leg):
            with contextlib.suppress(SwitchError, ValueError):
                await self.switch.hangup(leg, "NORMAL_CLEARING")
        self._back_in_line(caller, extension, agent_leg)
        now = self.board.clock.now()
        if row.attempts > self.board.line(caller).config.callback.retries:
            self._complete(caller, row, "failed", extension)
            return
        delay = float(self.board.line(caller).config.callback.retry_delay)
        row.next_attempt_at = now + delay
        self.store.save(row, now)
        caller.timers.append(self.board.clock.call_later(delay + 0.01, self.distributor.kick))
        self.distributor.kick()

    # --- helpers -----------------------------------------------------------------------------

    def _back_in_line(self, caller: Caller, extension: str, agent_leg: str) -> None:
        self.distributor.agent_legs.pop(agent_leg, None)
        self.board.connected.pop(caller.call_uuid, None)
        caller.state = CallerState.WAITING
        caller.agent = caller.agent_uuid = None
        self.board.line(caller).add(caller)
        with contextlib.suppress(LookupError):
            self.distributor.agents().call_ended(extension, agent_leg, 0)

    def _complete(
        self, caller: Caller, row: CallbackRow, outcome: str, agent: str, *, leave: bool = True
    ) -> None:
        now = self.board.clock.now()
        row.state = row.outcome = outcome
        row.agent = agent
        self.store.save(row, now)
        if outcome == "answered":
            self.board.line(caller).figures.called_back += 1
        if leave:
            self.board.leave(caller)
            self.rows.pop(row.id, None)
        self.bus.fire(
            QueueCallbackCompleted(
                call_uuid=row.call_uuid,
                queue=caller.queue,
                callback_id=row.id,
                outcome=outcome,
                agent=agent,
            )
        )

    def _expired(self, row: CallbackRow, now: float) -> bool:
        queue = self.board.lines[row.queue].config
        return now > row.requested_at + queue.callback.expiry

    def _schedule_expiry(self, caller: Caller, row: CallbackRow) -> None:
        queue = self.board.line(caller).config
        left = row.requested_at + queue.callback.expiry - self.board.clock.now()

        def expire() -> None:
            if caller.in_line and caller.state is CallerState.WAITING:
                self.ready(caller)

        caller.timers.append(self.board.clock.call_later(max(0.0, left) + 0.01, expire))

    def _live(self, uuid: str) -> bool:
        channel = self.switch.tracker.channels.get(uuid)
        return channel is not None and channel.is_live
