"""The routing plugin at work: bus events in, queue actions out.

``Routing`` wires the board, the distributor, the waiting room, overflow and callbacks
together and reacts to the bus: a ``call.routed`` to ``queue:<name>`` puts the caller in line,
``call.hungup`` removes callers (or ends calls in progress), ``call.dtmf`` takes callback
requests, ``agent.state_changed``/``agent.registered`` let the distributor offer at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ccore.config_schema import CallbackAction, Destination, Queue
from ccore.switch import CallGone, SwitchError

from .board import Caller, CallerState, QueueBoard
from .callback import CallbackDialer
from .callback_store import CallbackStore
from .clock import QueueClock
from .distributor import Distributor, Settings
from .events import QueueAbandoned, QueueEntered
from .overflow import Overflow
from .recovery import replay_figures, unfinished_callers
from .strategies import tier_of
from .waiting import WaitingRoom

if TYPE_CHECKING:
    from ccore.core import Center
    from ccore.events import (
        AgentRegistered,
        CallDtmf,
        CallHungup,
        CallRouted,
        Event,
        SwitchResynced,
    )
    from ccore.model import Channel
    from ccore.plugin_context import PluginContext

_LOGGER = logging.getLogger(__name__)

VIP_PRIORITY = 5  # what a caller marked ``vip`` by a lookup plugin gets
STAFFED_STATES = frozenset({"available", "ringing", "on_call", "wrap_up"})


class Routing:
    """Queues, distribution and callbacks for one running center."""

    def __init__(
        self,
        center: Center,
        plugin: PluginContext,
        *,
        busy_retry: float = 10.0,
        service_level_seconds: float = 20.0,
    ) -> None:
        self.center = center
        self.plugin = plugin
        model = center.config.model
        self.clock = QueueClock(center.clock)
        self.board = QueueBoard(model, self.clock, service_level_seconds=service_level_seconds)
        self.board.on_enter = self._entered
        self.board.staffed = self.staffed
        spawn = plugin.create_task
        self.distributor = Distributor(
            self.board,
            self._agents,
            center.switch,
            center.bus,
            spawn,
            Settings(busy_retry=busy_retry),
        )
        self.waiting = WaitingRoom(
            self.board,
            center.switch,
            center.bus,
            spawn,
            center.config.directory,
            kick=self.distributor.kick,
            overflow=self._overflow,
        )
        self.distributor.waiting_room = self.waiting
        self.overflow = Overflow(
            self.board,
            center.switch,
            center.bus,
            self.distributor,
            self.waiting,
            spawn,
            center.config.directory,
        )
        assert center.db is not None
        self.callbacks = CallbackDialer(
            self.board,
            CallbackStore(center.db.db),
            center.switch,
            center.bus,
            self.distributor,
            self.waiting,
            spawn,
            gateway=self._gateway(),
            caller_id=self._outbound_caller_id(),
        )
        self.overflow.request_callback = self._callback_into
        self._recovered = False
        replay_figures(self.board, center.db, self._start_of_day())

    # --- wiring ------------------------------------------------------------------------------

    def listen(self) -> None:
        """Subscribe to the bus events routing reacts to."""
        listen: Callable[[str, Callable[[Any], Any]], Any] = self.plugin.listen
        listen("call.routed", self._on_routed)
        listen("call.hungup", self._on_hungup)
        listen("call.dtmf", self._on_dtmf)
        listen("agent.state_changed", self._on_agent_changed)
        listen("agent.registered", self._on_registered)
        listen("switch.resynced", self._on_resynced)
        listen("call.ringing", self._on_ringing)
        listen("config.reloaded", self._on_config_reloaded)

    def _on_config_reloaded(self, event: Any) -> None:
        added, removed = self.board.sync_queues(self.center.config.model)
        if added or removed:
            _LOGGER.info("Queues added %s, removed %s", added, removed)

    def _agents(self) -> Any:
        from ccore_plugins.agents.board import AgentBoard

        return self.center.service("agents", AgentBoard)

    # --- callers come in ---------------------------------------------------------------------

    def _on_routed(self, event: CallRouted) -> None:
        kind, _, target = event.route.partition(":")
        call_uuid = event.call_uuid or ""
        if kind == "queue":
            self.enter(call_uuid, target, event.options)
        elif kind == "extension":
            self.plugin.create_task(self._ring_extension(call_uuid, target))

    def enter(self, call_uuid: str, queue_name: str, options: dict[str, Any] | None = None) -> None:
        """Put a routed call in a queue (closed hours send it to the closed action instead).

        ``options``: ``skills`` and ``priority`` (an IVR option), or ``callback`` true (the
        caller chose to be called back from this queue: a callback takes a place now).
        """
        options = options or {}
        line = self.board.lines.get(queue_name)
        channel = self.center.calls.channels.get(call_uuid)
        if channel is None or not channel.is_live:
            return
        if line is None:
            _LOGGER.warning("Call %s routed to unknown queue %s", call_uuid, queue_name)
            self.plugin.create_task(self.center.release_call(call_uuid))
            return
        queue = line.config
        if options.get("callback"):
            callback = CallbackAction(action="callback", queue=queue_name)
            self.plugin.create_task(self._send_to(call_uuid, callback))
            return
        closed = self._closed_destination(queue, channel)
        if closed is not None:
            self.plugin.create_task(self._send_to(call_uuid, closed))
            return
        priority = max(
            int(options.get("priority") or 0),
            queue.priority_for(channel.caller_number),
            self._looked_up_priority(channel.caller_number),
        )
        with contextlib.suppress(ValueError):
            self.board.enqueue(
                call_uuid,
                queue_name,
                skills=options.get("skills") or {},
                priority=priority,
                number=channel.caller_number,
                name=channel.caller_name,
            )

    def _looked_up_priority(self, number: str) -> int:
        """Priority a caller-lookup plugin gives (``priority``, or ``vip`` = VIP_PRIORITY)."""
        if not number:
            return 0
        try:
            found = self.center.plugins.pm.hook.ccore_lookup_caller(
                center=self.center, number=number
            )
        except Exception:
            _LOGGER.exception("Looking up caller %s failed", number)
            return 0
        if not found:
            return 0
        try:
            return int(found.get("priority") or (VIP_PRIORITY if found.get("vip") else 0))
        except (TypeError, ValueError):
            return 0

    def _entered(self, caller: Caller, *, requeued: bool = False) -> None:
        line = self.board.line(caller)
        self.center.bus.fire(
            QueueEntered(
                call_uuid=caller.call_uuid,
                queue=caller.queue,
                caller_number=caller.number,
                priority=caller.priority,
                skills=dict(caller.skills),
                position=line.position(caller),
                entered_at=caller.entered_at,
                requeued=requeued or caller.entered_at < self.clock.now() - 1.0,
                callback_id=caller.callback_id,
            )
        )
        max_length = line.config.max_length
        if caller.callback_id is None and max_length is not None and len(line.callers) > max_length:
            self.overflow.send(caller, "max_length")
            return
        self.distributor.dispatch()  # at once: the caller rings a free operator this turn
        self.waiting.start(caller)

    def _overflow(self, caller: Caller, reason: str) -> None:
        self.overflow.send(caller, reason)

    async def _callback_into(self, caller: Caller, queue: str) -> None:
        await self.callbacks.let_go(self.callbacks.request(caller, queue=queue))

    # --- callers leave -----------------------------------------------------------------------

    def _on_hungup(self, event: CallHungup) -> None:
        uuid = event.call_uuid or ""
        caller = self.board.callers.get(uuid)
        if caller is not None and caller.callback_id is not None:
            self.distributor.kick()  # the callback may be dialed now that the caller is gone
            return
        if caller is not None:
            if caller.in_line:
                self._abandoned(caller)
            elif caller.state is CallerState.CONNECTED:
                self.distributor.finish(caller)
            return
        served = self.distributor.agent_legs.get(uuid)
        if served is not None:
            self.distributor.finish(served)

    def _on_ringing(self, event: Event) -> None:
        self.distributor.leg_seen(event.call_uuid or "")

    def _abandoned(self, caller: Caller) -> None:
        ringing = ",".join(caller.ringing)
        self.distributor.cancel_offers(caller)
        waited = self.board.waited(caller)
        self.board.leave(caller)
        line = self.board.line(caller)
        line.figures.abandoned += 1
        if waited > self.board.service_level_seconds:
            line.figures.abandoned_late += 1
        if caller.hold_task is not None:
            caller.hold_task.cancel()
        self.waiting.callback_offered.discard(caller.call_uuid)
        self.center.bus.fire(
            QueueAbandoned(
                call_uuid=caller.call_uuid,
                queue=caller.queue,
                waited=round(waited, 3),
                while_ringing=ringing,
            )
        )

    def _on_dtmf(self, event: CallDtmf) -> None:
        caller = self.board.callers.get(event.call_uuid or "")
        if caller is None or not caller.in_line or caller.callback_id is not None:
            return
        callback = self.board.line(caller).config.callback
        if not any(ch.isdigit() for ch in caller.number):
            return  # an anonymous caller cannot be called back
        if callback.enabled and event.digit == callback.key and caller.state is CallerState.WAITING:
            self.plugin.create_task(self.callbacks.let_go(self.callbacks.request(caller)))

    # --- operators ---------------------------------------------------------------------------

    def _on_agent_changed(self, event: Event) -> None:
        if getattr(event, "new", "") == "available":
            self.distributor.kick()

    def _on_registered(self, event: AgentRegistered) -> None:
        self.distributor.kick()

    def staffed(self, queue_name: str) -> int:
        """Operators logged in (not on break) who can take calls of this queue."""
        line = self.board.lines.get(queue_name)
        try:
            agents = self._agents()
        except (LookupError, ImportError):
            return 0
        if line is None:
            return 0
        return sum(
            1
            for agent in agents.agents.values()
            if str(agent.state) in STAFFED_STATES
            and agent.registered
            and tier_of(line.config, agent.extension) is not None
        )

    # --- restart -----------------------------------------------------------------------------

    def _on_resynced(self, event: SwitchResynced) -> None:
        if not self._recovered:
            self._recovered = True
            self.recover()
        self.distributor.kick()

    def recover(self) -> int:
        """Re-queue callers still on the line from before a restart, and stored callbacks."""
        assert self.center.db is not None
        count = 0
        for unfinished in unfinished_callers(self.center.db, self.clock.now()):
            channel = self.center.calls.channels.get(unfinished.call_uuid)
            if channel is None or not channel.is_live or unfinished.queue not in self.board.lines:
                continue
            if unfinished.call_uuid in self.board.callers:
                continue
            self.board.enqueue(
                unfinished.call_uuid,
                unfinished.queue,
                skills=unfinished.skills,
                priority=unfinished.priority,
                number=unfinished.caller_number,
                name=channel.caller_name,
                entered_at=unfinished.entered_at,
                requeued=True,
            )
            count += 1
        count += self.callbacks.restore()
        return count

    def _start_of_day(self) -> float:
        """Local midnight in the center's time zone (the wallboard's 'today')."""
        zone = ZoneInfo(self.center.config.model.center.timezone)
        now = dt.datetime.now(zone)
        return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()

    # --- hours and extensions ----------------------------------------------------------------

    def _closed_destination(self, queue: Queue, channel: Channel) -> Destination | None:
        """Where a caller goes when the dialed number's or the queue's hours are closed."""
        model = self.center.config.model
        moment = dt.datetime.fromtimestamp(self.clock.now(), dt.UTC)
        dialed = channel.variables.get("ccore_number") or channel.destination
        number = next(
            (n for n in model.numbers if n.number == dialed and n.queue == queue.name), None
        )
        for name, own_closed in (
            (number.hours if number else None, number.closed if number else None),
            (queue.hours, queue.closed),
        ):
            hours = model.hours.get(name) if name else None
            if hours is not None and not hours.is_open(moment, model.center.timezone):
                return own_closed or hours.closed
        return None

    async def _send_to(self, call_uuid: str, destination: Destination) -> None:
        """Send a call that does not wait in line to a destination (closed, callback asked)."""
        if isinstance(destination, CallbackAction):
            with contextlib.suppress(ValueError, KeyError):
                caller = self.board.enqueue(
                    call_uuid,
                    destination.queue,
                    number=self._number(call_uuid),
                    name="",
                    callback_id=-1,
                )
                await self.callbacks.let_go(self.callbacks.request(caller))
            return
        await self.overflow.go(call_uuid, destination)

    def _number(self, call_uuid: str) -> str:
        channel = self.center.calls.channels.get(call_uuid)
        return channel.caller_number if channel is not None else ""

    async def _ring_extension(self, call_uuid: str, extension: str) -> None:
        try:
            await self.center.switch.bridge(call_uuid, f"user/{extension}")
        except (CallGone, SwitchError, ValueError) as err:
            _LOGGER.info("Ringing extension %s for %s failed: %s", extension, call_uuid, err)
            return
        channel = self.center.calls.channels.get(call_uuid)
        if channel is not None and channel.is_live and channel.bridged_to is None:
            await self.center.release_call(call_uuid)

    # --- trunk -------------------------------------------------------------------------------

    def _gateway(self) -> str | None:
        model = self.center.config.model
        if model.dialing.trunk:
            return model.dialing.trunk
        return model.trunks[0].name if model.trunks else None

    def _outbound_caller_id(self) -> str | None:
        model = self.center.config.model
        if model.dialing.caller_id_number:
            return model.dialing.caller_id_number
        for trunk in model.trunks:
            if trunk.name == self._gateway() and trunk.caller_id_number:
                return trunk.caller_id_number
        return None
