"""Where a caller goes when a queue cannot keep them: overflow and closed hours.

A destination (``[queues] overflow``, a number's or hours' ``closed``) is one of: another
queue, an IVR menu, an operator's extension (these become a new ``call.routed``, taken by the
plugin owning the route), a voicemail box, a callback, or a message and hang up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from ccore.config_schema import (
    CallbackAction,
    Destination,
    HangupAction,
    QueueAction,
    SubmenuAction,
    TransferAction,
    VoicemailAction,
)
from ccore.events import CallRouted
from ccore.switch import CallGone, SwitchError

from .board import Caller, QueueBoard
from .events import QueueOverflowed
from .waiting import sound

if TYPE_CHECKING:
    from pathlib import Path

    from ccore.bus import EventBus
    from ccore.switch import Switch

    from .distributor import Distributor
    from .waiting import WaitingRoom

_LOGGER = logging.getLogger(__name__)

RequestCallback = Callable[[Caller, str], Awaitable[None]]


def target_of(destination: Destination) -> str:
    """What a destination names (queue, menu, extension, box), for events and logs."""
    if isinstance(destination, QueueAction | CallbackAction):
        return destination.queue
    if isinstance(destination, SubmenuAction):
        return destination.menu
    if isinstance(destination, TransferAction):
        return destination.extension
    if isinstance(destination, VoicemailAction):
        return destination.box
    return ""


class Overflow:
    """Sends callers to their queue's overflow destination, or any other destination."""

    def __init__(
        self,
        board: QueueBoard,
        switch: Switch,
        bus: EventBus,
        distributor: Distributor,
        waiting_room: WaitingRoom,
        spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]],
        center_dir: Path,
    ) -> None:
        self.board = board
        self.switch = switch
        self.bus = bus
        self.distributor = distributor
        self.waiting_room = waiting_room
        self.spawn = spawn
        self.center_dir = center_dir
        self.request_callback: RequestCallback | None = None

    def send(self, caller: Caller, reason: str) -> None:
        """Take a caller out of the queue to its overflow destination (max_wait, max_length)."""
        destination = self.board.line(caller).config.overflow
        if destination is None or not caller.in_line:
            return
        self.distributor.cancel_offers(caller)
        self.board.leave(caller)
        self.board.line(caller).figures.overflowed += 1
        self.bus.fire(
            QueueOverflowed(
                call_uuid=caller.call_uuid,
                queue=caller.queue,
                reason=reason,
                action=destination.action,
                target=target_of(destination),
            )
        )
        self.spawn(self._carry_out(caller, destination))

    async def _carry_out(self, caller: Caller, destination: Destination) -> None:
        await self.waiting_room.stop(caller)
        if isinstance(destination, CallbackAction) and self.request_callback is not None:
            await self.request_callback(caller, destination.queue)
            return
        await self.go(caller.call_uuid, destination)

    async def go(self, call_uuid: str, destination: Destination) -> None:
        """Send a call to a destination (other than a callback)."""
        try:
            if isinstance(destination, QueueAction):
                options = {"skills": dict(destination.skills), "priority": destination.priority}
                self.bus.fire(
                    CallRouted(
                        call_uuid=call_uuid, route=f"queue:{destination.queue}", options=options
                    )
                )
            elif isinstance(destination, SubmenuAction):
                self.bus.fire(CallRouted(call_uuid=call_uuid, route=f"ivr:{destination.menu}"))
            elif isinstance(destination, TransferAction):
                self.bus.fire(
                    CallRouted(call_uuid=call_uuid, route=f"extension:{destination.extension}")
                )
            elif isinstance(destination, VoicemailAction):
                await self.switch.execute(
                    call_uuid,
                    "voicemail",
                    f"default ${{domain_name}} {destination.box}",
                    wait=False,
                )
            elif isinstance(destination, HangupAction):
                if destination.message:
                    await self.switch.play(call_uuid, sound(destination.message, self.center_dir))
                await self.switch.hangup(call_uuid, "NORMAL_CLEARING")
            elif isinstance(destination, CallbackAction):  # closed hours: no place to keep
                with contextlib.suppress(SwitchError):
                    await self.switch.hangup(call_uuid, "NORMAL_CLEARING")
        except (CallGone, SwitchError, ValueError) as err:
            _LOGGER.info("Sending %s to %s failed: %s", call_uuid, destination.action, err)
