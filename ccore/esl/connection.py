"""One Event Socket connection: a reader that never waits, a reply FIFO, a bounded event queue.

The reader task only reads and parses. Replies (``command/reply`` and ``api/response`` alike,
since a denied ``api`` is answered with ``command/reply``) resolve the oldest pending command
at once; events go to a bounded queue drained by a dispatcher task that calls ``on_event``.
When the queue is full, events are dropped and counted, so a slow consumer never stalls the
socket (a stalled socket makes FreeSWITCH drop events and finally kill the listener).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
import uuid
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

from ccore.esl.errors import (
    AuthError,
    CommandError,
    CommandTimeout,
    ConnectionLost,
    FrameError,
)
from ccore.esl.event import EslEvent
from ccore.esl.frames import (
    Frame,
    FrameParser,
    encode_command,
    event_command,
    sendmsg_message,
)

_LOGGER = logging.getLogger(__name__)

EventCallback = Callable[[EslEvent], Any]

_EVENT_TYPES = frozenset({"text/event-plain", "text/event-json"})
_REPLY_TYPES = frozenset({"command/reply", "api/response"})
_ERROR_PREFIXES = ("-ERR", "-USAGE", "-ERROR")
_READ_SIZE = 65536
_YIELD_EVERY = 32
_YIELD_AFTER = 0.005  # seconds
_KEEPALIVE = (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3))


def is_error_text(text: str) -> bool:
    """True when an api/bgapi answer reports a failure (``-ERR``, ``-USAGE``, ``-ERROR``)."""
    return text.startswith(_ERROR_PREFIXES)


class Closed(asyncio.Event):
    """An ``asyncio.Event`` that can also be awaited directly: ``await connection.closed``."""

    def __await__(self) -> Generator[Any, None, bool]:
        return self.wait().__await__()


class EslConnection:
    """An ESL conversation over one asyncio stream pair (inbound or outbound mode)."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        on_event: EventCallback | None = None,
        max_queue: int = 10_000,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self.on_event = on_event
        self._parser = FrameParser()
        self._pending: deque[asyncio.Future[Frame]] = deque()
        self._jobs: dict[str, asyncio.Future[str]] = {}
        self._queue: asyncio.Queue[EslEvent | None] = asyncio.Queue(max_queue)
        self._loop = asyncio.get_running_loop()
        self._greeting: asyncio.Future[None] = self._loop.create_future()
        self._tasks: list[asyncio.Task[None]] = []
        self._dropping = False
        self.dropped_events = 0
        self.heartbeat = self._loop.time()
        self.closed = Closed()
        self.close_reason: str | None = None
        self.lingering = False
        self.rejected = False
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.peer: tuple[str, int] = (str(peer[0]), int(peer[1]))

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        *,
        on_event: EventCallback | None = None,
        timeout: float = 5.0,
        max_queue: int = 10_000,
    ) -> EslConnection:
        """Connect to ``host:port`` (TCP keepalive, no Nagle) and start reading."""
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            for option, value in _KEEPALIVE:  # notice a dead peer in about a minute
                if hasattr(socket, option):
                    sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)
        connection = cls(reader, writer, on_event=on_event, max_queue=max_queue)
        connection.peer = (host, port)
        connection.start()
        return connection

    def start(self) -> None:
        """Start the reader and the dispatcher tasks."""
        self._tasks = [
            asyncio.create_task(self._read_loop(), name="esl-reader"),
            asyncio.create_task(self._dispatch_loop(), name="esl-dispatcher"),
        ]

    @property
    def is_closed(self) -> bool:
        """True once the connection is gone (or about to go: a disconnect notice came)."""
        return self.closed.is_set()

    # -- reading ------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        """Read and parse until the socket ends; resolve replies, queue events."""
        reason = "connection closed by FreeSWITCH"
        try:
            while True:
                data = await self._reader.read(_READ_SIZE)
                if not data:
                    break
                try:
                    frames = self._parser.feed(data)
                except FrameError as exc:
                    for frame in exc.frames:
                        self._handle_frame(frame)
                    _LOGGER.error("ESL stream from %s:%s is broken: %s", *self.peer, exc)
                    reason = f"framing error: {exc}"
                    break
                for frame in frames:
                    self._handle_frame(frame)
        except (ConnectionError, OSError) as exc:
            reason = f"socket error: {exc}"
        finally:
            self._shutdown(reason)

    def _handle_frame(self, frame: Frame) -> None:
        """Route one frame: reply to its waiter, event to the queue, notices to state."""
        content_type = frame.content_type
        if content_type in _EVENT_TYPES:
            self._handle_event(frame)
        elif content_type in _REPLY_TYPES:
            self._resolve_reply(frame)
        elif content_type == "auth/request":
            if not self._greeting.done():
                self._greeting.set_result(None)
        elif content_type == "text/disconnect-notice":
            if frame.headers.get("Content-Disposition") == "linger":
                self.lingering = True
                _LOGGER.debug("ESL %s:%s lingers after hangup", *self.peer)
            else:
                self._shutdown(frame.body.decode("utf-8", "replace").strip() or "disconnected")
        elif content_type == "text/rude-rejection":
            self.rejected = True
            self._shutdown(frame.body.decode("utf-8", "replace").strip() or "rejected")
        else:
            _LOGGER.debug("ESL ignores a %r frame", content_type)

    def _resolve_reply(self, frame: Frame) -> None:
        """Hand a reply to the oldest pending command; tombstoned slots swallow late replies."""
        if not self._pending:
            _LOGGER.warning("ESL reply with no command waiting: %s", frame.headers)
            return
        future = self._pending.popleft()
        if future.done():
            _LOGGER.debug("ESL discards a late reply to a timed-out command")
        else:
            future.set_result(frame)

    def _handle_event(self, frame: Frame) -> None:
        """Parse an event, settle a matching bgapi job, and queue it for the dispatcher."""
        try:
            event = EslEvent.from_frame(frame)
        except ValueError as exc:
            _LOGGER.error("ESL event cannot be parsed: %s", exc)
            return
        self.heartbeat = self._loop.time()
        if event.name == "BACKGROUND_JOB":
            job = self._jobs.pop(event.job_uuid or "", None)
            if job is not None and not job.done():
                job.set_result(event.body)
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped_events += 1
            if not self._dropping:
                self._dropping = True
                _LOGGER.critical(
                    "ESL event queue full (%s events): dropping events; the consumer is too slow",
                    self._queue.maxsize,
                )
            return
        if self._dropping and self._queue.qsize() * 2 <= self._queue.maxsize:
            # the burst is over only once the consumer has caught up to half the queue, so
            # that a steady overload logs once rather than at every freed slot
            self._dropping = False
            _LOGGER.warning("ESL event queue has room again; %s dropped so far",
                            self.dropped_events)

    async def _dispatch_loop(self) -> None:
        """Deliver queued events to ``on_event`` one by one; its errors are only logged.

        A coroutine ``on_event`` is awaited before the next event, keeping the order. The loop
        ends once the connection is closed and every queued event was delivered.
        """
        delivered = 0
        last_yield = self._loop.time()
        while not (self.closed.is_set() and self._queue.empty()):
            event = await self._queue.get()
            if event is None:
                continue
            callback = self.on_event
            if callback is not None:
                try:
                    result = callback(event)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    _LOGGER.exception("ESL on_event failed for %s", event.name)
            delivered += 1
            # A full queue never makes get() wait: step aside now and then (at once after a
            # slow, blocking callback) so that the reader keeps reading the socket.
            if delivered % _YIELD_EVERY == 0 or self._loop.time() - last_yield > _YIELD_AFTER:
                await asyncio.sleep(0)
                last_yield = self._loop.time()

    def _shutdown(self, reason: str) -> None:
        """Mark the connection closed and fail everything still waiting on it."""
        if self.closed.is_set():
            return
        self.close_reason = reason
        self.closed.set()
        _LOGGER.info("ESL connection to %s:%s closed: %s", *self.peer, reason)
        if not self._greeting.done():
            self._greeting.set_exception(ConnectionLost("not_sent", reason))
            self._greeting.exception()  # retrieved: nobody may be waiting for a greeting
        lost = ConnectionLost("unconfirmed", reason)
        while self._pending:
            future = self._pending.popleft()
            if not future.done():
                future.set_exception(lost)
        for job in self._jobs.values():
            if not job.done():
                job.set_exception(lost)
        self._jobs.clear()
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)  # wakes an idle dispatcher so that it can end
        self._writer.close()

    # -- commands -----------------------------------------------------------------------

    async def _request(
        self,
        line: str,
        headers: dict[str, str] | None,
        body: str | bytes | None,
        timeout: float,
        label: str,
    ) -> Frame:
        """Send one command and wait for its reply frame (errors are not inspected)."""
        if self.closed.is_set():
            raise ConnectionLost("not_sent", self.close_reason or "")
        data = encode_command(line, headers, body)
        future: asyncio.Future[Frame] = self._loop.create_future()
        try:
            self._writer.write(data)
        except (ConnectionError, OSError, RuntimeError) as exc:
            raise ConnectionLost("not_sent", str(exc)) from exc
        self._pending.append(future)

        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
        # that arrives together with the reply, and a cancelled plugin task would run on.
        # A cancelled caller cancels ``future``, which stays in the FIFO as a tombstone.
        try:
            async with asyncio.timeout(timeout):
                await self._writer.drain()
                return await future
        except TimeoutError:
            future.cancel()  # the slot stays in the FIFO as a tombstone for the late reply
            raise CommandTimeout(label, timeout) from None
        except (ConnectionError, OSError) as exc:
            future.cancel()
            raise ConnectionLost("unconfirmed", str(exc)) from exc

    async def command(
        self,
        line: str,
        headers: dict[str, str] | None = None,
        body: str | bytes | None = None,
        timeout: float = 5.0,
    ) -> Frame:
        """Send a command, return its reply frame; ``-ERR`` replies raise CommandError."""
        frame = await self._request(line, headers, body, timeout, line)
        text = frame.headers.get("Reply-Text", "")
        if frame.content_type == "command/reply" and text.startswith("-ERR"):
            raise CommandError(line, text)
        return frame

    async def authenticate(self, password: str, timeout: float = 5.0) -> None:
        """Wait for the ``auth/request`` greeting and log in; a refusal raises AuthError."""
        host, port = self.peer
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(self._greeting)
        except TimeoutError:
            raise CommandTimeout("auth/request greeting", timeout) from None
        except ConnectionLost as exc:
            if self.rejected:
                raise AuthError(host, port, exc.reason) from None
            raise
        frame = await self._request(f"auth {password}", None, None, timeout, "auth")
        text = frame.headers.get("Reply-Text", "")
        if not text.startswith("+OK"):
            raise AuthError(host, port, text)

    async def api(self, cmd: str, timeout: float = 10.0) -> str:
        """Run ``api <cmd>`` and return its output; an error answer raises CommandError."""
        frame = await self._request(f"api {cmd}", None, None, timeout, f"api {cmd}")
        if frame.content_type == "command/reply":  # e.g. -ERR permission denied
            text = frame.headers.get("Reply-Text", "")
        else:
            text = frame.body.decode("utf-8", "replace")
        if is_error_text(text):
            raise CommandError(cmd, text)
        return text

    async def bgapi(self, cmd: str, timeout: float = 30.0) -> str:
        """Run ``bgapi <cmd>`` and return the BACKGROUND_JOB output; errors raise CommandError.

        The Job-UUID is chosen here and its waiter registered before sending, so the result
        cannot slip past. The BACKGROUND_JOB event still reaches ``on_event``.
        """
        deadline = self._loop.time() + timeout
        job_uuid = str(uuid.uuid4())
        job: asyncio.Future[str] = self._loop.create_future()
        self._jobs[job_uuid] = job
        try:
            reply = await self.command(f"bgapi {cmd}", {"Job-UUID": job_uuid}, timeout=timeout)
            granted = reply.headers.get("Job-UUID", job_uuid)
            if granted != job_uuid:  # a switch that ignored our Job-UUID header
                self._jobs[granted] = self._jobs.pop(job_uuid)
                job_uuid = granted
            remaining = max(0.0, deadline - self._loop.time())
            try:
                async with asyncio.timeout(remaining):
                    text = await job
            except TimeoutError:
                raise CommandTimeout(f"bgapi {cmd}", timeout) from None
        finally:
            self._jobs.pop(job_uuid, None)
            if job.done() and not job.cancelled():
                job.exception()  # mark retrieved: the command's own error is what we raise
        if is_error_text(text):
            raise CommandError(cmd, text)
        return text

    async def subscribe(self, events: list[str], fmt: str = "json") -> None:
        """Subscribe to events (``event <fmt> A B CUSTOM x y``); subscriptions add up."""
        await self.command(event_command(f"event {fmt}", events))

    async def nixevent(self, events: list[str]) -> None:
        """Unsubscribe from some events (``nixevent A B CUSTOM x``)."""
        await self.command(event_command("nixevent", events))

    async def filter(self, header: str, value: str) -> None:
        """Add an event filter: only events whose ``header`` matches ``value`` pass."""
        await self.command(f"filter {header} {value}")

    async def filter_delete(self, header: str, value: str | None = None) -> None:
        """Remove a filter (or every filter on ``header``, or ``all``)."""
        await self.command(f"filter delete {header}" + (f" {value}" if value else ""))

    async def sendmsg(
        self,
        uuid: str | None,
        command: str = "execute",
        *,
        app: str | None = None,
        arg: str | None = None,
        event_lock: bool = False,
        event_uuid: str | None = None,
        hangup_cause: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 5.0,
    ) -> Frame:
        """Send a ``sendmsg`` to a channel (``uuid`` None: the outbound socket's own channel).

        ``hangup`` uses ``hangup_cause`` (default NORMAL_CLEARING); see ``sendmsg_message``.
        """
        message, body = sendmsg_message(
            command, app=app, arg=arg, event_lock=event_lock, event_uuid=event_uuid,
            hangup_cause=hangup_cause, headers=headers,
        )
        line = f"sendmsg {uuid}" if uuid else "sendmsg"
        return await self.command(line, message, body, timeout)

    async def linger(self, seconds: int | None = None) -> None:
        """Keep the socket open after the channel hangs up (outbound mode)."""
        await self.command("linger" if seconds is None else f"linger {seconds}")

    async def exit(self, timeout: float = 5.0) -> None:
        """Say goodbye (``exit``); FreeSWITCH then sends a disconnect notice and closes."""
        with contextlib.suppress(ConnectionLost):
            await self.command("exit", timeout=timeout)

    def close(self) -> None:
        """Close the socket now and stop both tasks; pending commands fail ConnectionLost."""
        self._shutdown(self.close_reason or "closed locally")
        for task in self._tasks:
            task.cancel()

    async def wait_closed(self) -> None:
        """Wait until the connection is closed and both tasks have ended."""
        await self.closed.wait()
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
