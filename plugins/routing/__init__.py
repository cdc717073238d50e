"""The routing plugin: queues, skills, distribution to operators, overflow and callbacks.

Routes ``queue:<name>`` and ``extension:<ext>`` (numbers with ``queue = ...`` or ``extension =
...``; the IVR's queue option fires ``call.routed`` with skills and priority). Provides the
``QueueBoard`` as service ``"routing"``. Depends on the agents plugin's ``AgentBoard``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from ccore.hookspecs import hookimpl

from .board import QueueBoard
from .callback_store import MIGRATIONS
from .runtime import Routing

if TYPE_CHECKING:
    from ccore.core import Center
    from ccore.model import Channel
    from ccore.plugin_context import PluginContext

DEPENDS_ON = ("agents",)

__all__ = ["Config", "QueueBoard", "Routing"]


class Config(BaseModel):
    """``[plugins.routing]``."""

    busy_retry: float = Field(default=10.0, ge=0)  # seconds before ringing a busy phone again
    service_level_seconds: float = Field(default=20.0, gt=0)  # answered within = in service


@hookimpl
def ccore_setup(center: Center, plugin: PluginContext) -> None:
    """Create the board and the callback table, listen to the bus, restore callbacks."""
    config: Config = plugin.config if isinstance(plugin.config, Config) else Config()
    plugin.migrate(MIGRATIONS)
    routing = Routing(
        center,
        plugin,
        busy_retry=config.busy_retry,
        service_level_seconds=config.service_level_seconds,
    )
    center.provide("routing", routing.board)
    center.provide("routing.runtime", routing)
    routing.listen()
    plugin.on_unload(routing.clock.close)


@hookimpl
def ccore_route_call(center: Center, channel: Channel) -> str | None:
    """Numbers with ``queue = ...`` go to that queue, with ``extension = ...`` to that phone."""
    dialed = channel.variables.get("ccore_number") or channel.destination
    for number in center.config.model.numbers:
        if number.number != dialed:
            continue
        if number.queue is not None:
            return f"queue:{number.queue}"
        if number.extension is not None:
            return f"extension:{number.extension}"
        return None
    return None
