"""Built-in plugin ``agents``: operator states, feature codes, the reconciler.

It provides the ``AgentBoard`` as the service ``"agents"`` (routing offers calls through it),
routes feature codes dialed from operators' phones (``feature:<action>[:<reason>]``), tracks
softphone registrations, rebuilds states after a restart from the events table, and runs the
reconciler on every reconnect and every ``reconcile_every`` seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from ccore.events import (
    AgentRegistered,
    AgentUnregistered,
    CallEnded,
    CallRouted,
    ConfigReloaded,
    SwitchResynced,
)
from ccore.hookspecs import hookimpl

from .board import ON_A_CALL, Agent, AgentBoard, AgentState
from .events import AgentRepaired, AgentStateChanged
from .feature_codes import AUTH_USER_VARIABLE, feature_for, handle_feature_call, parse_route
from .reconciler import Reconciler
from .recovery import rebuild

if TYPE_CHECKING:
    from ccore.core import Center
    from ccore.model import Channel
    from ccore.plugin_context import PluginContext

__all__ = [
    "Agent",
    "AgentBoard",
    "AgentRepaired",
    "AgentState",
    "AgentStateChanged",
    "Config",
    "Reconciler",
]

SERVICE = "agents"
RECONCILER_SERVICE = "agents.reconciler"


class Config(BaseModel):
    """``[plugins.agents]``: how often the reconciler runs."""

    model_config = ConfigDict(extra="forbid")

    reconcile_every: float = Field(default=60.0, gt=0)  # seconds between reconciler runs
    reconcile_grace: float = Field(default=2.0, ge=0)  # a state younger than this is not judged


@hookimpl
async def ccore_setup(center: Center, plugin: PluginContext) -> bool:
    """Build the board (rebuilt from storage), provide it, and listen to the switch."""
    config: Config = plugin.config or Config()
    model = center.config.model
    board = AgentBoard(
        model.operators, center.bus.fire, clock=center.clock, timezone=model.center.timezone
    )
    restored = rebuild(board, center.db, model.center.timezone) if center.db else {}
    for user in center.calls.registrations:
        board.set_registered(user, True)
    reconciler = Reconciler(center, board, grace=config.reconcile_grace)
    reconciler.restored.update(ext for ext, state in restored.items() if state in ON_A_CALL)
    board.on_registration_doubt = lambda extension: plugin.create_task(
        reconciler.run(f"{extension} not registered on the switch"), "registration-doubt"
    )
    center.provide(SERVICE, board)
    center.provide(RECONCILER_SERVICE, reconciler)
    plugin.on_unload(lambda: _withdraw(center))
    plugin.on_unload(board.close)

    def on_registered(event: AgentRegistered) -> None:
        if event.user in board.agents:
            reconciler.registration_seen(event.user)
            board.set_registered(event.user, True)

    def on_unregistered(event: AgentUnregistered) -> None:
        board.set_registered(event.user, False)

    async def on_routed(event: CallRouted) -> None:
        request = parse_route(event.route)
        if request is not None and event.call_uuid:
            await handle_feature_call(center, board, event.call_uuid, request)

    async def on_resynced(event: SwitchResynced) -> None:
        await reconciler.run("switch resynced")

    def on_call_ended(event: CallEnded) -> None:
        # Routing ends the operator's call; if it has not a moment later, the reconciler does.
        for agent in board.agents.values():
            if agent.state in ON_A_CALL and agent.call_uuid == event.call_uuid:
                plugin.create_task(_check_later(reconciler, agent.extension, config), "call-end")

    def on_config_reloaded(event: ConfigReloaded) -> None:
        added, removed = board.sync_operators(center.config.model.operators)
        for extension in added:  # a phone may have registered before it was an operator
            board.set_registered(extension, extension in center.calls.registrations)
        if added or removed:
            plugin.logger.info("Operators added %s, removed %s", added, removed)

    plugin.listen(ConfigReloaded.name, on_config_reloaded)
    plugin.listen(AgentRegistered.name, on_registered)
    plugin.listen(AgentUnregistered.name, on_unregistered)
    plugin.listen(CallRouted.name, on_routed)
    plugin.listen(SwitchResynced.name, on_resynced)
    plugin.listen(CallEnded.name, on_call_ended)
    plugin.create_task(reconciler.every(config.reconcile_every), "reconciler")
    return True


@hookimpl
def ccore_channel_variables() -> list[str]:
    """Keep the SIP user a phone authenticated as: feature codes trust it over caller ID."""
    return [AUTH_USER_VARIABLE]


@hookimpl
def ccore_route_call(center: Center, channel: Channel) -> str | None:
    """``feature:<action>[:<reason>]`` when the call dials a feature code.

    Any caller gets the route, so that one who is not an operator hears the refusal tone
    (and the log says who tried) instead of being handed to the dialplan.
    """
    if SERVICE not in center.services:
        return None
    request = feature_for(channel.destination, center.config.model.feature_codes)
    return request.route if request is not None else None


async def _check_later(reconciler: Reconciler, extension: str, config: Config) -> None:
    await reconciler.board.clock.sleep(config.reconcile_grace)
    await reconciler.check_agent(extension, "their call ended")


def _withdraw(center: Center) -> None:
    center.services.pop(SERVICE, None)
    center.services.pop(RECONCILER_SERVICE, None)
