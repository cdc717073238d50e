"""After ccore restarts, callers who were in a menu are taken through it again, not left in silence.

The switch keeps the calls while ccore is away; the new center learns of them in its first
resync, but they are not offered again (they were answered). The event table says which of
them were in the IVR: an ``ivr.entered`` with no ``ivr.exited`` after it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ccore.model import Channel, ChannelState
from ccore.storage import Storage

from .events import IvrEntered, IvrExited


def menu_left_unfinished(storage: Storage, call_uuid: str) -> str | None:
    """The menu a call entered and never left, from the event table; None if it left."""
    menu: str | None = None
    for row in storage.events_for_call(call_uuid):
        if row.name == IvrEntered.name:
            menu = str(row.data.get("menu") or "") or None
        elif row.name == IvrExited.name:
            menu = None
    return menu


def callers_to_resume(storage: Storage, channels: Iterable[Channel]) -> dict[str, str]:
    """Live, unbridged inbound calls that were in a menu: call UUID -> that menu."""
    found = {}
    for channel in channels:
        if (
            channel.direction != "inbound"
            or not channel.is_live
            or channel.state is ChannelState.BRIDGED
        ):
            continue
        menu = menu_left_unfinished(storage, channel.uuid)
        if menu is not None:
            found[channel.uuid] = menu
    return found
