"""The control API server: JSON over a WebSocket (the ``websockets`` library) on loopback.

Each connection authenticates first with the token from the data directory, then sends requests
and receives responses, and, after ``subscribe``, domain events and periodic snapshots. The
server never waits on a slow client: its outgoing messages go through a bounded queue, and
events that do not fit are dropped and counted (the client sees ``dropped`` in the next
snapshot and can ask for a fresh one). A client coming and going never touches calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from ccore.config import load_center
from ccore.control.commands import COMMANDS, CommandContext, run_command
from ccore.control.protocol import (
    AUTH_FAILED,
    BAD_MESSAGE,
    INTERNAL,
    PROTOCOL_VERSION,
    CommandFailed,
    encode,
    error_response,
    response,
)
from ccore.control.snapshot import build_snapshot
from ccore.control.token import DEFAULT_PORT, ensure_token, remove_address, write_address

if TYPE_CHECKING:
    from ccore.core import Center
    from ccore.events import Event

_LOGGER = logging.getLogger(__name__)

AUTH_TIMEOUT = 5.0
OUTGOING_LIMIT = 2000
MAX_MESSAGE = 1 << 20


class Session:
    """One authenticated client connection."""

    def __init__(self, server: ControlServer, connection: ServerConnection) -> None:
        self.server = server
        self.connection = connection
        self.outgoing: asyncio.Queue[str] = asyncio.Queue(OUTGOING_LIMIT)
        self.dropped = 0
        self.patterns: list[str] = []
        self.snapshot_interval: float | None = None
        self.dirty = True
        self._unsubscribe: Callable[[], None] | None = None
        self._snapshot_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.context = CommandContext(
            server.center,
            server.editing,
            session=self,
            apply_lock=server.apply_lock,
            recordings=server.recordings,
        )

    # --- outgoing ----------------------------------------------------------------------------

    async def send(self, message: dict[str, Any]) -> None:
        """Queue a message that must arrive (a response)."""
        await self.outgoing.put(encode(message))

    def offer(self, message: dict[str, Any]) -> None:
        """Queue a message that may be dropped when the client is too slow (an event)."""
        try:
            self.outgoing.put_nowait(encode(message))
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped in (1, 100) or self.dropped % 1000 == 0:
                _LOGGER.warning(
                    "Control client %s is slow: %d events dropped",
                    self.connection.remote_address,
                    self.dropped,
                )

    async def write(self) -> None:
        """Send queued messages until the connection closes."""
        while True:
            text = await self.outgoing.get()
            await self.connection.send(text)

    # --- subscriptions -----------------------------------------------------------------------

    def subscribe(self, patterns: list[str], snapshot_interval: float | None) -> None:
        """Stream events matching ``patterns``; push snapshots every ``snapshot_interval``."""
        self.unsubscribe()
        self.patterns = list(patterns)
        self._unsubscribe = self.server.center.bus.listen("*", self._on_event)
        self.snapshot_interval = snapshot_interval
        if snapshot_interval:
            self.dirty = True
            self._snapshot_task = asyncio.get_running_loop().create_task(self._push_snapshots())

    def unsubscribe(self) -> None:
        """Stop streaming."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._snapshot_task is not None:
            self._snapshot_task.cancel()
            self._snapshot_task = None
        self.patterns = []

    def _on_event(self, event: Event) -> None:
        self.dirty = True
        if any(fnmatch.fnmatchcase(event.name, pattern) for pattern in self.patterns):
            self.offer({"type": "event", "event": event.to_dict()})

    async def _push_snapshots(self) -> None:
        """Push a snapshot when something happened (at most every interval), and every second
        anyway, so waits and times in state move on screen."""
        interval = self.snapshot_interval or 1.0
        loop = asyncio.get_running_loop()
        sent_at = 0.0
        while True:
            if self.dirty or loop.time() - sent_at >= max(interval, 1.0) - 0.01:
                self.dirty = False
                sent_at = loop.time()
                snapshot = build_snapshot(self.server.center, self.server.recordings)
                snapshot["dropped_events"] = self.dropped
                self.offer({"type": "snapshot", "snapshot": snapshot})
            await asyncio.sleep(interval)

    # --- incoming ----------------------------------------------------------------------------

    async def handle(self, text: str | bytes) -> None:
        """Answer one request (run as its own task, so a slow command blocks nothing)."""
        request_id: Any = None
        try:
            try:
                message = json.loads(text)
            except ValueError:
                raise CommandFailed(BAD_MESSAGE, "not JSON") from None
            if not isinstance(message, dict):
                raise CommandFailed(BAD_MESSAGE, "expected a JSON object")
            request_id = message.get("id")
            if message.get("type", "request") != "request":
                raise CommandFailed(BAD_MESSAGE, f"unexpected message type {message.get('type')!r}")
            name = message.get("command")
            if not isinstance(name, str):
                raise CommandFailed(BAD_MESSAGE, "a request needs a command (a string)")
            result = await run_command(self.context, name, message.get("args"))
            await self.send(response(request_id, result))
        except CommandFailed as failure:
            await self.send(error_response(request_id, failure))
        except Exception as error:
            _LOGGER.exception("Control command failed")
            failure = CommandFailed(INTERNAL, f"{type(error).__name__}: {error}")
            await self.send(error_response(request_id, failure))

    async def serve(self) -> None:
        """Read requests until the client goes away."""
        writer = asyncio.get_running_loop().create_task(self.write())
        try:
            async for text in self.connection:
                task = asyncio.get_running_loop().create_task(self.handle(text))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        except ConnectionClosed:
            pass
        finally:
            self.unsubscribe()
            for task in (*self._tasks, writer):
                task.cancel()


class ControlServer:
    """The center's control API on ``ws://host:port`` (loopback by default)."""

    def __init__(self, center: Center, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT):
        self.center = center
        self.host = host
        self.port = port
        self.editing = load_center(center.config.directory)  # the copy edits go to
        self.apply_lock = asyncio.Lock()
        self.recordings: dict[str, str] = {}
        self.sessions: set[Session] = set()
        self._server: Server | None = None
        self.token = ""

    @property
    def url(self) -> str:
        """The address clients connect to."""
        return f"ws://{self.host}:{self.port}"

    async def start(self) -> None:
        """Create the token if needed, listen, and record the address in the data directory."""
        self.token = ensure_token(self.center.data_dir)
        self._server = await serve(
            self._connection, self.host, self.port, max_size=MAX_MESSAGE, ping_interval=20
        )
        if self.port == 0:
            self.port = next(iter(self._server.sockets)).getsockname()[1]
        write_address(self.center.data_dir, self.url)
        _LOGGER.info("Control API listening on %s", self.url)

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        remove_address(self.center.data_dir)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _connection(self, connection: ServerConnection) -> None:
        if not await self._authenticate(connection):
            return
        session = Session(self, connection)
        self.sessions.add(session)
        try:
            await connection.send(
                encode(
                    {
                        "type": "hello",
                        "version": PROTOCOL_VERSION,
                        "center": self.center.config.model.center.name,
                        "commands": sorted(COMMANDS),
                    }
                )
            )
            await session.serve()
        finally:
            self.sessions.discard(session)

    async def _authenticate(self, connection: ServerConnection) -> bool:
        """The first message must be ``{"type": "auth", "token": ...}`` with the right token."""
        try:
            text = await asyncio.wait_for(connection.recv(), AUTH_TIMEOUT)
            message = json.loads(text)
        except (TimeoutError, ValueError, ConnectionClosed):
            message = None
        token = message.get("token") if isinstance(message, dict) else None
        if (
            isinstance(message, dict)
            and message.get("type") == "auth"
            and isinstance(token, str)
            and secrets.compare_digest(token.encode(), self.token.encode())
        ):
            return True
        _LOGGER.warning(
            "Control API: refused a client at %s (bad token)", connection.remote_address
        )
        failure = CommandFailed(
            AUTH_FAILED,
            'authentication failed: send {"type": "auth", "token": ...} first, with the'
            " token from the center's data directory (control.token)",
        )
        with contextlib.suppress(ConnectionClosed):
            await connection.send(encode({"type": "error", "error": failure.as_error()}))
            await connection.close(code=4401, reason="authentication failed")
        return False
