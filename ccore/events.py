"""Domain events: what happened in the center, in call-center words.

Every event is a small frozen dataclass with a documented ``name`` (``domain.verb_past``).
Events about a call carry the call's UUID (``call_uuid``), so a report can trace every step
of a call. Plugins only ever see these, never raw ESL headers.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event."""

    name: ClassVar[str] = "event"
    at: float = field(default_factory=time.time)
    call_uuid: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the event's fields as a plain dict (with its name), for storage and the API."""
        data = asdict(self)
        data["name"] = self.name
        return data


# --- the switch ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SwitchConnected(Event):
    """The core is connected to FreeSWITCH (first time or after a reconnect)."""

    name: ClassVar[str] = "switch.connected"
    core_uuid: str = ""
    restarted: bool = False  # the Core-UUID changed: every channel the core knew of is gone


@dataclass(frozen=True, kw_only=True)
class SwitchDisconnected(Event):
    """The connection to FreeSWITCH dropped; the core is reconnecting."""

    name: ClassVar[str] = "switch.disconnected"
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class SwitchResynced(Event):
    """After a reconnect the core compared its model with the switch and repaired it."""

    name: ClassVar[str] = "switch.resynced"
    calls_dropped: tuple[str, ...] = ()
    registrations: int = 0


# --- calls -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CallOffered(Event):
    """A new call reached the center (an inbound leg was created and is waiting for control)."""

    name: ClassVar[str] = "call.offered"
    caller_number: str = ""
    caller_name: str = ""
    destination: str = ""
    direction: str = "inbound"  # from FreeSWITCH's point of view: inbound or outbound


@dataclass(frozen=True, kw_only=True)
class CallRouted(Event):
    """A call was given a destination inside the center (``queue:support``, ``ivr:main``, ...).

    The plugin that owns the route's kind (before the colon) takes the call from here.
    ``options`` carries what the router added (e.g. required skills, priority).
    """

    name: ClassVar[str] = "call.routed"
    route: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CallUnrouted(Event):
    """No plugin took the call; it goes to the dialplan's fallback (ring group, voicemail)."""

    name: ClassVar[str] = "call.unrouted"
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CallParked(Event):
    """A call is parked and waits for the core to tell it what to do."""

    name: ClassVar[str] = "call.parked"


@dataclass(frozen=True, kw_only=True)
class CallRinging(Event):
    """A leg the core placed is ringing (progress or early media)."""

    name: ClassVar[str] = "call.ringing"


@dataclass(frozen=True, kw_only=True)
class CallAnswered(Event):
    """A leg was answered."""

    name: ClassVar[str] = "call.answered"


@dataclass(frozen=True, kw_only=True)
class CallBridged(Event):
    """Two legs were connected; ``call_uuid`` is the bridging leg, ``other_uuid`` the peer."""

    name: ClassVar[str] = "call.bridged"
    other_uuid: str = ""


@dataclass(frozen=True, kw_only=True)
class CallUnbridged(Event):
    """Two legs were separated."""

    name: ClassVar[str] = "call.unbridged"
    other_uuid: str = ""


@dataclass(frozen=True, kw_only=True)
class CallDtmf(Event):
    """The caller pressed a key."""

    name: ClassVar[str] = "call.dtmf"
    digit: str = ""


@dataclass(frozen=True, kw_only=True)
class CallAppCompleted(Event):
    """An application the core ran on a call finished (``variables`` holds what was asked for)."""

    name: ClassVar[str] = "call.app_completed"
    application: str = ""
    response: str = ""
    application_uuid: str = ""
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CallPlaybackStarted(Event):
    """A prompt started playing to the call."""

    name: ClassVar[str] = "call.playback_started"
    path: str = ""


@dataclass(frozen=True, kw_only=True)
class CallPlaybackStopped(Event):
    """A prompt stopped playing (``status`` is ``done`` or ``break``)."""

    name: ClassVar[str] = "call.playback_stopped"
    path: str = ""
    status: str = ""


@dataclass(frozen=True, kw_only=True)
class CallRecordingStarted(Event):
    """Recording of the call started to ``path``."""

    name: ClassVar[str] = "call.recording_started"
    path: str = ""


@dataclass(frozen=True, kw_only=True)
class CallRecordingStopped(Event):
    """Recording of the call stopped; ``path`` is the finished file."""

    name: ClassVar[str] = "call.recording_stopped"
    path: str = ""


@dataclass(frozen=True, kw_only=True)
class CallHungup(Event):
    """A leg hung up; ``cause`` is FreeSWITCH's hangup cause, times in seconds."""

    name: ClassVar[str] = "call.hungup"
    cause: str = ""
    duration: int = 0
    billsec: int = 0


@dataclass(frozen=True, kw_only=True)
class CallEnded(Event):
    """The leg is gone from the switch (its last event); the core forgets it now."""

    name: ClassVar[str] = "call.ended"


# --- registrations ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AgentRegistered(Event):
    """An operator's softphone registered (``user`` is the SIP user, e.g. ``1001``)."""

    name: ClassVar[str] = "agent.registered"
    user: str = ""
    contact: str = ""
    user_agent: str = ""


@dataclass(frozen=True, kw_only=True)
class AgentUnregistered(Event):
    """An operator's softphone unregistered, or its registration expired."""

    name: ClassVar[str] = "agent.unregistered"
    user: str = ""
    reason: str = "unregister"  # unregister or expire


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ConfigReloaded(Event):
    """The running center took center.toml from disk; ``center.config`` holds the new model.

    Plugins that built something from the configuration at setup (the operators' board, the
    queues) bring it up to date when they get this.
    """

    name: ClassVar[str] = "config.reloaded"
    by: str = "api"


# --- plugins ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PluginStateChanged(Event):
    """A plugin was loaded, started, failed or stopped."""

    name: ClassVar[str] = "plugin.state_changed"
    plugin: str = ""
    state: str = ""
    reason: str = ""
