"""A channel: its state, variables, the events it fires and its session loop."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import sip
from .hub import Origin
from .profile import (
    CALLSTATE_NUMBERS,
    STATE_NUMBERS,
    CallerProfile,
    media_variables,
    sip_answer_variables,
)
from .session import Session
from .wire import Event

if TYPE_CHECKING:
    from .switch import StandinSwitch

log = logging.getLogger(__name__)

# Events that carry every channel variable (switch_channel_event_set_extended_data).
VAR_EVENTS = frozenset({
    "CHANNEL_CREATE", "CHANNEL_ORIGINATE", "CHANNEL_UUID", "CHANNEL_ANSWER", "CHANNEL_PARK",
    "CHANNEL_UNPARK", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_PROGRESS",
    "CHANNEL_PROGRESS_MEDIA", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DATA",
    "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_DESTROY", "RECORD_START",
    "RECORD_STOP", "PLAYBACK_START", "PLAYBACK_STOP", "CALL_UPDATE", "MEDIA_BUG_START",
    "MEDIA_BUG_STOP", "CHANNEL_HOLD", "CHANNEL_UNHOLD", "API", "CUSTOM",
})  # fmt: skip

EXEC: Origin = ("switch_core_session.c", "switch_core_session_exec", 2944)
EXEC_DONE: Origin = ("switch_core_session.c", "switch_core_session_exec", 2967)
_PROFILE_FIELDS: dict[str, Callable[[Channel], str | None]] = {
    "caller_id_number": lambda c: c.profile.caller_id_number,
    "caller_id_name": lambda c: c.profile.caller_id_name,
    "destination_number": lambda c: c.profile.destination_number,
    "ani": lambda c: c.profile.ani,
    "context": lambda c: c.profile.context,
    "network_addr": lambda c: c.profile.network_addr,
    "username": lambda c: c.profile.username,
    "dialplan": lambda c: c.profile.dialplan,
    "source": lambda c: c.profile.source,
    "chan_name": lambda c: c.name,
}
_VAR_RE = re.compile(r"\$\{([^${}]+)\}")


class Channel(Session):
    """One call leg, as ``switch_channel_t`` plus its session thread.

    ``state`` is the state the channel is going to (Channel-State-Number), ``running`` the one
    its state machine runs (Channel-State). Applications run in ``run_loop`` one after the
    other; ``wait`` is how they spend (simulated) time, and it also runs queued ``sendmsg``
    executes unless an event-locked application is running, as FreeSWITCH does.
    """

    def __init__(
        self,
        switch: StandinSwitch,
        profile: CallerProfile,
        variables: list[tuple[str, str]],
        *,
        session_id: int,
    ) -> None:
        self.switch = switch
        self.profile = profile
        self.uuid = profile.uuid
        self.name = profile.channel_name
        self.direction = profile.direction
        self.session_id = session_id
        self.running = "CS_NEW"
        self.state = "CS_NEW"
        self.callstate = "DOWN"
        self.answer_state = "ringing"
        self.hangup_cause: str | None = None
        self.has_media = False
        self.variables: dict[str, str] = {}
        for k, v in variables:
            self.set_var(k, v)
        self.other: Channel | None = None
        self.other_type: str | None = None
        self.other_profile: CallerProfile | None = None  # the Other-Leg-* snapshot
        self.hit_dialplan = profile.direction == "inbound"
        self.bridged_to: Channel | None = None
        self.messages: deque[tuple[list[tuple[str, str]], str | None]] = deque()
        self.dtmf: deque[str] = deque()
        self.holders: set[Any] = set()
        self.recordings: dict[str, Any] = {}
        self.redirect: tuple[Any, ...] | None = None
        self.event_lock = 0
        self.app_stack: list[str] = []
        self.last_app: tuple[str, str] | None = None
        self._kick = asyncio.Event()
        self._hungup = asyncio.Event()
        self._released = asyncio.Event()
        self._released.set()
        self.done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None
        self.ack_pending = False
        self.hangup_remote = False
        self.watchers: set[Channel] = set()
        self.breaking = False
        self.held = False
        self.reapply: list[str] = []
        self.pending_bridge_cause: str | None = None
        self.digits_dialed = ""
        self.phone: str | None = None
        self.destroyed = False

    # ---- variables ---------------------------------------------------------------------
    def set_var(self, name: str, value: str | None) -> None:
        """Set a channel variable (moves it last, like FreeSWITCH); None deletes it."""
        self.variables.pop(name, None)
        if value is not None and value != "":
            self.variables[name] = str(value)

    def get_var(self, name: str) -> str | None:
        """A channel variable, else a caller-profile field of that name, or None."""
        if name in self.variables:
            return self.variables[name]
        field = _PROFILE_FIELDS.get(name)
        return field(self) if field is not None else None

    def expand(self, text: str) -> str:
        """Expand ``${var}`` references with channel (then global) variables."""
        if "${" not in text:
            return text

        def sub(m: re.Match[str]) -> str:
            key = m.group(1)
            value = self.get_var(key)
            if value is not None:
                return value
            return self.switch.global_vars.get(key, "")

        return _VAR_RE.sub(sub, text)

    @property
    def up(self) -> bool:
        """Whether the channel has not hung up."""
        return self.hangup_cause is None

    @property
    def answered(self) -> bool:
        """Whether the channel was answered."""
        return self.profile.times["Channel-Answered-Time"] != 0

    # ---- events ------------------------------------------------------------------------
    def basic_headers(self) -> list[tuple[str, str]]:
        """``switch_channel_event_set_basic_data``."""
        out = [
            ("Channel-State", self.running),
            ("Channel-Call-State", self.callstate),
            ("Channel-State-Number", str(STATE_NUMBERS[self.state])),
            ("Channel-Name", self.name),
            ("Unique-ID", self.uuid),
            ("Call-Direction", self.direction),
            ("Presence-Call-Direction", self.direction),
            ("Channel-HIT-Dialplan", "true" if self.hit_dialplan else "false"),
        ]
        if "presence_id" in self.variables:
            out.append(("Channel-Presence-ID", self.variables["presence_id"]))
        out.append(("Channel-Call-UUID", self.variables.get("call_uuid", self.uuid)))
        out.append(("Answer-State", self.answer_state))
        if self.hangup_cause:
            out.append(("Hangup-Cause", self.hangup_cause))
        if self.has_media:
            for side in ("Read", "Write"):
                out += [(f"Channel-{side}-Codec-Name", "PCMU"),
                        (f"Channel-{side}-Codec-Rate", "8000"),
                        (f"Channel-{side}-Codec-Bit-Rate", "64000")]  # fmt: skip
        out += self.profile.headers("Caller")
        if self.other_profile is not None and self.other_type:
            out.append(("Other-Type", self.other_type))
            out += self.other_profile.headers("Other-Leg", with_index=False)
        return out

    def var_headers(self) -> list[tuple[str, str]]:
        """``switch_channel_event_set_extended_data``: every variable as ``variable_*``."""
        return [(f"variable_{k}", v) for k, v in self.variables.items()]

    def make_event(
        self,
        name: str,
        *,
        pre: list[tuple[str, str]] | None = None,
        post: list[tuple[str, str]] | None = None,
        subclass: str | None = None,
    ) -> Event:
        """An event about this channel, headers in FreeSWITCH's order."""
        headers = list(pre or []) + self.basic_headers()
        if name in VAR_EVENTS:
            headers += self.var_headers()
        headers += post or []
        return Event(name, headers, subclass=subclass)

    def fire(self, name: str, origin: Origin, **kwargs: Any) -> Event:
        """Build and fire a channel event."""
        return self.switch.hub.fire(self.make_event(name, **kwargs), origin)

    def channel_data_event(self) -> Event:
        """CHANNEL_DATA as the outbound ``connect`` reply and ``uuid_dump`` give it."""
        headers = self.profile.headers("Channel") + self.basic_headers() + self.var_headers()
        return Event("CHANNEL_DATA", headers)

    def set_running(self, state: str, target: str | None = None) -> None:
        """Enter a state: fires CHANNEL_STATE as ``switch_channel_perform_set_running_state``."""
        self.state = target or state
        self.running = state
        self.fire("CHANNEL_STATE", ("switch_channel.c", "switch_channel_perform_set_running_state",
                                    2408))

    def set_callstate(self, callstate: str) -> None:
        """Change the call state: fires CHANNEL_CALLSTATE."""
        if callstate == self.callstate:
            return
        old, self.callstate = self.callstate, callstate
        pre = [("Original-Channel-Call-State", old),
               ("Channel-Call-State-Number", str(CALLSTATE_NUMBERS[callstate]))]  # fmt: skip
        self.fire("CHANNEL_CALLSTATE", ("switch_channel.c", "switch_channel_perform_set_callstate",
                                        289), pre=pre)

    # ---- answer / progress / hangup ----------------------------------------------------
    def _media(self) -> None:
        if not self.has_media:
            self.has_media = True
            for k, v in media_variables(self.session_id, inbound=self.direction == "inbound",
                                        bridged_leg=self.other_type == "originator"):
                self.set_var(k, v)

    def ring(self) -> None:
        """180 Ringing on an outgoing leg: CHANNEL_PROGRESS, then the call state RINGING."""
        if self.profile.times["Channel-Progress-Time"]:
            return
        self.profile.times["Channel-Progress-Time"] = self.switch.clock.uepoch()
        self.fire("CHANNEL_PROGRESS", ("switch_channel.c",
                                       "switch_channel_perform_mark_ring_ready_value", 3505))
        self.set_callstate("RINGING")

    def pre_answer(self) -> None:
        """Early media: CHANNEL_PROGRESS_MEDIA and the call state EARLY."""
        if self.profile.times["Channel-Progress-Media-Time"] or self.answered or not self.up:
            return
        self.profile.times["Channel-Progress-Media-Time"] = self.switch.clock.uepoch()
        self._media()
        if self.direction == "inbound":
            self.set_var("endpoint_disposition", "EARLY MEDIA")
        self.answer_state = "early"
        self.fire("CHANNEL_PROGRESS_MEDIA", ("switch_channel.c",
                                             "switch_channel_perform_mark_pre_answered", 3560))
        self.set_callstate("EARLY")

    def answer(self) -> bool:
        """Answer the channel (CHANNEL_ANSWER, call state ACTIVE); False if it is gone."""
        if not self.up:
            return False
        if self.answered:
            return True
        if self.direction == "inbound":
            self.pre_answer()
        self._media()
        if self.direction == "inbound":
            for k, v in sip_answer_variables(self.session_id):
                self.set_var(k, v)
        self.profile.times["Channel-Answered-Time"] = self.switch.clock.uepoch()
        self.answer_state = "answered"
        self.fire("CHANNEL_ANSWER", ("switch_channel.c", "switch_channel_perform_mark_answered",
                                     3846))
        self.set_callstate("ACTIVE")
        if self.direction == "inbound":
            self.ack_pending = True
            self.set_var("endpoint_disposition", "ANSWER")
            self.switch.spawn(self._ack_later())
        else:
            sip.answered(self)
        return True

    async def _ack_later(self) -> None:
        """The caller's ACK arrives a moment after our 200 OK."""
        await self.switch.clock.sleep(sip.ACK_DELAY)
        sip.ack(self)

    def hangup(self, cause: str = "NORMAL_CLEARING", *, remote: bool = False) -> bool:
        """Hang the channel up: CHANNEL_HANGUP at once, the session loop then winds down.

        ``remote``: the other end hung up (a BYE or CANCEL came in), not the switch.
        """
        if not self.up:
            return False
        self.hangup_cause = cause
        self.state = "CS_HANGUP"
        self.answer_state = "hangup"
        sip.before_hangup(self, cause, remote)
        self.fire("CHANNEL_HANGUP", ("switch_channel.c", "switch_channel_perform_hangup", 3445))
        sip.after_hangup(self, remote)
        self._hungup.set()
        self._kick.set()
        if self.bridged_to is not None:
            self.bridged_to.kick()
        if self.other is not None:
            self.other.kick()
        for watcher in list(self.watchers):
            watcher.kick()
        return True

    async def wait_hangup(self) -> None:
        """Wait until the channel hangs up."""
        await self._hungup.wait()
