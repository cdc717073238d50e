"""One Event Socket connection, inbound or outbound: framing, commands, event queue."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections import deque
from typing import TYPE_CHECKING

from . import wire
from .commands import Commands, read_command
from .subscription import Subscription
from .wire import Event

if TYPE_CHECKING:
    from .channel import Channel
    from .switch import StandinSwitch

log = logging.getLogger(__name__)

MAX_MISSED = 500
FIRST_PACKET_TIMEOUT = 25.0
"""Real seconds a client has to send its first packet (read_packet's timeout)."""


class Listener(Commands):
    """An ESL connection with the state of ``listener_t``.

    ``session`` is the controlled channel (outbound sockets, or inbound after
    ``myevents <uuid>``). Events are queued by ``deliver`` and written by a pump task; the
    pump waits while a command runs, because FreeSWITCH writes no event while it executes
    one. A full queue drops events; past ``MAX_MISSED`` drops the listener is killed.
    """

    def __init__(
        self,
        switch: StandinSwitch,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        session: Channel | None = None,
        outbound: bool = False,
        full: bool = True,
        async_mode: bool = True,
        queue_size: int = 100_000,
    ) -> None:
        self.switch = switch
        self.reader = reader
        self.writer = writer
        self.session = session
        self.outbound = outbound
        self.full = full
        self.async_mode = async_mode
        self.authed = outbound
        self.connected = not outbound
        self.sub = Subscription()
        self.queue: deque[Event | bytes | None] = deque()
        self.queue_size = queue_size
        self.missed = 0
        self.linger: int | None = None
        self._wake = asyncio.Event()
        self._io = asyncio.Lock()
        self._closed = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self._unsubscribe = switch.hub.add_sink(self.deliver)
        self._hangup_seen = False
        self.events_enabled = False
        self.settled = asyncio.Event()

    # ---- event queue -------------------------------------------------------------------
    def deliver(self, event: Event) -> None:
        """Queue an event if this listener wants it (called for every fired event)."""
        if self._closed.is_set():
            return
        own = self.session.uuid if self.session is not None else None
        if self.sub.listening and self.sub.wants(event, own):
            if len(self.queue) >= self.queue_size:
                self.missed += 1
                if self.missed > MAX_MISSED:
                    log.error("killed listener because of lost events")
                    self.queue.clear()
                    self.queue.append(wire.disconnect_notice(wire.LOST_EVENTS_TEXT))
                    self.queue.append(None)
                    self._wake.set()
                return
            self.missed = 0
            self.queue.append(event)
            self._wake.set()
        if own is not None and event.get("Unique-ID") == own and not self._hangup_seen:
            if event.name == "CHANNEL_HANGUP" and self.linger is None:
                self._hangup_seen = True
                self.push_disconnect(wire.GOODBYE)
            elif event.name == "CHANNEL_HANGUP_COMPLETE" and self.linger is not None:
                self._hangup_seen = True
                self._start_linger()

    def push_disconnect(self, message: str) -> None:
        """Queue a disconnect notice after the queued events, then close."""
        uuid = self.session.uuid if self.session is not None else None
        self.queue.append(wire.disconnect_notice(message, uuid))
        self.queue.append(None)
        self._wake.set()

    def _start_linger(self) -> None:
        assert self.session is not None and self.linger is not None
        self.queue.append(
            wire.linger_notice(self.session.uuid, self.session.name, self.linger)
        )
        self._wake.set()
        if self.linger >= 0:
            self.switch.spawn(self._linger_then_close(self.linger))

    async def _linger_then_close(self, seconds: int) -> None:
        await self.switch.clock.sleep(seconds)
        if not self._closed.is_set():
            self.push_disconnect(wire.GOODBYE)

    async def _pump_events(self) -> None:
        while not self._closed.is_set():
            if not self.queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            async with self._io:
                item = self.queue.popleft()
                if item is None:
                    await self.close()
                    return
                data = item if isinstance(item, bytes) else wire.event_frame(item, self.sub.fmt)
                try:
                    self.writer.write(data)
                    await self.writer.drain()
                except (ConnectionError, RuntimeError):
                    await self.close()
                    return

    # ---- life cycle --------------------------------------------------------------------
    async def run(self) -> None:
        """Serve the connection until either side closes it."""
        self._pump = asyncio.create_task(self._pump_events())
        if self.session is not None:
            self.session.holders.add(self)
        try:
            if not self.outbound and not self._peer_allowed():
                await self._send(wire.rude_rejection())
                return
            if not self.outbound:
                await self._send(wire.auth_request())
            while not self._closed.is_set():
                # before auth (or the outbound connect) a packet must come within 25 s
                first = not self.authed or not self.connected
                try:
                    cmd = await asyncio.wait_for(read_command(self.reader),
                                                 FIRST_PACKET_TIMEOUT if first else None)
                except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
                    cmd = None
                if cmd is None:
                    break
                async with self._io:
                    keep = await self._handle(cmd)
                if self.outbound and self.connected and not cmd.line.lower().startswith("connect"):
                    self.settled.set()
                if not keep:
                    break
        finally:
            await self.close()

    def _peer_allowed(self) -> bool:
        """The default inbound ACL (loopback.auto): only local clients, unless opened up."""
        if self.switch.allow_remote:
            return True
        peer = self.writer.get_extra_info("peername")
        if not peer:
            return True
        try:
            return ipaddress.ip_address(peer[0]).is_loopback
        except ValueError:
            return True

    async def close(self) -> None:
        """Close the socket and let the controlled channel go."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._wake.set()
        self._unsubscribe()
        if self.session is not None:
            self.session.release(self)
        with contextlib.suppress(Exception):
            self.writer.close()
        if self._pump is not None and self._pump is not asyncio.current_task():
            self._pump.cancel()

    def abort(self) -> None:
        """Drop the connection without a notice (the switch crashed)."""
        self._closed.set()
        self._wake.set()
        self._unsubscribe()
        transport = self.writer.transport
        if transport is not None:
            transport.abort()
        if self._pump is not None:
            self._pump.cancel()

    @property
    def closed(self) -> bool:
        """Whether the connection is over."""
        return self._closed.is_set()

    async def wait_closed(self) -> None:
        """Wait until the connection is over."""
        await self._closed.wait()

    async def shutdown(self, message: str) -> None:
        """Write a disconnect notice now (switch shutdown) and close."""
        async with self._io:
            with contextlib.suppress(Exception):
                await self._send(wire.disconnect_notice(message))
        await self.close()

    async def _send(self, data: bytes) -> None:
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, RuntimeError):
            await self.close()
