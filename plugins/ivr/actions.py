"""What happens when a caller leaves the IVR: a queue, an extension, voicemail, a callback, hangup.

Queues belong to the routing plugin: the IVR fires ``call.routed`` with ``queue:<name>`` and
lets routing take the call from there. Everything else is done here through the Switch facade.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ccore.config_routing import (
    CallbackAction,
    HangupAction,
    QueueAction,
    TransferAction,
    VoicemailAction,
)
from ccore.events import CallRouted

from .prompts import resolve

if TYPE_CHECKING:
    from ccore.core import Center

VOICEMAIL_PROFILE = "default"
VOICEMAIL_DOMAIN = "${domain_name}"  # as the rendered dialplan does (a global variable)
TRANSFER_CONTEXT = "default"


def describe(action: object) -> tuple[str, str]:
    """(kind, target) of an action for events: ``("queue", "support")``, ``("repeat", "")``."""
    kind = str(getattr(action, "action", ""))
    for attribute in ("queue", "menu", "extension", "box", "file"):
        value = getattr(action, attribute, None)
        if isinstance(value, str):
            return kind, value
    message = getattr(action, "message", None)
    return kind, message if isinstance(message, str) else ""


def queue_options(action: QueueAction) -> dict[str, object]:
    """The ``call.routed`` options of a queue option: required skills and priority."""
    return {"skills": dict(action.skills), "priority": action.priority}


async def send_on(center: Center, call_uuid: str, action: object, center_dir: Path) -> None:
    """Carry out a final action (not submenu, play or repeat) on a caller leaving the IVR."""
    switch = center.switch
    if isinstance(action, QueueAction):
        route = f"queue:{action.queue}"
        center.bus.fire(CallRouted(call_uuid=call_uuid, route=route, options=queue_options(action)))
    elif isinstance(action, CallbackAction):
        route = f"queue:{action.queue}"
        center.bus.fire(CallRouted(call_uuid=call_uuid, route=route, options={"callback": True}))
    elif isinstance(action, TransferAction):
        await switch.transfer(call_uuid, action.extension, TRANSFER_CONTEXT)
    elif isinstance(action, VoicemailAction):
        argument = f"{VOICEMAIL_PROFILE} {VOICEMAIL_DOMAIN} {action.box}"
        await switch.execute(call_uuid, "voicemail", argument)
    elif isinstance(action, HangupAction):
        if action.message is not None:
            await switch.play(call_uuid, resolve(action.message, center_dir))
        await switch.hangup(call_uuid, "NORMAL_CLEARING")
    else:
        raise ValueError(f"not an action that leaves the IVR: {action!r}")
