"""The switch's event dispatcher: stamps every fired event and hands it to the listeners."""

from __future__ import annotations

import logging
import time
import uuid as uuidlib
from collections.abc import Callable
from email.utils import formatdate

from .clock import SimClock
from .wire import Event

log = logging.getLogger(__name__)

Origin = tuple[str, str, int]
"""Source location FreeSWITCH names in Event-Calling-File/-Function/-Line-Number."""

EventSink = Callable[[Event], None]


class EventHub:
    """Fires events the way ``switch_event_fire`` does.

    Each fired event gets the headers of ``switch_event_prep_for_delivery`` (Core-UUID,
    host names, dates from the simulated clock, calling location and the switch-wide
    ``Event-Sequence``) and is given, synchronously and in order, to every sink.
    """

    def __init__(
        self,
        clock: SimClock,
        *,
        hostname: str = "standin",
        ipv4: str = "127.0.0.1",
        ipv6: str = "::1",
    ) -> None:
        self.clock = clock
        self.hostname = hostname
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.core_uuid = str(uuidlib.uuid4())
        self.sequence = 0
        self._sinks: list[EventSink] = []

    def new_core_uuid(self) -> str:
        """Change the Core-UUID, as a restart of FreeSWITCH does."""
        self.core_uuid = str(uuidlib.uuid4())
        return self.core_uuid

    def add_sink(self, sink: EventSink) -> Callable[[], None]:
        """Deliver every fired event to ``sink``; returns the function that stops it."""
        self._sinks.append(sink)

        def remove() -> None:
            if sink in self._sinks:
                self._sinks.remove(sink)

        return remove

    def date_headers(self) -> list[tuple[str, str]]:
        """Event-Date-Local, -GMT and -Timestamp for the current simulated time."""
        micros = self.clock.uepoch()
        seconds = micros / 1_000_000
        local = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))
        gmt = formatdate(seconds, usegmt=True)
        return [
            ("Event-Date-Local", local),
            ("Event-Date-GMT", gmt),
            ("Event-Date-Timestamp", str(micros)),
        ]

    def stamp(self, event: Event, origin: Origin) -> Event:
        """A copy of ``event`` with the delivery headers in front, and a new sequence number."""
        self.sequence += 1
        base = [
            ("Event-Name", event.name),
            ("Core-UUID", self.core_uuid),
            ("FreeSWITCH-Hostname", self.hostname),
            ("FreeSWITCH-Switchname", self.hostname),
            ("FreeSWITCH-IPv4", self.ipv4),
            ("FreeSWITCH-IPv6", self.ipv6),
            *self.date_headers(),
            ("Event-Calling-File", origin[0]),
            ("Event-Calling-Function", origin[1]),
            ("Event-Calling-Line-Number", str(origin[2])),
            ("Event-Sequence", str(self.sequence)),
        ]
        head = [("Event-Subclass", event.subclass)] if event.subclass else []
        return Event(event.name, head + base + event.headers, event.body, event.subclass)

    def fire(self, event: Event, origin: Origin) -> Event:
        """Stamp ``event`` and deliver it to every sink; returns the delivered event."""
        stamped = self.stamp(event, origin)
        for sink in list(self._sinks):
            try:
                sink(stamped)
            except Exception:  # a broken listener never stops the switch
                log.exception("event sink failed for %s", event.name)
        return stamped
