"""``StandinSwitch``: the FreeSWITCH stand-in as one object (server, calls, phones, clock)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import tempfile
import uuid as uuidlib
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from .api import Api
from .callers import DigitScript, SimCall
from .channel import Channel
from .clock import SimClock
from .dialplan import Dialplan
from .hub import EventHub
from .listener import Listener
from .phones import Directory, PhoneBehaviour
from .profile import CallerProfile, sip_inbound_variables
from .queries import uptime_text
from .wire import GOODBYE, SHUTDOWN_TEXT, Event

log = logging.getLogger(__name__)

HEARTBEAT = ("switch_core.c", "send_heartbeat", 84)
SHUTDOWN = ("switch_core.c", "switch_core_destroy", 3023)
MODULE_UNLOAD = ("switch_loadable_module.c", "switch_loadable_module_unprocess", 1240)
CREATE = ("switch_core_state_machine.c", "switch_core_session_run", 626)


def _module_unloads() -> list[Event]:
    """MODULE_UNLOAD events for what the stand-in provides, in FreeSWITCH's shapes."""
    from .api import COMMANDS
    from .apps import APPLICATIONS

    def doc(func: object) -> str:
        return ((getattr(func, "__doc__", None) or "").strip().splitlines() or [""])[0]

    events = [Event("MODULE_UNLOAD", [("type", "endpoint"), ("name", "sofia")]),
              Event("MODULE_UNLOAD", [("type", "dialplan"), ("name", "XML")])]
    for name, app in sorted(APPLICATIONS.items()):
        events.append(Event("MODULE_UNLOAD", [("type", "application"), ("name", name),
                                              ("description", doc(app))]))
    for name, func in sorted(COMMANDS.items()):
        module = "mod_sofia" if name.startswith("sofia") else "mod_commands"
        events.append(Event("MODULE_UNLOAD", [
            ("type", "api"), ("name", name), ("description", doc(func)), ("syntax", name),
            ("key", module), ("filename", f"/usr/local/freeswitch/lib/freeswitch/mod/{module}.so"),
        ]))  # fmt: skip
    return events


class StandinSwitch:
    """A FreeSWITCH 1.10 stand-in speaking ESL on a loopback port.

    Life cycle: ``await start()`` listens (``port`` tells where), ``await stop()`` shuts
    down like the real switch (calls hung up, SHUTDOWN and MODULE_UNLOAD events, then
    "The system is being shut down." to every client), ``await restart()`` drops every call
    and comes back with a new ``core_uuid`` on the same port. ``async with`` works too.

    Simulation: ``register``/``unregister``/``expire`` SIP users, ``set_phone`` for how a
    user's phone behaves when a call reaches it, ``place_call`` for a caller dialling in,
    ``phone_hangup`` for an agent hanging up. ``channels`` holds the live channels.

    Arguments: ``password`` of the event socket; ``host``/``port`` to listen on (port 0:
    any free one); ``seed`` for every random choice (UUIDs included: the same seed gives the
    same calls); ``speed`` of the simulated clock (``clock``: every ring, prompt, patience,
    talk time, heartbeat and event time); ``dialplan`` (a ``Dialplan``, XML text or a file;
    default: park every call); ``recordings_dir`` for voicemail messages (default: a
    temporary directory); ``domain`` of the SIP users; ``heartbeat_interval`` (simulated
    seconds); ``users``: the directory (None: every user exists; otherwise others are
    SUBSCRIBER_ABSENT); ``db_lag``: simulated seconds before ``show channels`` and
    ``show registrations`` see a change, like FreeSWITCH's core database;
    ``event_queue_size`` per connection (past it events are dropped, and a connection that
    misses more than 500 in a row is disconnected); ``sounds_dir`` where relative prompt
    names are looked up; ``hostname``; ``allow_remote``: accept non-loopback clients.
    """

    def __init__(
        self,
        password: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        speed: float = 1.0,
        dialplan: Dialplan | str | Path | None = None,
        recordings_dir: str | Path | None = None,
        domain: str = "ccore.local",
        heartbeat_interval: float = 20.0,
        users: set[str] | None = None,
        db_lag: float = 0.25,
        event_queue_size: int = 100_000,
        sounds_dir: str | Path | None = None,
        hostname: str = "standin",
        allow_remote: bool = False,
    ) -> None:
        self.password = password
        self.host = host
        self.allow_remote = allow_remote
        self._port = port
        self.seed = seed
        self.random = random.Random(seed)
        self._ids = random.Random(f"ids-{seed}")  # UUIDs: never disturbs ``random``
        self.clock = SimClock(speed)
        if dialplan is not None and not isinstance(dialplan, Dialplan):
            dialplan = Dialplan.from_xml(dialplan)
        self.dialplan = dialplan or Dialplan()
        self.recordings_dir = Path(
            recordings_dir or Path(tempfile.gettempdir()) / "ccore-standin" / "recordings"
        )
        self.sounds_dir = Path(sounds_dir) if sounds_dir else None
        self.domain = domain
        self.heartbeat_interval = heartbeat_interval
        self.db_lag = db_lag
        self.event_queue_size = event_queue_size
        self.hub = EventHub(self.clock, hostname=hostname)
        self.directory = Directory(self.hub, domain, users)
        self.behaviours: dict[str, PhoneBehaviour] = {}
        self.api = Api(self)
        self.channels: dict[str, Channel] = {}
        self.listeners: set[Listener] = set()
        self.voicemails: list[tuple[str, str, float]] = []
        self.global_vars: dict[str, str] = {}
        self.started_at = self.clock.now()
        self.sessions_since_start = 0
        self.peak_sessions = 0
        self._session_ids = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.base_events.Server | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    # ---- life cycle --------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The TCP port the event socket listens on."""
        return self._port

    @property
    def core_uuid(self) -> str:
        """The Core-UUID; a new one at every (re)start."""
        return self.hub.core_uuid

    async def start(self) -> None:
        """Listen for ESL clients and start the heartbeat."""
        self.hub.new_core_uuid()
        self.started_at = self.clock.now()
        self.global_vars.update({
            "hostname": self.hub.hostname, "core_uuid": self.hub.core_uuid,
            "domain": self.domain, "domain_name": self.domain, "local_ip_v4": "127.0.0.1",
            "switch_serial": self.hub.core_uuid[:8], "sound_prefix": str(self.sounds_dir or ""),
            "recordings_dir": str(self.recordings_dir),
        })  # fmt: skip
        self._server = await asyncio.start_server(self._accept, self.host, self._port)
        self._port = self._server.sockets[0].getsockname()[1]
        self._heartbeat = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        """Shut down: hang up calls, SHUTDOWN to subscribers, disconnect notices, close."""
        if self._server is None:
            return
        self._server.close()
        for channel in list(self.channels.values()):
            channel.hangup("SYSTEM_SHUTDOWN")
        for listener in [lst for lst in self.listeners if lst.session is not None]:
            listener.push_disconnect(GOODBYE)  # lingering sockets let their channel go
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._all_destroyed(), 1.0)
        self.hub.fire(Event("SHUTDOWN", [("Event-Info", "System Shutting Down")]), SHUTDOWN)
        for event in _module_unloads():
            self.hub.fire(event, MODULE_UNLOAD)
        listeners = list(self.listeners)
        for listener in listeners:
            listener.push_disconnect(SHUTDOWN_TEXT)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(lst.wait_closed() for lst in listeners)), 2.0
            )
        for listener in listeners:
            await listener.close()
        for channel in list(self.channels.values()):
            channel.cancel()
        self.channels.clear()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()
        self._server = None

    async def restart(self, *, graceful: bool = True) -> None:
        """Stop and start again on the same port: calls are gone, the Core-UUID changes.

        ``graceful=False`` is a crash: sockets drop without a word, calls vanish without
        events, and the switch is back (with a new Core-UUID) at once.
        """
        if graceful:
            await self.stop()
        else:
            await self._crash()
        await self.start()

    async def _crash(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for channel in list(self.channels.values()):
            channel.cancel()
        self.channels.clear()
        for listener in list(self.listeners):
            listener.abort()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()
        self._server = None

    async def _all_destroyed(self) -> None:
        while any(not c.destroyed for c in self.channels.values()):
            await asyncio.sleep(0.01)

    async def __aenter__(self) -> StandinSwitch:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        listener = Listener(self, reader, writer, queue_size=self.event_queue_size)
        self.listeners.add(listener)
        try:
            await listener.run()
        finally:
            self.listeners.discard(listener)

    async def _beat(self) -> None:
        while True:
            await self.clock.sleep(self.heartbeat_interval)
            up = int((self.clock.now() - self.started_at) * 1000)
            live = len(self.channels)
            self.hub.fire(Event("HEARTBEAT", [
                ("Event-Info", "System Ready"), ("Up-Time", uptime_text(self)),
                ("FreeSWITCH-Version", "1.10.12-release~64bit"), ("Uptime-msec", str(up)),
                ("Session-Count", str(live)), ("Max-Sessions", "1000"),
                ("Session-Per-Sec", "30"), ("Session-Per-Sec-Last", "0"),
                ("Session-Per-Sec-Max", "0"), ("Session-Per-Sec-FiveMin", "0"),
                ("Session-Since-Startup", str(self.sessions_since_start)),
                ("Session-Peak-Max", str(self.peak_sessions)),
                ("Session-Peak-FiveMin", str(self.peak_sessions)), ("Idle-CPU", "98.000000"),
            ]), HEARTBEAT)  # fmt: skip

    # ---- housekeeping used by the parts ------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine as a task the switch owns (cancelled at stop)."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def new_uuid(self) -> str:
        """A random-looking v4 UUID from the seeded generator."""
        return str(uuidlib.UUID(int=self._ids.getrandbits(128), version=4))

    def next_session_id(self) -> int:
        """The next session number (and the session counters)."""
        self._session_ids += 1
        self.sessions_since_start += 1
        self.peak_sessions = max(self.peak_sessions, len(self.channels) + 1)
        return self._session_ids

    def channel_gone(self, channel: Channel) -> None:
        """A channel was destroyed."""
        if self.channels.get(channel.uuid) is channel:
            del self.channels[channel.uuid]
        if channel.phone:
            sip = self.directory.users.get(channel.phone)
            if sip is not None and channel in sip.calls:
                sip.calls.remove(channel)

    def phone_behaviour(self, user: str) -> PhoneBehaviour:
        """How the user's phone behaves (defaults when never set)."""
        return self.behaviours.get(user) or PhoneBehaviour()

    # ---- simulation API ----------------------------------------------------------------
    async def register(self, user: str, *, expires: int = 300) -> None:
        """Register the SIP user's phone (fires CUSTOM sofia::register)."""
        self.directory.register(user, self.clock.now(), expires)

    async def unregister(self, user: str) -> None:
        """Unregister the phone (fires CUSTOM sofia::unregister)."""
        self.directory.unregister(user)

    async def expire(self, user: str) -> None:
        """Let the registration expire (fires CUSTOM sofia::expire)."""
        self.directory.unregister(user, expired=True)

    def set_phone(self, user: str, **behaviour: Any) -> PhoneBehaviour:
        """Set how ``user``'s phone answers: ring_seconds, answers, busy, talk_seconds, ..."""
        current = self.phone_behaviour(user)
        updated = PhoneBehaviour(**{**current.__dict__, **behaviour})
        self.behaviours[user] = updated
        return updated

    async def phone_hangup(self, user: str) -> bool:
        """The user hangs up their phone (every call on it); False if it had none."""
        sip = self.directory.users.get(user)
        calls = [c for c in (sip.calls if sip else []) if c.up]
        for channel in calls:
            channel.hangup("NORMAL_CLEARING", remote=True)
        return bool(calls)

    async def place_call(
        self,
        caller_number: str,
        destination: str,
        *,
        caller_name: str | None = None,
        context: str = "public",
        digits: DigitScript = (),
        patience: float | None = None,
        talk_seconds: float | None = None,
        subject: str | None = None,
    ) -> SimCall:
        """A caller dials ``destination``: a new inbound SIP channel routed in ``context``.

        ``digits``: what the caller presses once answered, as strings (1 s apart) or
        ``(delay_seconds, digits)`` pairs. ``patience``: seconds the caller waits to be
        connected to someone (bridged) before hanging up. ``talk_seconds``: once bridged,
        the caller hangs up after this long. ``subject``: the INVITE's Subject header
        (``variable_sip_subject``). Returns a ``SimCall``; ``await call`` gives
        its ``CallOutcome``.
        """
        uuid = self.new_uuid()
        session_id = self.next_session_id()
        port = 5060 + 2 + session_id % 1000
        name = caller_name or caller_number
        now = self.clock.uepoch()
        profile = CallerProfile(
            direction="inbound", username=caller_number, caller_id_name=name,
            caller_id_number=caller_number, destination_number=destination, uuid=uuid,
            channel_name=f"sofia/internal/{caller_number}@127.0.0.1:{port}", context=context,
        )
        profile.times["Profile-Created-Time"] = profile.times["Channel-Created-Time"] = now
        call_id = f"{session_id}-{self._ids.randrange(1000, 99999)}@127.0.0.1"
        variables = sip_inbound_variables(uuid, session_id, caller_number, name, destination,
                                          "127.0.0.1", port, call_id, now, subject)
        channel = Channel(self, profile, variables, session_id=session_id)
        self.channels[uuid] = channel
        channel.set_running("CS_INIT")
        channel.state = "CS_ROUTING"
        channel.fire("CHANNEL_CREATE", CREATE)
        channel.set_callstate("RINGING")
        call = SimCall(channel)
        call.run_script(digits, patience, talk_seconds)
        channel.start(route=True)
        return call
