"""The Center: the one root object that holds the running center together.

``Center`` owns the bus, the config, the storage, the call model, the Switch facade and the
plugins, and wires FreeSWITCH to them: the inbound event connection feeds the call tracker,
which fires domain events on the bus; calls that the dialplan sends to ccore with
``socket ... async full`` are held by the outbound server so that, if ccore goes away, FreeSWITCH
continues the dialplan to its fallback. No module-level state: every test builds a fresh one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ccore.bus import EventBus
from ccore.clock import CenterClock
from ccore.config import load_center
from ccore.dispatch import CallDispatcher
from ccore.esl.client import InboundClient
from ccore.esl.errors import AuthError
from ccore.esl.outbound import OutboundServer, OutboundSession
from ccore.events import ConfigReloaded, SwitchConnected, SwitchDisconnected
from ccore.hookspecs import ENTRY_POINT_GROUP
from ccore.journal import EventJournal
from ccore.loader import PluginLoader
from ccore.resync import resync
from ccore.storage import Storage
from ccore.switch import Switch, SwitchError
from ccore.translation import SUBSCRIBED_EVENTS, CallTracker

if TYPE_CHECKING:
    from ccore.config import CenterConfig

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

DATABASE_FILE = "ccore.sqlite"


class SwitchPasswordMissing(Exception):
    """The event socket password is not configured anywhere the center looks."""


class Center:
    """A running call center: bus, config, storage, call model, switch and plugins."""

    def __init__(
        self,
        config: CenterConfig,
        *,
        switch_host: str | None = None,
        switch_port: int | None = None,
        switch_password_override: str | None = None,
        outbound_port: int | None = None,
        plugin_group: str = ENTRY_POINT_GROUP,
        heartbeat_interval: float = 20.0,
        clock_speed: float = 1.0,
        resync_interval: float = 60.0,
    ) -> None:
        self.config = config
        self.clock = CenterClock(clock_speed)
        self.bus = EventBus()
        self.plugins = PluginLoader(
            self.bus, group=plugin_group, disabled=config.model.plugins.disabled
        )
        self.calls = CallTracker(self.bus)
        self.switch = Switch(self.calls)
        self.db: Storage | None = None
        self.services: dict[str, object] = {}
        self.journal: EventJournal | None = None
        self.outbound: OutboundServer | None = None
        self.outbound_sessions: dict[str, OutboundSession] = {}
        self._session_arrived = asyncio.Condition()
        self.dispatcher: CallDispatcher | None = None
        self._switch_host = switch_host or config.model.switch.host
        self._switch_port = switch_port or config.model.switch.port
        self._switch_password = switch_password_override
        self._outbound_port = (
            outbound_port if outbound_port is not None else config.model.switch.outbound_port
        )
        self._heartbeat_interval = heartbeat_interval
        self._resync_interval = resync_interval
        self._sweep_task: asyncio.Task[None] | None = None
        self._connect_task: asyncio.Task[None] | None = None
        self._resync_task: asyncio.Task[None] | None = None
        self._started = False

    # --- life cycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Open storage, set plugins up, then connect to the switch (retrying in background)."""
        data_dir = self.config.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Storage.open(data_dir / DATABASE_FILE)
        self.journal = EventJournal(self.bus, self.db)
        self.plugins.discover()
        self.plugins.validate(self.config)
        self.calls.keep_variables = self.calls.keep_variables | set(
            self.plugins.channel_variables()
        )
        await self.plugins.setup_all(self, self.db)
        self.dispatcher = CallDispatcher(self)
        self.outbound = OutboundServer(
            self.config.model.switch.outbound_host, self._outbound_port, self._hold_call
        )
        await self.outbound.start()
        password = self._switch_password or self.config.switch_password()
        if password is None:
            raise SwitchPasswordMissing(
                f"no event socket password for {self.config.path}: set switch.password or "
                "switch.password_env, or run `ccore conf render` to generate one"
            )
        client = InboundClient(
            self._switch_host,
            self._switch_port,
            password,
            events=list(SUBSCRIBED_EVENTS),
            on_event=self.calls.handle,
            on_connected=self._on_switch_connected,
            on_disconnected=self._on_switch_disconnected,
            heartbeat_interval=self._heartbeat_interval,
        )
        self.switch.client = client
        self._started = True
        self._connect_task = asyncio.get_running_loop().create_task(self._connect(client))
        self._sweep_task = asyncio.get_running_loop().create_task(self._sweep())

    async def wait_connected(self, timeout: float = 10.0) -> None:
        """Wait until the first connection to the switch is up (for tests and the demo)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.switch.connected:
            if self._connect_task is not None and self._connect_task.done():
                self._connect_task.result()  # raises what made it give up (e.g. a bad password)
            if loop.time() > deadline:
                raise TimeoutError(f"not connected to the switch after {timeout}s")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        """Stop plugins, drop the switch connections, write the journal, close storage."""
        if not self._started:
            return
        self._started = False
        for task in (self._connect_task, self._resync_task, self._sweep_task):
            if task is not None and not task.done():
                task.cancel()
        await self.plugins.shutdown_all(self)
        if self.switch.client is not None:
            await self.switch.client.stop()
        if self.outbound is not None:
            await self.outbound.stop()
        try:
            await self.bus.drain(timeout=2.0)
        except TimeoutError:
            _LOGGER.warning("Some event listeners were still busy at shutdown")
        if self.journal is not None:
            self.journal.close()
        if self.db is not None:
            self.db.close()

    # --- the switch connection ---------------------------------------------------------------

    async def _connect(self, client: InboundClient) -> None:
        """Connect to the switch. The client's supervisor retries (with backoff) while the
        switch is not up; a refused password is final and is raised to ``wait_connected``."""
        try:
            await client.start()
        except AuthError:
            _LOGGER.error("The switch refused the event socket password; not retrying")
            raise

    def _on_switch_connected(self, core_uuid: str, restarted: bool) -> None:
        self.bus.fire(SwitchConnected(core_uuid=core_uuid, restarted=restarted))
        self._resync_task = asyncio.get_running_loop().create_task(self._resync(restarted))

    def _on_switch_disconnected(self, reason: str) -> None:
        failed = self.calls.fail_waiters(
            SwitchError("switch", f"connection to the switch lost ({reason})")
        )
        if failed:
            _LOGGER.warning("%d running applications lost their completion with the switch", failed)
        self.bus.fire(SwitchDisconnected(reason=reason))

    async def _sweep(self) -> None:
        """Every ``resync_interval``, repair the model against the switch, so a leg whose last
        events never came (a ghost caller) cannot stay in it; plugins reconcile on the
        ``switch.resynced`` that follows."""
        while True:
            await self.clock.sleep(self._resync_interval)
            if self.switch.connected and (self._resync_task is None or self._resync_task.done()):
                await self._resync(restarted=False)

    async def _resync(self, restarted: bool) -> None:
        try:
            await resync(self.switch, self.calls, self.bus, restarted=restarted)
        except Exception:
            _LOGGER.exception("Resync with the switch failed; the next reconnect retries it")

    async def _hold_call(self, session: OutboundSession) -> None:
        """Hold a call the dialplan handed to ccore (``socket``) until it ends.

        While this socket is open FreeSWITCH keeps the call parked for the core to control
        through the event connection; if ccore goes away before a bridge, the dialplan goes on
        to its fallback.
        """
        channel = await session.connect()
        call_uuid = channel.uuid
        self.outbound_sessions[call_uuid] = session
        async with self._session_arrived:
            self._session_arrived.notify_all()
        try:
            # No linger: the core reads the call's events on its event connection, and a
            # lingering socket would hold the channel (and call.ended) back after the hangup.
            await session.closed
        finally:
            self.outbound_sessions.pop(call_uuid, None)

    def reload_config(self, by: str = "api") -> None:
        """Take center.toml from disk into the running center and fire ``config.reloaded``.

        ``center.config`` is updated in place, so everything holding it reads the new values;
        plugins that built state from it at setup follow ``config.reloaded``. An invalid file
        raises ConfigError and changes nothing.
        """
        fresh = load_center(self.config.directory)
        config = self.config
        config.document, config.model, config.loaded_text = (
            fresh.document,
            fresh.model,
            fresh.loaded_text,
        )
        self.bus.fire(ConfigReloaded(by=by))
        _LOGGER.info("Reloaded %s", config.path)

    def provide(self, name: str, service: object) -> None:
        """Offer an object to other plugins under ``name`` (e.g. the agents plugin's board)."""
        if name in self.services:
            raise ValueError(f"a service named {name!r} is already provided")
        self.services[name] = service

    def service(self, name: str, kind: type[T]) -> T:
        """The service ``name``, checked to be a ``kind``; a clear error if it is missing."""
        found = self.services.get(name)
        if found is None:
            raise LookupError(f"no service {name!r}: is the plugin that provides it running?")
        if not isinstance(found, kind):
            raise TypeError(f"service {name!r} is a {type(found).__name__}, not {kind.__name__}")
        return found

    async def release_call(self, call_uuid: str, wait_for_socket: float = 2.0) -> None:
        """Give a call back to FreeSWITCH's dialplan (its fallback), or hang up if it has none.

        A call the dialplan sent with ``socket`` goes on to the next dialplan action as soon as
        the core closes that socket. The socket's ``connect`` can arrive just after the call was
        offered on the event connection, so wait briefly for it.
        """
        async def session_known() -> None:
            async with self._session_arrived:
                await self._session_arrived.wait_for(
                    lambda: call_uuid in self.outbound_sessions
                )

        channel = self.calls.channels.get(call_uuid)
        sent_by_socket = channel is not None and "socket_host" in channel.variables
        if sent_by_socket:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session_known(), wait_for_socket)
        session = self.outbound_sessions.get(call_uuid)
        if session is not None:
            await session.close()
            return
        if channel is not None and channel.is_live:
            await self.switch.hangup(call_uuid, "NO_ROUTE_DESTINATION")

    @property
    def data_dir(self) -> Path:
        """The center's data directory."""
        return self.config.data_dir
