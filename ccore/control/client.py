"""A Python client of the control API: what the terminal UI (and a Python CTI) uses.

``ControlClient`` keeps one connection to the core, reconnecting with backoff when it drops, and
calls back with events, snapshots and connection changes. ``request`` sends a command and
returns its result, or raises ``ControlError`` with the server's code and message.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

_LOGGER = logging.getLogger(__name__)

DISCONNECTED = "disconnected"


class ControlError(Exception):
    """A command failed; ``code`` is one of the codes in ``docs/api.md``."""

    def __init__(self, code: str, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []


class ControlClient:
    """A reconnecting connection to a center's control API."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        events: list[str] | None = None,
        snapshot_interval: float | None = 0.5,
        request_timeout: float = 30.0,
        locate: Callable[[], Any] | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.events = events if events is not None else ["*"]
        self.snapshot_interval = snapshot_interval
        self.request_timeout = request_timeout
        self.locate = locate  # re-reads the address (e.g. ``read_connection_info``) each try
        self.on_event: Callable[[dict[str, Any]], None] | None = None
        self.on_snapshot: Callable[[dict[str, Any]], None] | None = None
        self.on_connection: Callable[[bool, str], None] | None = None
        self.hello: dict[str, Any] = {}
        self.connected = False
        self.last_error = ""
        self._connection: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._task: asyncio.Task[None] | None = None
        self._up = asyncio.Event()

    async def start(self) -> None:
        """Connect in the background (and keep reconnecting); returns at once."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def wait_connected(self, timeout: float = 5.0) -> None:
        """Wait until connected and authenticated."""
        await asyncio.wait_for(self._up.wait(), timeout)

    async def close(self) -> None:
        """Disconnect and stop reconnecting."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self._connection is not None:
            await self._connection.close()

    async def request(self, command: str, **args: Any) -> Any:
        """Run ``command`` with ``args`` on the core and return its result."""
        connection = self._connection
        if connection is None:
            raise ControlError(DISCONNECTED, "not connected to the core")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message = {"type": "request", "id": request_id, "command": command, "args": args}
        try:
            await connection.send(json.dumps(message))
            return await asyncio.wait_for(future, self.request_timeout)
        except ConnectionClosed:
            raise ControlError(DISCONNECTED, "the connection to the core closed") from None
        except TimeoutError:
            message = f"{command}: no answer in {self.request_timeout}s"
            raise ControlError("timeout", message) from None
        finally:
            self._pending.pop(request_id, None)

    # --- the connection ----------------------------------------------------------------------

    async def _run(self) -> None:
        delay = 0.3
        while True:
            if self.locate is not None:  # the core may have restarted on another address
                found = self.locate()
                if found is not None:
                    self.url, self.token = found.url, found.token
            try:
                async with connect(self.url, max_size=1 << 22, open_timeout=5) as connection:
                    await self._authenticate(connection)
                    delay = 0.3
                    await self._serve(connection)
                reason = "the core closed the connection"
            except ControlError as error:
                reason = error.message
                if error.code == "auth_failed":
                    self._set_connected(False, reason)
                    return  # a wrong token does not get better by retrying
            except ConnectionRefusedError:
                reason = f"nothing answers at {self.url}: is the center (`ccore run`) running?"
            except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake) as error:
                reason = f"core not reachable at {self.url} ({type(error).__name__}: {error})"
            self._set_connected(False, reason)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _authenticate(self, connection: ClientConnection) -> None:
        await connection.send(json.dumps({"type": "auth", "token": self.token}))
        try:
            reply = json.loads(await asyncio.wait_for(connection.recv(), 5.0))
        except ConnectionClosed:
            raise ControlError("auth_failed", "the core refused the token") from None
        if reply.get("type") != "hello":
            error = reply.get("error", {})
            raise ControlError(error.get("code", "auth_failed"), error.get("message", str(reply)))
        self.hello = reply
        self._connection = connection

    async def _serve(self, connection: ClientConnection) -> None:
        reader = asyncio.get_running_loop().create_task(self._read(connection))
        try:
            if self.events or self.snapshot_interval:
                await self.request(
                    "subscribe", events=self.events, snapshot_interval=self.snapshot_interval
                )
            self._set_connected(True, "")
            await reader
        finally:
            reader.cancel()
            self._connection = None
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ControlError(DISCONNECTED, "connection lost"))

    async def _read(self, connection: ClientConnection) -> None:
        async for text in connection:
            try:
                message = json.loads(text)
            except ValueError:
                continue
            kind = message.get("type")
            if kind == "response":
                future = self._pending.get(message.get("id"))
                if future is None or future.done():
                    continue
                if message.get("ok"):
                    future.set_result(message.get("result"))
                else:
                    error = message.get("error") or {}
                    future.set_exception(
                        ControlError(
                            error.get("code", "error"),
                            error.get("message", ""),
                            error.get("details"),
                        )
                    )
            elif kind == "event" and self.on_event is not None:
                self._callback(self.on_event, message.get("event") or {})
            elif kind == "snapshot" and self.on_snapshot is not None:
                self._callback(self.on_snapshot, message.get("snapshot") or {})

    def _set_connected(self, connected: bool, reason: str) -> None:
        self.connected = connected
        if connected:
            self._up.set()
        else:
            self._up.clear()
        if reason:
            self.last_error = reason
        if self.on_connection is not None:
            self._callback(self.on_connection, connected, reason)

    @staticmethod
    def _callback(callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception:
            _LOGGER.exception("Control client callback failed")
