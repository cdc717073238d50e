"""What one ESL connection receives: subscriptions, filters and ``myevents`` (section 1.7)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .wire import Event

# EVENT_NAMES[] of switch_event.c, in order.
EVENT_NAMES: tuple[str, ...] = (
    "CUSTOM", "CLONE", "CHANNEL_CREATE", "CHANNEL_DESTROY", "CHANNEL_STATE",
    "CHANNEL_CALLSTATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HOLD", "CHANNEL_UNHOLD",
    "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA",
    "CHANNEL_OUTGOING", "CHANNEL_PARK", "CHANNEL_UNPARK", "CHANNEL_APPLICATION",
    "CHANNEL_ORIGINATE", "CHANNEL_UUID", "API", "LOG", "INBOUND_CHAN", "OUTBOUND_CHAN",
    "STARTUP", "SHUTDOWN", "PUBLISH", "UNPUBLISH", "TALK", "NOTALK", "SESSION_CRASH",
    "MODULE_LOAD", "MODULE_UNLOAD", "DTMF", "MESSAGE", "PRESENCE_IN", "NOTIFY_IN",
    "PRESENCE_OUT", "PRESENCE_PROBE", "MESSAGE_WAITING", "MESSAGE_QUERY", "ROSTER",
    "CODEC", "BACKGROUND_JOB", "DETECTED_SPEECH", "DETECTED_TONE", "PRIVATE_COMMAND",
    "HEARTBEAT", "TRAP", "ADD_SCHEDULE", "DEL_SCHEDULE", "EXE_SCHEDULE", "RE_SCHEDULE",
    "RELOADXML", "NOTIFY", "PHONE_FEATURE", "PHONE_FEATURE_SUBSCRIBE", "SEND_MESSAGE",
    "RECV_MESSAGE", "REQUEST_PARAMS", "CHANNEL_DATA", "GENERAL", "COMMAND", "SESSION_HEARTBEAT",
    "CLIENT_DISCONNECTED", "SERVER_DISCONNECTED", "SEND_INFO", "RECV_INFO", "RECV_RTCP_MESSAGE",
    "SEND_RTCP_MESSAGE", "CALL_SECURE", "NAT", "RECORD_START", "RECORD_STOP", "PLAYBACK_START",
    "PLAYBACK_STOP", "CALL_UPDATE", "FAILURE", "SOCKET_DATA", "MEDIA_BUG_START",
    "MEDIA_BUG_STOP", "CONFERENCE_DATA_QUERY", "CONFERENCE_DATA", "CALL_SETUP_REQ",
    "CALL_SETUP_RESULT", "CALL_DETAIL", "DEVICE_STATE", "TEXT", "SHUTDOWN_REQUESTED", "ALL",
)  # fmt: skip

_KNOWN = frozenset(EVENT_NAMES)

# The list ``myevents`` subscribes (parse_command in mod_event_socket.c).
MYEVENTS: frozenset[str] = frozenset(
    {
        "CHANNEL_ANSWER", "CHANNEL_APPLICATION", "CHANNEL_BRIDGE", "CHANNEL_CREATE",
        "CHANNEL_DATA", "CHANNEL_DESTROY", "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE",
        "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_ORIGINATE", "CHANNEL_UUID",
        "CHANNEL_OUTGOING", "CHANNEL_PARK", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA",
        "CHANNEL_STATE", "CHANNEL_UNBRIDGE", "CHANNEL_UNPARK", "DETECTED_SPEECH", "DTMF",
        "NOTALK", "TALK",
    }
)  # fmt: skip

FORMATS = ("plain", "json", "xml")


def event_id(token: str) -> str | None:
    """The event name ``switch_name_event`` finds for a token (case-insensitive), or None."""
    name = token.upper()
    if name.startswith("SWITCH_EVENT_"):
        name = name[len("SWITCH_EVENT_") :]
    return name if name in _KNOWN else None


def _regex_matches(value: str, expression: str) -> bool:
    """``switch_regex_perform``: ``/pattern/flags`` or a bare pattern."""
    pattern, flags = expression, 0
    if expression.startswith("/"):
        end = expression.rfind("/")
        if end > 0:
            pattern = expression[1:end]
            if "i" in expression[end + 1 :]:
                flags = re.IGNORECASE
        else:
            pattern = expression[1:]
    try:
        return re.search(pattern, value, flags) is not None
    except re.error:
        return False


@dataclass
class Subscription:
    """Event selection state of one listener: names, CUSTOM subclasses, filters, myevents."""

    fmt: str = "plain"
    all_events: bool = False
    names: set[str] = field(default_factory=set)
    subclasses: set[str] = field(default_factory=set)
    filters: list[tuple[str, str]] = field(default_factory=list)
    myevents_uuid: str | None = None

    @property
    def listening(self) -> bool:
        """Whether anything is subscribed at all."""
        return self.all_events or bool(self.names) or bool(self.subclasses)

    def enable(self, args: list[str]) -> str:
        """The ``event`` command; returns the reply text."""
        if args and args[0].lower() in FORMATS:
            self.fmt = args[0].lower()
            args = args[1:]
        custom = False
        added = 0
        for token in args:
            if custom:
                self.subclasses.add(token)
                added += 1
                continue
            name = event_id(token)
            if name is None:
                continue
            if name == "CUSTOM":
                custom = True
                continue
            if name == "ALL":
                self.all_events = True
            else:
                self.names.add(name)
            added += 1
        if not added and not custom:
            return "-ERR no keywords supplied"
        return f"+OK event listener enabled {self.fmt}"

    def nix(self, args: list[str]) -> str:
        """The ``nixevent`` command; returns the reply text."""
        custom = False
        for token in args:
            if custom:
                self.subclasses.discard(token)
                continue
            name = event_id(token)
            if name == "CUSTOM":
                custom = True
            elif name == "ALL":
                self.all_events = False
                self.names.clear()
                self.subclasses.clear()
            elif name is not None:
                self.names.discard(name)
        return "+OK events nixed"

    def clear(self) -> None:
        """The ``noevents`` command."""
        self.all_events = False
        self.names.clear()
        self.subclasses.clear()

    def filter_command(self, rest: str) -> str:
        """The ``filter`` command (add, ``delete``, ``delete all``); returns the reply text."""
        rest = rest.lstrip(" ")
        name, sep, value = rest.partition(" ")
        if name.lower() == "delete" and sep:
            name, sep, value = value.partition(" ")
            if name.lower() == "all":
                self.filters.clear()
            else:
                self.filters = [
                    (h, v)
                    for h, v in self.filters
                    if not (h.lower() == name.lower() and (not sep or v == value))
                ]
            return f"+OK filter deleted. [{name}][{value if sep else ''}]"
        if not sep:
            return "-ERR invalid syntax"
        if name.lower() == "add":
            name, sep, value = value.partition(" ")
        self.filters.append((name, value))
        return f"+OK filter added. [{name}]=[{value}]"

    def subscribed(self, event: Event) -> bool:
        """Whether the event's type (and CUSTOM subclass) is subscribed."""
        if self.all_events:
            return True
        if event.name == "CUSTOM":
            return event.subclass in self.subclasses
        return event.name in self.names

    def passes_filters(self, event: Event) -> bool:
        """The filter rules of ``event_handler``: positive OR, negative blocks, absent = skip."""
        if not self.filters:
            return True
        send = False
        for header, raw in self.filters:
            value = event.get(header)
            if value is None:
                continue
            comp, positive = raw, True
            while comp and comp[0] in "+- ":
                if comp[0] == "+":
                    positive = True
                elif comp[0] == "-":
                    positive = False
                comp = comp[1:]
            if send and positive:
                continue
            if raw.startswith("/"):
                matched = _regex_matches(value, comp)
            else:
                matched = value.lower() == comp.lower()
            if matched:
                if positive:
                    send = True
                else:
                    send = False
                    break
        return send

    def wants(self, event: Event, session_uuid: str | None = None) -> bool:
        """Whether the event goes to this listener at all."""
        if not self.subscribed(event) or not self.passes_filters(event):
            return False
        own = session_uuid or self.myevents_uuid
        if own is not None and self.myevents_uuid is not None:
            if event.get("Job-Owner-UUID") == own:
                return True
            return event.get("Unique-ID") == own
        return True
