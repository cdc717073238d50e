"""Where a new call goes: the core asks the plugins, then announces the decision.

On ``call.offered`` the dispatcher calls the ``ccore_route_call`` hook (first result wins) and
fires ``call.routed`` with the route (``ivr:main``, ``queue:support``, ``feature:login``...);
the plugin that owns that kind of route takes the call from there. A call nobody routes is
handed back to FreeSWITCH: the core lets go of its outbound socket, and the dialplan goes on to
the number's fallback (a message, a ring group, voicemail), so no caller hears dead air.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ccore.events import CallOffered, CallRouted, CallUnrouted

if TYPE_CHECKING:
    from ccore.core import Center

_LOGGER = logging.getLogger(__name__)


class CallDispatcher:
    """Routes every offered call through the ``ccore_route_call`` hook."""

    def __init__(self, center: Center) -> None:
        self.center = center
        self.unsubscribe = center.bus.listen(CallOffered.name, self._on_offered)

    async def _on_offered(self, event: CallOffered) -> None:
        call_uuid = event.call_uuid or ""
        channel = self.center.calls.channels.get(call_uuid)
        if channel is None or not channel.is_live:
            return
        try:
            route = self.center.plugins.pm.hook.ccore_route_call(
                center=self.center, channel=channel
            )
        except Exception as err:
            _LOGGER.exception("Routing call %s failed", call_uuid)
            route, reason = None, f"a routing plugin failed: {err!r}"
        else:
            reason = "no plugin routes this destination"
        if route:
            self.center.bus.fire(CallRouted(call_uuid=call_uuid, route=str(route)))
            return
        _LOGGER.warning(
            "Call %s to %s not routed (%s); handing it to the fallback",
            call_uuid, event.destination, reason,
        )
        self.center.bus.fire(CallUnrouted(call_uuid=call_uuid, reason=reason))
        await self.center.release_call(call_uuid)
