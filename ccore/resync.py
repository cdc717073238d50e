"""Bringing the core's model back in line with the switch after a (re)connect.

``show channels`` and ``show registrations`` read FreeSWITCH's core database, which is written
asynchronously: right after a call is parked or answered they can still miss it. So a channel
the core knows of is only dropped when ``uuid_exists`` (immediate) says it is gone, and the
``show`` answers are used only to adopt what the core did not know.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from ccore.events import SwitchResynced
from ccore.model import Channel, ChannelState, Registration

if TYPE_CHECKING:
    from ccore.bus import EventBus
    from ccore.switch import Switch
    from ccore.translation import CallTracker

_LOGGER = logging.getLogger(__name__)

SWITCH_RESTARTED = "SWITCH_RESTARTED"
GONE_WHILE_DISCONNECTED = "GONE_WHILE_DISCONNECTED"


def _rows(output: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(output)
    except ValueError:
        _LOGGER.warning("Unexpected answer to a show query: %.200s", output)
        return []
    rows = data.get("rows", []) if isinstance(data, dict) else []
    return [row for row in rows if isinstance(row, dict)]


def _channel_from_row(row: dict[str, Any]) -> Channel | None:
    call_uuid = str(row.get("uuid", ""))
    if not call_uuid:
        return None
    callstate = str(row.get("callstate", ""))
    application = str(row.get("application", ""))
    if callstate == "ACTIVE" and row.get("call_uuid") and row.get("call_uuid") != call_uuid:
        state = ChannelState.BRIDGED
    elif application == "park" or application == "socket":
        state = ChannelState.PARKED
    elif callstate in ("ACTIVE", "HELD"):
        state = ChannelState.ANSWERED
    else:
        state = ChannelState.RINGING
    try:
        created = float(row.get("created_epoch", 0) or 0)
    except ValueError:
        created = 0.0
    return Channel(
        uuid=call_uuid,
        direction=str(row.get("direction", "")),
        caller_number=str(row.get("cid_num", "")),
        caller_name=str(row.get("cid_name", "")),
        destination=str(row.get("dest", "")),
        state=state,
        created_at=created,
    )


async def resync(
    switch: Switch, tracker: CallTracker, bus: EventBus, *, restarted: bool
) -> SwitchResynced:
    """Repair the model after a (re)connect and fire ``switch.resynced`` with what changed."""
    dropped: list[str] = []
    if restarted:
        for call_uuid in list(tracker.channels):
            tracker.drop_channel(call_uuid, SWITCH_RESTARTED)
            dropped.append(call_uuid)
        for user in list(tracker.registrations):
            tracker.drop_registration(user, "switch restarted")
    else:
        for call_uuid in list(tracker.channels):
            if not await switch.exists(call_uuid):
                tracker.drop_channel(call_uuid, GONE_WHILE_DISCONNECTED)
                dropped.append(call_uuid)
    for row in _rows(await switch.api("show channels as json")):
        channel = _channel_from_row(row)
        if channel is not None:
            tracker.adopt_channel(channel)
    for row in _rows(await switch.api("show registrations as json")):
        user = str(row.get("reg_user", ""))
        if user:
            tracker.adopt_registration(
                Registration(user=user, contact=str(row.get("url", "")))
            )
    if dropped:
        _LOGGER.warning("Resync dropped %d calls the switch no longer has", len(dropped))
    event = SwitchResynced(calls_dropped=tuple(dropped), registrations=len(tracker.registrations))
    bus.fire(event)
    return event
