"""The ivr plugin: IVR menus, with opening hours and holidays, for calls to the center's numbers.

A call to a ``[[numbers]]`` entry with ``ivr = "<menu>"`` is routed ``ivr:<menu>``; on
``call.routed`` the plugin runs the caller through the menus (``ccore_plugins.ivr.menu``), each
step an ``ivr.*`` event (``ccore_plugins.ivr.events``). A queue option hands the caller to the
routing plugin with ``call.routed`` ``queue:<name>``. Callers who were in a menu when ccore
restarted hear that menu again (``ccore_plugins.ivr.recovery``).

``[plugins.ivr]`` (optional)::

    closed_message = "sounds/closed.wav"  # before a closed action; default a busy tone, "" none
    closed_messages = { sales = "sounds/sales-closed.wav" }   # per menu
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from ccore.config import CenterConfig
from ccore.config_errors import ConfigProblem
from ccore.config_types import Slug, Sound
from ccore.events import CallEnded, CallRouted, Event, SwitchResynced
from ccore.hookspecs import hookimpl

from .menu import ClosedMessages, MenuCall
from .numbers import ivr_route, menu_of_route, number_for_call
from .prompts import PromptProblem, check_prompts
from .recovery import callers_to_resume

if TYPE_CHECKING:
    from ccore.core import Center
    from ccore.model import Channel
    from ccore.plugin_context import PluginContext

__all__ = ["Config", "IvrCalls", "PromptProblem", "check_prompts"]

DEPENDS_ON = ("routing",)

STOP_ATTEMPTS = 10
STOP_WAIT = 0.1  # seconds between cancellations of a run that has not ended yet


class Config(BaseModel):
    """``[plugins.ivr]``: what callers hear when a menu or its number is closed."""

    model_config = ConfigDict(extra="forbid")

    closed_message: Sound | Literal[""] = "tone:busy"  # "": none
    closed_messages: dict[Slug, Sound | Literal[""]] = Field(default_factory=dict)


class IvrCalls:
    """The callers in the IVR right now: one ``MenuCall`` task per call."""

    def __init__(self, center: Center, plugin: PluginContext) -> None:
        self.center = center
        self.plugin = plugin
        self.running: dict[str, MenuCall] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.visited: set[str] = set()  # calls that were in the IVR before (until they end)
        self._recovered = False

    def snapshot(self) -> list[dict[str, str]]:
        """The callers in the IVR now: call, menu and step, for the wallboard and the API."""
        return [
            {"call_uuid": uuid, "menu": caller.menu, "step": caller.step}
            for uuid, caller in self.running.items()
        ]

    def on_routed(self, event: Event) -> None:
        """Start the menus for a call routed ``ivr:<menu>``."""
        assert isinstance(event, CallRouted)
        menu = menu_of_route(event.route)
        if menu is not None and event.call_uuid:
            self.start(event.call_uuid, menu)

    def on_resynced(self, event: Event) -> None:
        """After the first resync, take callers who were in a menu before a restart through it."""
        if self._recovered or self.center.db is None:
            return
        self._recovered = True
        channels = list(self.center.calls.channels.values())
        for call_uuid, menu in callers_to_resume(self.center.db, channels).items():
            self.plugin.logger.info("Call %s was in menu %s before a restart", call_uuid, menu)
            self.start(call_uuid, menu, resumed=True)

    def start(self, call_uuid: str, menu: str, *, resumed: bool = False) -> None:
        """Run a caller through the menus from ``menu`` (unless they are in the IVR already)."""
        if call_uuid in self.running:
            self.plugin.logger.warning(
                "Call %s is already in the IVR (menu %s); not starting menu %s again",
                call_uuid, self.running[call_uuid].menu, menu,
            )
            return
        channel = self.center.calls.channels.get(call_uuid)
        number = number_for_call(self.center.config.model, channel) if channel else None
        config: Config = self.plugin.config or Config()
        caller = MenuCall(
            self.center,
            call_uuid,
            menu,
            number=number,
            number_hours=call_uuid not in self.visited and not resumed,
            resumed=resumed,
            closed_messages=ClosedMessages(config.closed_message, dict(config.closed_messages)),
        )
        self.running[call_uuid] = caller
        self.visited.add(call_uuid)
        task = self.plugin.create_task(caller.run(), name=f"ivr-{call_uuid}")
        self._tasks[call_uuid] = task
        task.add_done_callback(lambda _: self._finished(caller))

    def on_ended(self, event: Event) -> None:
        """Forget a call that is gone from the switch."""
        self.visited.discard(event.call_uuid or "")

    async def stop(self) -> None:
        """End every running caller's menu (the plugin unloads), however long it takes to land.

        A cancellation can be lost on Python 3.11 (``asyncio.wait_for`` in a command that
        completes at the same moment swallows it), leaving a run waiting for a prompt to end;
        so the runs are told to stop, cancelled, and cancelled again until they are done.
        """
        for caller in self.running.values():
            caller.stopped = True
        tasks = list(self._tasks.values())
        for _ in range(STOP_ATTEMPTS):
            pending = [task for task in tasks if not task.done()]
            if not pending:
                return
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=STOP_WAIT)
        self.plugin.logger.warning("%d IVR calls did not stop", sum(not t.done() for t in tasks))

    def _finished(self, caller: MenuCall) -> None:
        if self.running.get(caller.call_uuid) is caller:
            del self.running[caller.call_uuid]
            self._tasks.pop(caller.call_uuid, None)


@hookimpl
def ccore_setup(center: Center, plugin: PluginContext) -> None:
    """Listen for calls routed to a menu; offer the live IVR callers as service ``"ivr"``."""
    calls = IvrCalls(center, plugin)
    plugin.listen(CallRouted.name, calls.on_routed)
    plugin.listen(CallEnded.name, calls.on_ended)
    plugin.listen(SwitchResynced.name, calls.on_resynced)
    center.provide("ivr", calls)
    plugin.on_unload(lambda: center.services.pop("ivr", None))
    plugin.on_unload(calls.stop)


@hookimpl
def ccore_route_call(center: Center, channel: Channel) -> str | None:
    """``ivr:<menu>`` for a call to a number that goes to an IVR menu."""
    return ivr_route(center.config.model, channel)


@hookimpl
def ccore_check_config(config: CenterConfig) -> list[ConfigProblem]:
    """Every prompt center.toml names that cannot be played (missing file, space in path)."""
    return check_prompts(config)
