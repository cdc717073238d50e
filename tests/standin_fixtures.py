"""Fixtures for the FreeSWITCH stand-in: a running switch and a raw ESL client on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pytest

from ccore.standin import StandinSwitch

PASSWORD = "ClueCon"


@dataclass
class RawFrame:
    """One frame as it came off the socket: ordered outer headers and the raw body."""

    headers: list[tuple[str, str]]
    body: str = ""

    def get(self, name: str) -> str | None:
        """First value of an outer header."""
        return next((v for k, v in self.headers if k == name), None)

    @property
    def content_type(self) -> str:
        """The Content-Type header."""
        return self.get("Content-Type") or ""

    @property
    def is_event(self) -> bool:
        """Whether the frame is an event."""
        return self.content_type.startswith("text/event-")

    def event_headers(self) -> list[tuple[str, str]]:
        """The event's own headers (URL-decoded for plain, as given for JSON)."""
        if self.content_type == "text/event-json":
            pairs = json.loads(self.body, object_pairs_hook=list)
            return [(k, v) for k, v in pairs if k not in ("_body",)]
        head = self.body.split("\n\n", 1)[0]
        return [
            (k, unquote(v))
            for k, _, v in (line.partition(": ") for line in head.split("\n") if line)
        ]

    def event(self) -> dict[str, str]:
        """The event's headers as a dict (last wins)."""
        return dict(self.event_headers())

    def event_body(self) -> str:
        """The event's own body (BACKGROUND_JOB output)."""
        if self.content_type == "text/event-json":
            return json.loads(self.body).get("_body", "")
        parts = self.body.split("\n\n", 1)
        return parts[1] if len(parts) > 1 else ""


@dataclass
class RawEsl:
    """A minimal ESL client that keeps frames exactly as sent, for wire-level assertions."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    frames: list[RawFrame] = field(default_factory=list)
    pending: list[RawFrame] = field(default_factory=list)

    @classmethod
    async def connect(cls, port: int) -> RawEsl:
        """Open a TCP connection to the switch."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def read_frame(self, timeout: float = 5.0) -> RawFrame | None:
        """The next frame, or None at EOF."""
        try:
            head = await asyncio.wait_for(self.reader.readuntil(b"\n\n"), timeout)
        except asyncio.IncompleteReadError:
            return None
        headers = [
            (k, v)
            for k, _, v in (line.partition(": ") for line in head.decode().split("\n") if line)
        ]
        frame = RawFrame(headers)
        length = frame.get("Content-Length")
        if length:
            frame.body = (await self.reader.readexactly(int(length))).decode()
        self.frames.append(frame)
        return frame

    async def send(self, text: str) -> None:
        """Write a command (a blank line is appended)."""
        self.writer.write(text.encode() + b"\n\n")
        await self.writer.drain()

    async def command(self, text: str, timeout: float = 5.0) -> RawFrame:
        """Send a command and return its reply; events read meanwhile are kept."""
        await self.send(text)
        while True:
            frame = await self.read_frame(timeout)
            assert frame is not None, f"connection closed waiting for the reply to {text!r}"
            if frame.is_event:
                self.pending.append(frame)
                continue
            return frame

    async def next_event(self, timeout: float = 5.0) -> RawFrame:
        """The next event frame."""
        if self.pending:
            return self.pending.pop(0)
        while True:
            frame = await self.read_frame(timeout)
            assert frame is not None, "connection closed waiting for an event"
            if frame.is_event:
                return frame

    async def wait_event(
        self, predicate: Callable[[dict[str, str]], bool], timeout: float = 5.0
    ) -> dict[str, str]:
        """Skip events until one matches; return its headers."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.next_event(max(0.01, deadline - loop.time()))
            event = frame.event()
            if predicate(event):
                return event

    async def events_until(
        self, predicate: Callable[[dict[str, str]], bool], timeout: float = 5.0
    ) -> list[RawFrame]:
        """Every event frame up to and including the first that matches."""
        out = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.next_event(max(0.01, deadline - loop.time()))
            out.append(frame)
            if predicate(frame.event()):
                return out

    async def close(self) -> None:
        """Close the socket."""
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


@pytest.fixture
async def standin(tmp_path: Path) -> AsyncIterator[StandinSwitch]:
    """A stand-in switch on an ephemeral loopback port, running 20x faster than real time."""
    switch = StandinSwitch(PASSWORD, speed=20.0, recordings_dir=tmp_path / "recordings")
    await switch.start()
    yield switch
    await switch.stop()


@pytest.fixture
async def esl(standin: StandinSwitch) -> AsyncIterator[RawEsl]:
    """A raw ESL connection, authenticated, to ``standin``."""
    client = await RawEsl.connect(standin.port)
    greeting = await client.read_frame()
    assert greeting is not None and greeting.content_type == "auth/request"
    reply = await client.command(f"auth {PASSWORD}")
    assert reply.get("Reply-Text") == "+OK accepted"
    yield client
    await client.close()
