"""ESL events in, domain events out: the one place that reads FreeSWITCH event headers.

``CallTracker.handle`` is the event callback of the inbound client. For every ESL event it
updates the live model (channels and registrations) and fires domain events on the bus. It also
resolves the waiters of the Switch facade: an application executed with an ``Event-UUID``
completes when the matching ``CHANNEL_EXECUTE_COMPLETE`` arrives, and fails if the channel
hangs up first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ccore import events as ev
from ccore.model import Channel, ChannelState, Registration

if TYPE_CHECKING:
    from ccore.bus import EventBus
    from ccore.esl.event import EslEvent

_LOGGER = logging.getLogger(__name__)

# What the core subscribes to: about 20 event types, never ALL (see esl-protocol.md 1.12).
SUBSCRIBED_EVENTS: tuple[str, ...] = (
    "CHANNEL_CREATE",
    "CHANNEL_PARK",
    "CHANNEL_PROGRESS",
    "CHANNEL_PROGRESS_MEDIA",
    "CHANNEL_ANSWER",
    "CHANNEL_BRIDGE",
    "CHANNEL_UNBRIDGE",
    "CHANNEL_EXECUTE_COMPLETE",
    "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_DESTROY",
    "DTMF",
    "PLAYBACK_START",
    "PLAYBACK_STOP",
    "RECORD_START",
    "RECORD_STOP",
    "HEARTBEAT",
    "BACKGROUND_JOB",
    "CUSTOM",
    "sofia::register",
    "sofia::unregister",
    "sofia::expire",
)

# Variables every call keeps whatever plugins ask for: those ccore's own dialplan sets.
# ``socket_host`` is set by the ``socket`` app: the call is held by ccore's outbound server.
CORE_VARIABLES: tuple[str, ...] = ("ccore_number", "ccore_route", "ccore_feature", "socket_host")


class CallGone(Exception):
    """The call hung up (or vanished from the switch) before the operation finished."""

    def __init__(self, call_uuid: str, cause: str) -> None:
        super().__init__(f"call {call_uuid} is gone ({cause})")
        self.call_uuid = call_uuid
        self.cause = cause


@dataclass(frozen=True)
class AppResult:
    """How an application run on a call ended: its response and the channel's variables."""

    application: str
    response: str
    variables: dict[str, str] = field(default_factory=dict)


def _seconds(event: EslEvent) -> float:
    return event.timestamp_us / 1_000_000 if event.timestamp_us else 0.0


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


class CallTracker:
    """Keeps the model of live channels and registrations, and fires domain events."""

    def __init__(self, bus: EventBus, keep_variables: Iterable[str] = ()) -> None:
        self.bus = bus
        self.keep_variables = frozenset((*CORE_VARIABLES, *keep_variables))
        self.channels: dict[str, Channel] = {}
        self.registrations: dict[str, Registration] = {}
        self._app_waiters: dict[str, tuple[str, asyncio.Future[AppResult]]] = {}
        self.events_handled = 0

    # --- waiters for the Switch facade -------------------------------------------------------

    def expect_app(self, call_uuid: str, application_uuid: str) -> asyncio.Future[AppResult]:
        """Return a future resolved when the application run with ``application_uuid`` ends."""
        channel = self.channels.get(call_uuid)
        future: asyncio.Future[AppResult] = asyncio.get_running_loop().create_future()
        if channel is not None and not channel.is_live:
            future.set_exception(CallGone(call_uuid, channel.hangup_cause))
            return future
        self._app_waiters[application_uuid] = (call_uuid, future)
        future.add_done_callback(lambda _: self._app_waiters.pop(application_uuid, None))
        return future

    def fail_waiters(self, error: Exception) -> int:
        """Fail every pending application waiter (the switch connection dropped: a completion
        that happens while disconnected is never seen, so nobody may wait for it)."""
        failed = 0
        for _, future in list(self._app_waiters.values()):
            if not future.done():
                future.set_exception(error)
                failed += 1
        self._app_waiters.clear()
        return failed

    # --- the event callback ------------------------------------------------------------------

    def handle(self, event: EslEvent) -> None:
        """Translate one ESL event (the inbound client's ``on_event``)."""
        self.events_handled += 1
        name = event.name
        if name == "CUSTOM":
            self._on_custom(event)
            return
        handler = self._HANDLERS.get(name)
        if handler is None or not event.uuid:
            return
        handler(self, event)

    # --- repairs used by the reconciler ------------------------------------------------------

    def drop_channel(self, call_uuid: str, cause: str) -> None:
        """Forget a channel the switch no longer has, firing the events a hangup would."""
        channel = self.channels.get(call_uuid)
        if channel is None:
            return
        if channel.is_live:
            self._mark_hungup(channel, cause, channel.created_at)
            self.bus.fire(ev.CallHungup(call_uuid=call_uuid, cause=cause))
        self.channels.pop(call_uuid, None)
        self.bus.fire(ev.CallEnded(call_uuid=call_uuid))

    def drop_registration(self, user: str, reason: str) -> None:
        """Forget a registration the switch no longer has."""
        if self.registrations.pop(user, None) is not None:
            self.bus.fire(ev.AgentUnregistered(user=user, reason=reason))

    def adopt_channel(self, channel: Channel) -> None:
        """Add a channel found on the switch that the core did not know (after a reconnect)."""
        if channel.uuid in self.channels:
            return
        self.channels[channel.uuid] = channel
        if channel.direction == "inbound" and channel.state is ChannelState.PARKED:
            self._offer(channel)

    def adopt_registration(self, registration: Registration) -> None:
        """Add a registration found on the switch that the core did not know."""
        if registration.user in self.registrations:
            return
        self.registrations[registration.user] = registration
        self.bus.fire(
            ev.AgentRegistered(
                user=registration.user,
                contact=registration.contact,
                user_agent=registration.user_agent,
            )
        )

    # --- per event type ----------------------------------------------------------------------

    def _channel(self, event: EslEvent) -> Channel:
        channel = self.channels.get(event.uuid)
        if channel is None:  # first event of a channel, or one we missed while disconnected
            channel = Channel(
                uuid=event.uuid,
                direction=event.get("Call-Direction", "") or "",
                caller_number=event.get("Caller-Caller-ID-Number", "") or "",
                caller_name=event.get("Caller-Caller-ID-Name", "") or "",
                destination=event.get("Caller-Destination-Number", "") or "",
                created_at=_seconds(event),
            )
            self.channels[event.uuid] = channel
        for variable in self.keep_variables:
            value = event.variable(variable)
            if value is not None:
                channel.variables[variable] = value
        return channel

    def _on_create(self, event: EslEvent) -> None:
        self._channel(event)

    def _on_park(self, event: EslEvent) -> None:
        channel = self._channel(event)
        if not channel.is_live:
            return
        if channel.state is not ChannelState.BRIDGED:
            channel.state = ChannelState.PARKED
        if channel.direction == "inbound" and not channel.offered:
            self._offer(channel)
        self.bus.fire(ev.CallParked(call_uuid=channel.uuid))

    def _offer(self, channel: Channel) -> None:
        channel.offered = True
        self.bus.fire(
            ev.CallOffered(
                call_uuid=channel.uuid,
                caller_number=channel.caller_number,
                caller_name=channel.caller_name,
                destination=channel.destination,
                direction=channel.direction,
            )
        )

    def _on_progress(self, event: EslEvent) -> None:
        channel = self._channel(event)
        if channel.answered_at is None and channel.is_live:
            self.bus.fire(ev.CallRinging(call_uuid=channel.uuid))

    def _on_answer(self, event: EslEvent) -> None:
        channel = self._channel(event)
        if channel.answered_at is not None:
            return
        channel.answered_at = _seconds(event)
        if channel.state in (ChannelState.RINGING, ChannelState.PARKED):
            channel.state = ChannelState.ANSWERED
        self.bus.fire(ev.CallAnswered(call_uuid=channel.uuid))

    def _on_bridge(self, event: EslEvent) -> None:
        self._channel(event)
        a_uuid = event.get("Bridge-A-Unique-ID") or event.uuid
        b_uuid = event.get("Bridge-B-Unique-ID") or event.get("Other-Leg-Unique-ID") or ""
        now = _seconds(event)
        for this, other in ((a_uuid, b_uuid), (b_uuid, a_uuid)):
            channel = self.channels.get(this)
            if channel is not None and channel.is_live:
                channel.state = ChannelState.BRIDGED
                channel.bridged_to = other
                channel.bridged_at = now
        self.bus.fire(ev.CallBridged(call_uuid=a_uuid, other_uuid=b_uuid))

    def _on_unbridge(self, event: EslEvent) -> None:
        self._channel(event)
        a_uuid = event.get("Bridge-A-Unique-ID") or event.uuid
        b_uuid = event.get("Bridge-B-Unique-ID") or event.get("Other-Leg-Unique-ID") or ""
        for this in (a_uuid, b_uuid):
            channel = self.channels.get(this)
            if channel is not None and channel.is_live and channel.state is ChannelState.BRIDGED:
                channel.state = ChannelState.ANSWERED
                channel.bridged_to = None
        self.bus.fire(ev.CallUnbridged(call_uuid=a_uuid, other_uuid=b_uuid))

    def _on_execute_complete(self, event: EslEvent) -> None:
        channel = self._channel(event)
        application = event.get("Application", "") or ""
        response = event.get("Application-Response", "") or ""
        application_uuid = event.get("Application-UUID", "") or ""
        waiter = self._app_waiters.get(application_uuid) if application_uuid else None
        if waiter is not None and not waiter[1].done():
            waiter[1].set_result(AppResult(application, response, event.variables()))
        kept = dict(channel.variables)
        self.bus.fire(
            ev.CallAppCompleted(
                call_uuid=channel.uuid,
                application=application,
                response=response,
                application_uuid=application_uuid,
                variables=kept,
            )
        )

    def _on_dtmf(self, event: EslEvent) -> None:
        self._channel(event)
        self.bus.fire(ev.CallDtmf(call_uuid=event.uuid, digit=event.get("DTMF-Digit", "") or ""))

    def _on_playback_start(self, event: EslEvent) -> None:
        self._channel(event)
        path = event.get("Playback-File-Path", "") or ""
        self.bus.fire(ev.CallPlaybackStarted(call_uuid=event.uuid, path=path))

    def _on_playback_stop(self, event: EslEvent) -> None:
        self._channel(event)
        self.bus.fire(
            ev.CallPlaybackStopped(
                call_uuid=event.uuid,
                path=event.get("Playback-File-Path", "") or "",
                status=event.get("Playback-Status", "") or "",
            )
        )

    def _on_record_start(self, event: EslEvent) -> None:
        self._channel(event)
        path = event.get("Record-File-Path", "") or ""
        self.bus.fire(ev.CallRecordingStarted(call_uuid=event.uuid, path=path))

    def _on_record_stop(self, event: EslEvent) -> None:
        self._channel(event)
        path = event.get("Record-File-Path", "") or ""
        self.bus.fire(ev.CallRecordingStopped(call_uuid=event.uuid, path=path))

    def _on_hangup(self, event: EslEvent) -> None:
        channel = self._channel(event)
        if channel.is_live:
            cause = event.get("Hangup-Cause", "") or event.variable("hangup_cause") or ""
            self._mark_hungup(channel, cause, _seconds(event))

    def _on_hangup_complete(self, event: EslEvent) -> None:
        channel = self._channel(event)
        cause = event.variable("hangup_cause") or event.get("Hangup-Cause", "") or ""
        if channel.is_live:
            self._mark_hungup(channel, cause, _seconds(event))
        self.bus.fire(
            ev.CallHungup(
                call_uuid=channel.uuid,
                cause=channel.hangup_cause or cause,
                duration=_int(event.variable("duration")),
                billsec=_int(event.variable("billsec")),
            )
        )

    def _on_destroy(self, event: EslEvent) -> None:
        channel = self.channels.pop(event.uuid, None)
        if channel is None:
            return
        if channel.is_live:  # never saw the hangup: still tell listeners the call ended
            cause = event.get("Hangup-Cause", "") or "NORMAL_CLEARING"
            self._mark_hungup(channel, cause, _seconds(event))
            self.bus.fire(ev.CallHungup(call_uuid=channel.uuid, cause=cause))
        self.bus.fire(ev.CallEnded(call_uuid=channel.uuid))

    def _mark_hungup(self, channel: Channel, cause: str, at: float) -> None:
        channel.state = ChannelState.HUNGUP
        channel.hangup_cause = cause
        channel.hungup_at = at
        for application_uuid, (call_uuid, future) in list(self._app_waiters.items()):
            if call_uuid == channel.uuid and not future.done():
                future.set_exception(CallGone(call_uuid, cause))
                self._app_waiters.pop(application_uuid, None)

    def _on_custom(self, event: EslEvent) -> None:
        subclass = event.subclass
        user = event.get("username") or event.get("from-user") or ""
        if not user:
            return
        if subclass == "sofia::register":
            registration = Registration(
                user=user,
                contact=event.get("contact", "") or "",
                user_agent=event.get("user-agent", "") or "",
                registered_at=_seconds(event),
                expires=_int(event.get("expires")),
            )
            is_new = user not in self.registrations
            self.registrations[user] = registration
            if is_new:
                self.bus.fire(
                    ev.AgentRegistered(
                        user=user, contact=registration.contact, user_agent=registration.user_agent
                    )
                )
        elif subclass in ("sofia::unregister", "sofia::expire"):
            reason = "expire" if subclass == "sofia::expire" else "unregister"
            self.drop_registration(user, reason)

    _HANDLERS = {
        "CHANNEL_CREATE": _on_create,
        "CHANNEL_PARK": _on_park,
        "CHANNEL_PROGRESS": _on_progress,
        "CHANNEL_PROGRESS_MEDIA": _on_progress,
        "CHANNEL_ANSWER": _on_answer,
        "CHANNEL_BRIDGE": _on_bridge,
        "CHANNEL_UNBRIDGE": _on_unbridge,
        "CHANNEL_EXECUTE_COMPLETE": _on_execute_complete,
        "CHANNEL_HANGUP": _on_hangup,
        "CHANNEL_HANGUP_COMPLETE": _on_hangup_complete,
        "CHANNEL_DESTROY": _on_destroy,
        "DTMF": _on_dtmf,
        "PLAYBACK_START": _on_playback_start,
        "PLAYBACK_STOP": _on_playback_stop,
        "RECORD_START": _on_record_start,
        "RECORD_STOP": _on_record_stop,
    }
