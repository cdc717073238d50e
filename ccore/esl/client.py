"""The inbound ESL client: two connections to one FreeSWITCH, kept alive by a supervisor.

* The *event* connection subscribes (``event json ...`` plus HEARTBEAT) and applies the
  filters; it never runs ``api``, so a slow command cannot hold up events.
* The *control* connection runs ``api``/``bgapi``/``sendmsg`` and listens to BACKGROUND_JOB
  only, for bgapi results.

After connecting, the switch's Core-UUID is read (``api global_getvar core_uuid``, else the
first event's ``Core-UUID`` header) and ``on_connected(core_uuid, restarted)`` is called;
``restarted`` says the Core-UUID differs from the previous connection's, i.e. every channel
known before is gone. When either connection drops, or no event arrives for three heartbeat
intervals, ``on_disconnected(reason)`` is called and the supervisor reconnects with capped
exponential backoff, replaying every subscription and filter. Commands are never retried: while
disconnected they fail at once with ``ConnectionLost("not_sent")``. A refused password is a
configuration error: ``start()`` raises AuthError and the supervisor gives up on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
import re
from collections.abc import Callable
from typing import Any

from ccore.esl.connection import EslConnection, EventCallback
from ccore.esl.errors import AuthError, CommandError, ConnectionLost, EslError
from ccore.esl.event import EslEvent
from ccore.esl.frames import Frame

_LOGGER = logging.getLogger(__name__)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SILENCE_FACTOR = 3
_CONNECT_ERRORS = (OSError, EslError, TimeoutError)

ConnectedCallback = Callable[[str, bool], Any]
DisconnectedCallback = Callable[[str], Any]


class InboundClient:
    """A supervised pair of ESL connections (events, control) to one FreeSWITCH."""

    def __init__(
        self,
        host: str,
        port: int,
        password: str,
        *,
        events: list[str],
        on_event: EventCallback | None = None,
        on_connected: ConnectedCallback | None = None,
        on_disconnected: DisconnectedCallback | None = None,
        heartbeat_interval: float = 20.0,
        connect_timeout: float = 5.0,
        filters: list[tuple[str, str]] | None = None,
        backoff_base: float = 0.1,
        backoff_cap: float = 10.0,
        max_queue: int = 10_000,
    ) -> None:
        self.host = host
        self.port = port
        self._password = password
        self._events = list(events)
        if "HEARTBEAT" not in self._events:
            self._events.append("HEARTBEAT")  # the watchdog feeds on it
        self._filters = list(filters or [])
        self.on_event = on_event
        self.on_connected = on_connected
        self.on_disconnected = on_disconnected
        self.heartbeat_interval = heartbeat_interval
        self.connect_timeout = connect_timeout
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._max_queue = max_queue
        self._event_conn: EslConnection | None = None
        self._control: EslConnection | None = None
        self._connected = False
        self._stopping = False
        self._announce_pending = False
        self._seen_core_uuid: str | None = None
        self.core_uuid: str | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._callbacks: set[asyncio.Task[Any]] = set()
        self._dropped_before = 0

    @property
    def connected(self) -> bool:
        """True while both connections are up and set up."""
        return self._connected

    @property
    def dropped_events(self) -> int:
        """Events dropped because the application consumed them too slowly, all connections."""
        current = self._event_conn.dropped_events if self._event_conn is not None else 0
        return self._dropped_before + current

    async def start(self) -> None:
        """Connect and start supervising; AuthError on a refused password, nothing retried.

        If FreeSWITCH cannot be reached, the failure is logged and the supervisor keeps
        trying in the background; ``on_connected`` tells when it succeeds.
        """
        self._stopping = False
        try:
            await self._connect()
        except AuthError:
            raise
        except _CONNECT_ERRORS as exc:
            _LOGGER.warning("FreeSWITCH at %s:%s not reachable yet: %s", self.host, self.port, exc)
        self._supervisor = asyncio.create_task(self._supervise(), name="esl-supervisor")

    async def stop(self) -> None:
        """Say goodbye on both connections and stop supervising (no on_disconnected)."""
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        self._connected = False
        connections = [c for c in (self._event_conn, self._control) if c is not None]
        await asyncio.gather(*(self._say_goodbye(c) for c in connections))
        for task in list(self._callbacks):
            task.cancel()

    @staticmethod
    async def _say_goodbye(connection: EslConnection) -> None:
        """Send ``exit`` (briefly waiting for its answer), then close."""
        with contextlib.suppress(EslError):
            await connection.exit(timeout=0.5)
        connection.close()

    # -- commands (control connection) -----------------------------------------------

    def _control_connection(self) -> EslConnection:
        """The control connection, or ConnectionLost("not_sent") while disconnected."""
        control = self._control
        if not self._connected or control is None or control.is_closed:
            raise ConnectionLost("not_sent", f"not connected to {self.host}:{self.port}")
        return control

    async def api(self, cmd: str, timeout: float = 10.0) -> str:
        """Run a quick ``api`` command on the control connection and return its output."""
        return await self._control_connection().api(cmd, timeout)

    async def bgapi(self, cmd: str, timeout: float = 30.0) -> str:
        """Run ``bgapi`` on the control connection and return the job's output."""
        return await self._control_connection().bgapi(cmd, timeout)

    async def sendmsg(self, uuid: str | None, command: str = "execute", **kwargs: Any) -> Frame:
        """Send a ``sendmsg`` to a channel (see ``EslConnection.sendmsg``)."""
        return await self._control_connection().sendmsg(uuid, command, **kwargs)

    async def subscribe(self, events: list[str]) -> None:
        """Add event subscriptions, now and after every reconnect."""
        self._events += [name for name in events if name not in self._events]
        if self._connected and self._event_conn is not None:
            await self._event_conn.subscribe(events)

    async def add_filter(self, header: str, value: str) -> None:
        """Add an event filter, now and after every reconnect."""
        self._filters.append((header, value))
        if self._connected and self._event_conn is not None:
            await self._event_conn.filter(header, value)

    # -- connecting ---------------------------------------------------------------------

    async def _open(self, on_event: EventCallback | None) -> EslConnection:
        """Open and authenticate one connection."""
        connection = await EslConnection.open(
            self.host, self.port, on_event=on_event, timeout=self.connect_timeout,
            max_queue=self._max_queue,
        )
        try:
            await connection.authenticate(self._password, self.connect_timeout)
        except BaseException:
            connection.close()
            raise
        return connection

    async def _connect(self) -> None:
        """Open the control then the event connection, subscribe, filter, announce."""
        self._seen_core_uuid = None
        control = await self._open(None)
        events: EslConnection | None = None
        try:
            await control.subscribe(["BACKGROUND_JOB"])
            core_uuid = await self._read_core_uuid(control)
            events = await self._open(self._deliver)
            await events.subscribe(self._events)
            for header, value in self._watched_filters():
                await events.filter(header, value)
        except BaseException:
            control.close()
            if events is not None:
                events.close()
            raise
        self._control, self._event_conn = control, events
        self._connected = True
        _LOGGER.info("connected to FreeSWITCH at %s:%s", self.host, self.port)
        core_uuid = core_uuid or self._seen_core_uuid
        if core_uuid is not None:
            self._announce(core_uuid)
        else:
            self._announce_pending = True

    def _watched_filters(self) -> list[tuple[str, str]]:
        """The filters, plus one letting HEARTBEAT through: any filter would block it."""
        if not self._filters or ("Event-Name", "HEARTBEAT") in self._filters:
            return list(self._filters)
        return [*self._filters, ("Event-Name", "HEARTBEAT")]

    async def _read_core_uuid(self, control: EslConnection) -> str | None:
        """The switch's Core-UUID from ``global_getvar core_uuid``; None if it gave none."""
        try:
            answer = (await control.api("global_getvar core_uuid", self.connect_timeout)).strip()
        except CommandError as exc:
            _LOGGER.info("global_getvar core_uuid failed (%s); waiting for an event", exc)
            return None
        return answer if _UUID.match(answer) else None

    def _announce(self, core_uuid: str) -> None:
        """Tell the application we are connected, and whether the switch restarted."""
        restarted = self.core_uuid is not None and self.core_uuid != core_uuid
        self.core_uuid = core_uuid
        self._announce_pending = False
        if restarted:
            _LOGGER.warning("FreeSWITCH restarted: Core-UUID is now %s", core_uuid)
        self._call(self.on_connected, core_uuid, restarted)

    def _deliver(self, event: EslEvent) -> Any:
        """The event connection's callback: note the first Core-UUID, then pass it on."""
        if self._seen_core_uuid is None and event.core_uuid:
            self._seen_core_uuid = event.core_uuid
            if self._announce_pending:
                self._announce(event.core_uuid)
        if self.on_event is not None:
            return self.on_event(event)
        return None

    def _call(self, callback: Callable[..., Any] | None, *args: Any) -> None:
        """Call an application callback; a returned awaitable runs as its own task."""
        if callback is None:
            return
        try:
            result = callback(*args)
        except Exception:
            _LOGGER.exception("ESL client callback %s failed", callback)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._callbacks.add(task)
            task.add_done_callback(self._callback_done)

    def _callback_done(self, task: asyncio.Task[Any]) -> None:
        """Forget a finished callback task, logging its failure."""
        self._callbacks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _LOGGER.error("ESL client callback failed", exc_info=task.exception())

    # -- supervision --------------------------------------------------------------------

    async def _supervise(self) -> None:
        """Watch the connections; when they fail, report it and reconnect with backoff."""
        attempt = 0
        while not self._stopping:
            if self._connected:
                reason = await self._watch()
                self._drop(reason)
            delay = min(self.backoff_cap, self.backoff_base * 2 ** attempt)
            await asyncio.sleep(random.uniform(delay / 2, delay))
            try:
                await self._connect()
                attempt = 0
            except AuthError as exc:
                _LOGGER.critical("giving up on FreeSWITCH: %s", exc)
                self._call(self.on_disconnected, str(exc))
                return
            except _CONNECT_ERRORS as exc:
                attempt += 1
                _LOGGER.warning("reconnecting to %s:%s failed (%s); attempt %s",
                                self.host, self.port, exc, attempt)

    async def _watch(self) -> str:
        """Wait until a connection closes or events stop; return the reason."""
        events, control = self._event_conn, self._control
        assert events is not None and control is not None
        waiters = {asyncio.ensure_future(events.closed.wait()): ("event", events),
                   asyncio.ensure_future(control.closed.wait()): ("control", control)}
        silence = self.heartbeat_interval * _SILENCE_FACTOR
        loop = asyncio.get_running_loop()
        try:
            while True:
                done, _ = await asyncio.wait(waiters, timeout=max(0.01, silence / 6),
                                             return_when=asyncio.FIRST_COMPLETED)
                if done:
                    name, connection = waiters[done.pop()]
                    return f"{name} connection lost: {connection.close_reason}"
                quiet = loop.time() - events.heartbeat
                if quiet > silence:
                    return (f"no events for {quiet:.1f} s "
                            f"(heartbeat every {self.heartbeat_interval:g} s)")
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _drop(self, reason: str) -> None:
        """Close both connections, count their drops and tell the application."""
        _LOGGER.warning("lost FreeSWITCH at %s:%s: %s", self.host, self.port, reason)
        self._connected = False
        for connection in (self._event_conn, self._control):
            if connection is not None:
                self._dropped_before += connection.dropped_events
                connection.close()
        self._event_conn = self._control = None
        self._call(self.on_disconnected, reason)
