"""Outbound mode: FreeSWITCH connects to us, one socket per channel.

The dialplan hands a channel over with ``<action application="socket"
data="HOST:PORT async full"/>``; ``OutboundServer`` accepts the connection and runs
``handler(session)``. A typical handler::

    async def handle(session: OutboundSession) -> None:
        channel = await session.connect()
        await session.linger(10)
        await session.myevents()
        await session.execute("answer")
        done = await session.execute("play_and_get_digits", "1 1 3 5000 # ... choice \\\\d")
        choice = done.variable("choice") if done else None

When the handler returns the socket is closed, and FreeSWITCH goes on with the dialplan (or
hangs the channel up when ``socket`` was the last action).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable

from ccore.esl.connection import Closed, EslConnection
from ccore.esl.errors import CommandTimeout, ConnectionLost
from ccore.esl.event import EslEvent

_LOGGER = logging.getLogger(__name__)


class OutboundSession:
    """The conversation about one channel that FreeSWITCH handed to us.

    Every event the socket receives is put on ``events`` (an ``asyncio.Queue`` of
    ``EslEvent``), for handlers that want to follow the channel. The queue is bounded; a
    handler that never reads it loses nothing else: extra events are dropped and counted in
    ``dropped_events``. Executes are matched to their CHANNEL_EXECUTE_COMPLETE independently
    of the queue.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        max_events: int = 1000,
    ) -> None:
        self._esl = EslConnection(reader, writer, on_event=self._on_event)
        self.events: asyncio.Queue[EslEvent] = asyncio.Queue(max_events)
        self.dropped_events = 0
        self.channel: EslEvent | None = None
        self.hangup_cause: str | None = None
        self._executions: dict[str, asyncio.Future[EslEvent]] = {}

    def start(self) -> None:
        """Start reading from the socket."""
        self._esl.start()

    @property
    def channel_uuid(self) -> str | None:
        """The channel's UUID, known once ``connect()`` returned."""
        return self.channel.uuid if self.channel is not None else None

    @property
    def closed(self) -> Closed:
        """Set once the socket is closed; ``await session.closed`` waits for it."""
        return self._esl.closed

    @property
    def close_reason(self) -> str | None:
        """Why the socket closed (FreeSWITCH's disconnect notice text), if it did."""
        return self._esl.close_reason

    async def connect(self, timeout: float = 5.0) -> EslEvent:
        """Send ``connect`` and return the channel data (UUID, caller id, variables)."""
        reply = await self._esl.command("connect", timeout=timeout)
        self.channel = EslEvent.from_headers(reply.headers)
        _LOGGER.info("outbound socket took channel %s", self.channel.uuid)
        return self.channel

    async def myevents(self, fmt: str | None = "json") -> None:
        """Receive this channel's events; ``fmt`` None sends a bare ``myevents`` (plain)."""
        await self._esl.command("myevents" if fmt is None else f"myevents {fmt}")

    async def linger(self, seconds: int | None = None) -> None:
        """Keep the socket open after hangup, so the last events still arrive."""
        await self._esl.linger(seconds)

    async def subscribe(self, events: list[str], fmt: str = "json") -> None:
        """Add events beyond ``myevents`` (e.g. PLAYBACK_START); CUSTOM subclasses last."""
        await self._esl.subscribe(events, fmt)

    async def api(self, cmd: str, timeout: float = 10.0) -> str:
        """Run an ``api`` command (needs ``full`` in the socket dialplan action)."""
        return await self._esl.api(cmd, timeout)

    async def execute(
        self,
        app: str,
        arg: str = "",
        *,
        event_lock: bool = True,
        wait: bool = True,
        timeout: float | None = None,
    ) -> EslEvent | None:
        """Execute a dialplan application on the channel.

        With ``wait``, returns the CHANNEL_EXECUTE_COMPLETE whose ``Application-UUID`` is the
        ``Event-UUID`` sent with it; raises ConnectionLost if the channel hangs up or the
        socket closes first, CommandTimeout after ``timeout`` seconds (None: no limit).
        Without ``wait``, returns None once FreeSWITCH has queued the application.
        """
        if self.hangup_cause is not None:
            raise ConnectionLost("not_sent", f"channel hung up: {self.hangup_cause}")
        app_uuid = str(uuid.uuid4())
        loop = asyncio.get_running_loop()
        done: asyncio.Future[EslEvent] = loop.create_future()
        if wait:
            self._executions[app_uuid] = done
        try:
            await self._esl.sendmsg(None, "execute", app=app, arg=arg, event_lock=event_lock,
                                    event_uuid=app_uuid)
            if not wait:
                return None
            closed = asyncio.ensure_future(self._esl.closed.wait())
            try:
                await asyncio.wait({done, closed}, timeout=timeout,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                closed.cancel()
            if done.done():
                return done.result()
            if self._esl.is_closed:
                raise ConnectionLost("unconfirmed", self._esl.close_reason or "socket closed")
            raise CommandTimeout(f"execute {app}", timeout or 0.0)
        finally:
            self._executions.pop(app_uuid, None)
            if done.done() and not done.cancelled():
                done.exception()  # retrieved: the error is raised above when it matters

    async def hangup(self, cause: str = "NORMAL_CLEARING") -> None:
        """Hang the channel up with ``cause``."""
        await self._esl.sendmsg(None, "hangup", hangup_cause=cause)

    async def close(self) -> None:
        """Close the socket; FreeSWITCH then continues (or ends) the dialplan."""
        self._esl.close()
        await self._esl.wait_closed()

    def _on_event(self, event: EslEvent) -> None:
        """Match execute completions, notice the hangup, and queue the event."""
        if event.name == "CHANNEL_EXECUTE_COMPLETE":
            waiter = self._executions.pop(event.get("Application-UUID") or "", None)
            if waiter is not None and not waiter.done():
                waiter.set_result(event)
        elif event.name == "CHANNEL_HANGUP" and event.uuid == self.channel_uuid:
            self.hangup_cause = event.get("Hangup-Cause") or "UNKNOWN"
            lost = ConnectionLost("unconfirmed", f"channel hung up: {self.hangup_cause}")
            for waiter in self._executions.values():
                if not waiter.done():
                    waiter.set_exception(lost)
        try:
            self.events.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped_events += 1


OutboundHandler = Callable[[OutboundSession], Awaitable[None]]


class OutboundServer:
    """Accepts FreeSWITCH's outbound sockets and runs ``handler`` for each channel."""

    def __init__(self, host: str, port: int, handler: OutboundHandler) -> None:
        self.host = host
        self._requested_port = port
        self.handler = handler
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The port actually listened on (useful after asking for port 0)."""
        if self._server is None or not self._server.sockets:
            return self._requested_port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Start listening."""
        self._server = await asyncio.start_server(self._accept, self.host, self._requested_port)
        _LOGGER.info("outbound ESL server listening on %s:%s", self.host, self.port)

    async def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the running sessions to end by themselves."""
        running = {task for task in self._sessions if not task.done()}
        if running:
            _, pending = await asyncio.wait(running, timeout=timeout)
            return not pending
        return True

    async def stop(self) -> None:
        """Stop listening and end every running session."""
        if self._server is not None:
            self._server.close()
        for task in list(self._sessions):
            task.cancel()
        if self._sessions:
            await asyncio.wait(self._sessions, timeout=2)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Run the handler for one incoming channel; always close the socket afterwards."""
        task = asyncio.current_task()
        if task is not None:
            self._sessions.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        session = OutboundSession(reader, writer)
        session.start()
        try:
            await self.handler(session)
        except ConnectionLost as exc:
            _LOGGER.info("outbound channel %s ended: %s", session.channel_uuid, exc)
        except asyncio.CancelledError:
            # stop() ended this session. Returning normally (not cancelled) keeps asyncio's
            # stream callback from logging the cancellation as an error at every shutdown.
            _LOGGER.debug("outbound channel %s closed by shutdown", session.channel_uuid)
        except Exception:
            _LOGGER.exception("outbound handler failed for channel %s", session.channel_uuid)
        finally:
            with contextlib.suppress(asyncio.CancelledError):
                await session.close()
            if task is not None:
                self._sessions.discard(task)
