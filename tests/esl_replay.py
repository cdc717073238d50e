"""A stand-in FreeSWITCH for tests: replays recorded ESL transcripts over real sockets.

A script is a list of steps. ``recv`` steps are written to the peer exactly as recorded (the
chunks FreeSWITCH's ``recv()`` returned); at a ``send`` step the player waits for the peer's
next command and compares it with the recorded one. Ids that the client generates itself
(``Job-UUID``, ``Event-UUID``) may differ: the recorded id is then swapped for the client's in
everything played afterwards. ``hold`` keeps the socket open (recording any further commands,
answering only ``exit``, with FreeSWITCH's recorded goodbye) until the peer leaves; ``pause``
waits. A script ends by closing the socket.

The same player acts as FreeSWITCH in outbound mode, connecting to our server (``replay_to``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

TRANSCRIPTS = Path(__file__).resolve().parents[1].parent / "shared" / "esl-transcripts"

_RECORDED_IDS = {
    # client header -> regexes finding the recorded id it stands for in later recv data
    "job-uuid": (re.compile(r"Job-UUID: ([0-9a-f-]{36})"), re.compile(r'"Job-UUID":"([^"]+)"')),
    "event-uuid": (
        re.compile(r"Application-UUID: ([0-9a-f-]{36})"),
        re.compile(r'"Application-UUID":"([^"]+)"'),
    ),
}


@dataclass(frozen=True)
class Step:
    """One step of a script: ``send`` (expect a command), ``recv`` (write), hold or pause."""

    direction: str
    data: str = ""
    seconds: float = 0.0


def load(name: str) -> list[Step]:
    """The steps of a recorded transcript, e.g. ``load("api_and_bgapi")``."""
    path = TRANSCRIPTS / f"{name}.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [Step(row["dir"], row["data"]) for row in map(json.loads, handle)]


def recv_chunks(name: str) -> list[bytes]:
    """The bytes FreeSWITCH sent in a transcript, chunked exactly as recorded."""
    return [step.data.encode("utf-8") for step in load(name) if step.direction == "recv"]


def frame(headers: dict[str, str], body: str = "") -> Step:
    """A ``recv`` step holding one frame built from ``headers`` and ``body``."""
    raw = body.encode("utf-8")
    lines = [f"{name}: {value}" for name, value in headers.items()]
    if raw:
        lines.append(f"Content-Length: {len(raw)}")
    return Step("recv", "\n".join(lines) + "\n\n" + body)


def reply(text: str, **headers: str) -> Step:
    """A ``command/reply`` frame with ``Reply-Text: text``."""
    return frame({"Content-Type": "command/reply", "Reply-Text": text, **headers})


def api_response(text: str) -> Step:
    """An ``api/response`` frame whose body is ``text``."""
    return frame({"Content-Type": "api/response"}, text)


def json_event(headers: dict[str, str], body: str = "") -> Step:
    """A ``text/event-json`` frame for an event with these headers (and ``_body``)."""
    payload = dict(headers)
    if body:
        payload["_body"] = body
    return frame({"Content-Type": "text/event-json"}, json.dumps(payload))


def expect(command: str) -> Step:
    """A ``send`` step: the peer must send ``command`` (a line plus optional headers)."""
    return Step("send", command.rstrip("\n") + "\n\n")


_GOODBYE = ("Content-Type: command/reply\nReply-Text: +OK bye\n\n"
            "Content-Type: text/disconnect-notice\nContent-Length: 67\n\n"
            "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n")
GREETING = Step("recv", "Content-Type: auth/request\n\n")
HOLD = Step("hold")


def _parse_command(text: str) -> tuple[str, dict[str, str], str]:
    """Split a client command into (line, headers with lower-case names, body)."""
    head, _, body = text.partition("\n\n")
    line, *rest = head.split("\n")
    headers = {}
    for item in rest:
        name, _, value = item.partition(": ")
        headers[name.lower()] = value
    return line, headers, body


@dataclass
class PlayLog:
    """What happened on one replayed connection."""

    commands: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)


async def _read_command(reader: asyncio.StreamReader) -> str:
    """Read one client command (header block and optional body); '' at end of stream."""
    try:
        head = await reader.readuntil(b"\n\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return ""
    text = head.decode("utf-8")
    match = re.search(r"^Content-Length: (\d+)$", text, re.MULTILINE | re.IGNORECASE)
    if match:
        text += (await reader.readexactly(int(match.group(1)))).decode("utf-8")
    return text


def _claim_ids(sent: str, recorded: str, later: str, earlier: str, log: PlayLog) -> None:
    """Map recorded ids to the ids the client generated (same length, for Content-Length)."""
    _, sent_headers, _ = _parse_command(sent)
    _, recorded_headers, _ = _parse_command(recorded)
    for name, patterns in _RECORDED_IDS.items():
        mine = sent_headers.get(name)
        if mine is None:
            continue
        theirs = recorded_headers.get(name)
        if theirs is None:
            found = [m.group(1) for p in patterns for m in p.finditer(later)]
            taken = set(log.ids) | {m.group(1) for p in patterns for m in p.finditer(earlier)}
            theirs = next((f for f in sorted(found, key=later.find) if f not in taken), None)
        if theirs is None or theirs == mine:
            continue
        if len(theirs) != len(mine):
            log.mismatches.append(f"cannot swap {name} {theirs!r} for {mine!r}: lengths differ")
            continue
        log.ids[theirs] = mine


def _same_command(sent: str, recorded: str) -> bool:
    """Compare two commands, ignoring header case and the ids the client generates."""
    ours = _parse_command(sent)
    theirs = _parse_command(recorded)
    ignore = set(_RECORDED_IDS)

    def strip(headers: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in headers.items() if k not in ignore}

    return ours[0] == theirs[0] and strip(ours[1]) == strip(theirs[1]) and ours[2] == theirs[2]


async def play(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, steps: list[Step], log: PlayLog
) -> None:
    """Play ``steps`` on one connection, recording commands and mismatches in ``log``."""
    for index, step in enumerate(steps):
        if step.direction == "recv":
            data = step.data
            for recorded, mine in log.ids.items():
                data = data.replace(recorded, mine)
            writer.write(data.encode("utf-8"))
            await writer.drain()
            await asyncio.sleep(0)
        elif step.direction == "send":
            sent = await _read_command(reader)
            if not sent:
                log.mismatches.append(f"peer left before sending {step.data!r}")
                return
            log.commands.append(sent)
            if not _same_command(sent, step.data):
                log.mismatches.append(f"expected {step.data!r}, got {sent!r}")
            later = "".join(s.data for s in steps[index + 1:] if s.direction == "recv")
            earlier = "".join(s.data for s in steps[:index] if s.direction == "recv")
            _claim_ids(sent, step.data, later, earlier, log)
        elif step.direction == "pause":
            await asyncio.sleep(step.seconds)
        elif step.direction == "hold":
            while sent := await _read_command(reader):
                log.commands.append(sent)
                if sent == "exit\n\n":  # a polite goodbye, answered as FreeSWITCH does
                    writer.write(_GOODBYE.encode("utf-8"))
                    return


class ReplayServer:
    """A TCP server on 127.0.0.1 that plays the n-th script to the n-th connection.

    When there are more connections than scripts, the scripts are played again from the first.
    """

    def __init__(self, *scripts: list[Step]) -> None:
        self.scripts = list(scripts)
        self.logs: list[PlayLog] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> ReplayServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop listening and close every connection still open."""
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        if self._handlers:
            await asyncio.wait(self._handlers, timeout=2)
        if self._server is not None:
            await self._server.wait_closed()

    def drop_all(self) -> None:
        """Close every open connection, as a crashing switch would."""
        for writer in self._writers:
            writer.close()

    @property
    def mismatches(self) -> list[str]:
        """Every mismatch on every connection so far."""
        return [m for log in self.logs for m in log.mismatches]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        log = PlayLog()
        script = self.scripts[len(self.logs) % len(self.scripts)]
        self.logs.append(log)
        self._writers.append(writer)
        try:
            with contextlib.suppress(ConnectionError):
                await play(reader, writer, script, log)
        finally:
            writer.close()
            self._handlers.discard(task)


class ReplayThread:
    """Runs a ReplayServer on its own event loop in a thread, as a real switch would run.

    For tests whose client blocks its own event loop: the switch keeps sending meanwhile.
    Use as ``with ReplayThread(script) as server:``.
    """

    def __init__(self, *scripts: list[Step]) -> None:
        self.server = ReplayServer(*scripts)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.__aenter__(), self._loop).result(5)
        return self.server

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


async def replay_to(port: int, steps: list[Step]) -> PlayLog:
    """Act as FreeSWITCH in outbound mode: connect to 127.0.0.1:port and play ``steps``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    log = PlayLog()
    try:
        await play(reader, writer, steps, log)
    finally:
        writer.close()
    return log
