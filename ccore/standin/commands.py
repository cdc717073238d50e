"""The commands of an Event Socket connection (``parse_command`` of mod_event_socket)."""

from __future__ import annotations

import asyncio
import uuid as uuidlib
from typing import TYPE_CHECKING, Any

from . import wire
from .subscription import MYEVENTS, Subscription
from .wire import Event

if TYPE_CHECKING:
    from .channel import Channel
    from .switch import StandinSwitch

MAX_CONTENT_LENGTH = 16 * 1024 * 1024
_SESSION_ONLY_OK = ("connect", "getvar", "myevents", "resume", "filter", "divert_events",
                    "sendmsg", "exit", "...")  # fmt: skip


class Command:
    """A parsed client packet: the command line, its headers and an optional body."""

    def __init__(self, line: str, headers: list[tuple[str, str]], body: str | None) -> None:
        self.line = line
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        """A header's value (case-insensitive), or None."""
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


async def read_command(reader: asyncio.StreamReader) -> Command | None:
    """Read one packet as ``read_packet`` does (LF counting, CR ignored); None at EOF."""
    lines: list[str] = []
    while True:
        raw = await reader.readline()
        if not raw:
            return None
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if text.strip("\r") == "":
            if lines:
                break
            continue  # leading blank lines are skipped
        lines.append(text.rstrip("\r"))
    headers: list[tuple[str, str]] = []
    for text in lines[1:]:
        name, _, value = text.partition(":")
        headers.append((name.strip(), value.lstrip(" ")))
    body = None
    cmd = Command(lines[0], headers, None)
    length = cmd.header("Content-Length")
    if length is not None:
        n = int(length) if length.strip().isdigit() else -1
        if n < 0 or n > MAX_CONTENT_LENGTH:
            return None
        body = (await reader.readexactly(n)).decode("utf-8", errors="replace")
    cmd.body = body
    return cmd


class Commands:
    """Command handling of a ``Listener``: one ``_cmd_<word>`` method per command."""

    switch: StandinSwitch
    session: Channel | None
    outbound: bool
    full: bool
    async_mode: bool
    authed: bool
    connected: bool
    sub: Subscription
    queue: Any
    linger: int | None
    events_enabled: bool

    async def _send(self, data: bytes) -> None:
        raise NotImplementedError

    async def _reply(self, text: str, extra: list[tuple[str, str]] | None = None) -> None:
        await self._send(wire.command_reply(text, extra or []))

    async def _handle(self, cmd: Command) -> bool:
        """Run one command; returns False when the connection must end."""
        line = cmd.line.strip()
        word = line.split(" ", 1)[0].lower()
        rest = line[len(word) :].strip()
        if word in ("exit", "..."):
            await self._reply("+OK bye")
            await self._send(wire.disconnect_notice())
            return False
        if not self.authed:
            return await self._handle_auth(word, rest)
        if self.outbound and not self.connected:
            if word != "connect":
                await self._reply("-ERR command not found")
                return True
            self.connected = True
            assert self.session is not None
            data = self.session.channel_data_event()
            stamped = self.switch.hub.stamp(data, ("mod_event_socket.c", "parse_command", 2021))
            control = "full" if self.full else "single-channel"
            mode = "async" if self.async_mode else "static"
            await self._send(wire.channel_data_reply(stamped, mode, control))
            return True
        if self.outbound and not self.full and word not in _SESSION_ONLY_OK:
            await self._reply("-ERR command not found")
            return True
        handler = getattr(self, f"_cmd_{word}", None)
        if handler is None:
            await self._reply("-ERR command not found")
            return True
        return await handler(rest, cmd)

    async def _handle_auth(self, word: str, rest: str) -> bool:
        if word == "auth":
            if rest == self.switch.password:
                self.authed = True
                await self._reply("+OK accepted")
                return True
            await self._reply("-ERR invalid")
            await self._send(wire.disconnect_notice())
            return False
        if word == "userauth":
            await self._reply("-ERR invalid")
            await self._send(wire.disconnect_notice())
            return False
        await self._reply("-ERR command not found")
        return True

    async def _cmd_connect(self, rest: str, cmd: Command) -> bool:
        await self._reply("+OK")
        return True

    async def _cmd_event(self, rest: str, cmd: Command) -> bool:
        reply = self.sub.enable(rest.split())
        self.events_enabled = self.events_enabled or reply.startswith("+OK")
        await self._reply(reply)
        return True

    async def _cmd_nixevent(self, rest: str, cmd: Command) -> bool:
        await self._reply(self.sub.nix(rest.split()))
        return True

    async def _cmd_noevents(self, rest: str, cmd: Command) -> bool:
        if not self.events_enabled:
            await self._reply("-ERR not listening for events")
            return True
        self.events_enabled = False
        self.sub.clear()
        self.queue.clear()
        await self._reply("+OK no longer listening for events")
        return True

    async def _cmd_filter(self, rest: str, cmd: Command) -> bool:
        await self._reply(self.sub.filter_command(rest))
        return True

    async def _cmd_myevents(self, rest: str, cmd: Command) -> bool:
        args = rest.split()
        if self.sub.myevents_uuid is not None:
            await self._reply("-ERR aready enabled.")
            return True
        if self.session is None:
            if not args:
                await self._reply("-ERR command not found")
                return True
            channel = self.switch.channels.get(args[0])
            if channel is None:
                await self._reply("-ERR invalid uuid")
                return True
            self.session = channel
            channel.holders.add(self)
            args = args[1:]
        if args and args[0].lower() in ("plain", "json", "xml"):
            self.sub.fmt = args[0].lower()
        self.sub.myevents_uuid = self.session.uuid
        self.sub.names |= MYEVENTS
        self.events_enabled = True
        await self._reply("+OK Events Enabled")
        return True

    async def _cmd_linger(self, rest: str, cmd: Command) -> bool:
        if self.session is None:
            await self._reply("-ERR not controlling a session")
            return True
        if rest.strip().lstrip("-").isdigit():
            self.linger = int(rest.strip())
            await self._reply(f"+OK will linger {self.linger} seconds")
        else:
            self.linger = -1
            await self._reply("+OK will linger")
        return True

    async def _cmd_nolinger(self, rest: str, cmd: Command) -> bool:
        self.linger = None
        await self._reply("+OK will not linger")
        return True

    async def _cmd_log(self, rest: str, cmd: Command) -> bool:
        levels = ["console", "alert", "crit", "err", "warning", "notice", "info", "debug"]
        level = rest.strip().lower() or "debug"
        number = int(level) if level.isdigit() else levels.index(level) if level in levels else -1
        if not 0 <= number <= 7:
            await self._reply("-ERR invalid log level")
        else:
            self.logging = True
            await self._reply(f"+OK log level {levels[number].upper()} [{number}]")
        return True

    async def _cmd_nolog(self, rest: str, cmd: Command) -> bool:
        if getattr(self, "logging", False):
            self.logging = False
            await self._reply("+OK no longer logging")
        else:
            await self._reply("-ERR not loging")
        return True

    async def _cmd_resume(self, rest: str, cmd: Command) -> bool:
        if self.session is None:
            await self._reply("-ERR command not found")
            return True
        self.session.set_var("socket_resume", "true")
        await self._reply("+OK")
        return True

    async def _cmd_getvar(self, rest: str, cmd: Command) -> bool:
        value = self.session.variables.get(rest.strip(), "") if self.session else ""
        await self._reply(value)
        return True

    async def _cmd_divert_events(self, rest: str, cmd: Command) -> bool:
        if self.session is None:
            await self._reply("-ERR not controlling a session.")
        elif rest.strip().lower() == "on":
            await self._reply("+OK events diverted")
        else:
            await self._reply("+OK events not diverted")
        return True

    async def _cmd_sendevent(self, rest: str, cmd: Command) -> bool:
        name = (rest.split() or ["CUSTOM"])[0].upper()
        event = Event(name, subclass=cmd.header("Event-Subclass"))
        event.extend((k, v) for k, v in cmd.headers if k not in ("Event-Subclass",
                                                                "Content-Length"))
        event.body = cmd.body
        event_uuid = str(uuidlib.uuid4())
        event.add("Event-UUID", event_uuid)
        self.switch.hub.fire(event, ("mod_event_socket.c", "parse_command", 1805))
        await self._reply(f"+OK {event_uuid}")
        return True

    async def _cmd_sendmsg(self, rest: str, cmd: Command) -> bool:
        target = rest.strip() or cmd.header("session-id") or ""
        if not target and self.session is not None:
            target = self.session.uuid
        channel = self.switch.channels.get(target)
        if channel is None:
            await self._reply(f"-ERR invalid session id [{target}]")
            return True
        inline = (
            self.session is channel
            and not self.async_mode
            and (cmd.header("async") or "").lower() != "true"
        )
        if inline:
            await channel.run_message(cmd.headers, cmd.body)
        else:
            channel.queue_message(cmd.headers, cmd.body)
        await self._reply("+OK")
        return True

    async def _cmd_api(self, rest: str, cmd: Command) -> bool:
        text = await self.switch.api.execute(rest, listener=self)
        await self._send(wire.api_response(text))
        return True

    async def _cmd_bgapi(self, rest: str, cmd: Command) -> bool:
        job_uuid = cmd.header("Job-UUID") or str(uuidlib.uuid4())
        owner = self.session.uuid if self.session is not None and self.outbound else None
        self.switch.spawn(self.switch.api.background(rest, job_uuid, owner))
        await self._reply(f"+OK Job-UUID: {job_uuid}", [("Job-UUID", job_uuid)])
        return True
