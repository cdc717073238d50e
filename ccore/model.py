"""The core's model of what is live on the switch: channels (call legs) and registrations.

The translation layer (``ccore.translation``) is the only writer; plugins read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ChannelState(StrEnum):
    """Where a call leg is in its life, as the center sees it."""

    RINGING = "ringing"  # created, not answered
    PARKED = "parked"  # waiting for the core's instructions
    ANSWERED = "answered"
    BRIDGED = "bridged"
    HUNGUP = "hungup"


@dataclass
class Channel:
    """One call leg on the switch."""

    uuid: str
    direction: str  # inbound or outbound, from FreeSWITCH's point of view
    caller_number: str = ""
    caller_name: str = ""
    destination: str = ""
    state: ChannelState = ChannelState.RINGING
    created_at: float = 0.0
    answered_at: float | None = None
    bridged_at: float | None = None
    bridged_to: str | None = None
    hungup_at: float | None = None
    hangup_cause: str = ""
    offered: bool = False  # call.offered was fired for it
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def is_live(self) -> bool:
        """True until the leg has hung up."""
        return self.state is not ChannelState.HUNGUP


@dataclass
class Registration:
    """A SIP user agent registered to the switch (an operator's softphone)."""

    user: str
    contact: str = ""
    user_agent: str = ""
    registered_at: float = 0.0
    expires: int = 0
