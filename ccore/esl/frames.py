"""ESL framing: split the server's byte stream into frames, and encode client commands.

A frame is a block of ``Name: value`` lines ended by an empty line, then exactly
``Content-Length`` body bytes (no body when the header is absent). FreeSWITCH ends lines with a
single LF and puts no terminator after a body. The parser works on whole buffers with
``bytes.find`` so it stays fast on the event hot path, and accepts the bytes in any chunking.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from urllib.parse import unquote

from ccore.esl.errors import FrameError

MAX_CONTENT_LENGTH = 16 * 1024 * 1024
"""The largest body FreeSWITCH and esl.c accept (``MAX_CONTENT_LENGTH``)."""

MAX_HEADER_BLOCK = 10 * 1024 * 1024
"""The longest header block FreeSWITCH accepts; anything longer is a broken stream."""

_HEADER_END = b"\n\n"


@dataclass(slots=True)
class Frame:
    """One frame from the server: its outer headers (URL-decoded) and its raw body."""

    headers: dict[str, str]
    body: bytes = b""

    @property
    def content_type(self) -> str:
        """The frame's ``Content-Type`` (``""`` when it has none)."""
        return self.headers.get("Content-Type", "")


def _parse_header_block(block: bytes, offset: int) -> dict[str, str]:
    """Parse an outer header block; ``offset`` is its stream position, for error messages.

    Values are URL-decoded when they contain ``%`` (the outbound ``connect`` reply is a
    serialised event). For duplicate names the first value wins, except ``Event-Name``, where
    the last one wins, as in esl.c.
    """
    text = block.decode("utf-8", "replace")
    if "%" not in text:  # the usual case, done in C: every line is "Name: value", no repeats
        lines = text.split("\n")
        try:
            headers = dict(map(str.split, lines, repeat(": "), repeat(1)))
        except ValueError:
            pass
        else:
            if len(headers) == len(lines) and "" not in headers:
                return headers
    return _parse_header_lines(text, offset)


def _parse_header_lines(text: str, offset: int) -> dict[str, str]:
    """The careful, line by line way of ``_parse_header_block``."""
    headers: dict[str, str] = {}
    line_start = 0
    for line in text.split("\n"):
        name, sep, value = line.partition(": ")
        if not sep:
            name, sep, value = line.partition(":")
            value = value.lstrip(" ")
        if not sep or not name:
            raise FrameError(
                f"malformed header line {line[:80]!r} (no 'Name: value') "
                f"at stream offset {offset + line_start}"
            )
        line_start += len(line) + 1
        if "%" in value:
            value = unquote(value)
        if name in headers and name != "Event-Name":
            continue
        headers[name] = value
    return headers


def _event_frame_headers(buf: bytes, pos: int, end: int) -> dict[str, str] | None:
    """The two headers of an event frame, read directly; None for any other frame.

    FreeSWITCH writes every event as ``Content-Length: N`` then ``Content-Type: ...``.
    """
    if not buf.startswith(b"Content-Length: ", pos):
        return None
    split = buf.find(b"\nContent-Type: ", pos + 16, end)
    if split < 0 or buf.find(b"\n", split + 1, end) >= 0 or buf.find(b"%", split, end) >= 0:
        return None
    return {"Content-Length": buf[pos + 16:split].decode("utf-8", "replace"),
            "Content-Type": buf[split + 15:end].decode("utf-8", "replace")}


def _content_length(headers: dict[str, str], offset: int) -> int:
    """The frame's body length from ``Content-Length`` (0 without it), validated."""
    raw = headers.get("Content-Length")
    if raw is None:
        return 0
    if not raw.isdigit():
        raise FrameError(f"invalid Content-Length {raw!r} at stream offset {offset}")
    length = int(raw)
    if length > MAX_CONTENT_LENGTH:
        raise FrameError(
            f"Content-Length {length} exceeds the {MAX_CONTENT_LENGTH}-byte limit "
            f"at stream offset {offset}"
        )
    return length


class FrameParser:
    """Incremental ESL frame parser: feed it bytes as they arrive, get complete frames back.

    After a ``FrameError`` the stream is out of sync and every later ``feed`` raises again; the
    error carries the frames that were complete before the bad one.
    """

    __slots__ = ("_base", "_body_chunks", "_body_have", "_body_need", "_buf", "_failed",
                 "_headers", "_scan_from")

    def __init__(self) -> None:
        self._buf = b""
        self._scan_from = 0
        self._base = 0
        self._headers: dict[str, str] | None = None
        self._body_chunks: list[bytes] = []
        self._body_have = 0
        self._body_need = 0
        self._failed: FrameError | None = None

    @property
    def buffered(self) -> int:
        """How many bytes are held waiting for the rest of their frame."""
        return len(self._buf) + self._body_have

    def feed(self, data: bytes) -> list[Frame]:
        """Add ``data`` to the stream and return every frame it completes, in order."""
        if self._failed is not None:
            raise FrameError(f"stream already failed: {self._failed}")
        frames: list[Frame] = []
        if self._headers is not None:
            self._body_chunks.append(data)
            self._body_have += len(data)
            if self._body_have < self._body_need:
                return frames
            buf = b"".join(self._body_chunks)
            need = self._body_need
            frames.append(Frame(self._headers, buf[:need]))
            self._headers = None
            self._body_chunks = []
            self._body_have = 0
            pos = scan = need
        elif self._buf:
            buf = self._buf + data
            pos = 0
            scan = self._scan_from
        else:
            buf = data
            pos = scan = 0
        try:
            self._split(buf, pos, scan, frames)
        except FrameError as exc:
            exc.frames = frames
            self._failed = exc
            raise
        return frames

    def _split(self, buf: bytes, pos: int, scan: int, frames: list[Frame]) -> None:
        """Cut every complete frame out of ``buf`` from ``pos``; keep the remainder."""
        size = len(buf)
        find = buf.find
        while pos < size:
            if buf[pos] == 10:  # a stray blank line between frames, as esl.c tolerates
                pos += 1
                continue
            end = find(_HEADER_END, pos if pos >= scan else scan)
            if end < 0:
                if size - pos > MAX_HEADER_BLOCK:
                    raise FrameError(
                        f"header block longer than {MAX_HEADER_BLOCK} bytes "
                        f"at stream offset {self._base + pos}"
                    )
                break
            offset = self._base + pos
            headers = _event_frame_headers(buf, pos, end)
            if headers is None:
                headers = _parse_header_block(buf[pos:end], offset)
            length = _content_length(headers, offset)
            body_start = end + 2
            if length == 0:
                frames.append(Frame(headers))
                pos = body_start
            elif body_start + length <= size:
                pos = body_start + length
                frames.append(Frame(headers, buf[body_start:pos]))
            else:
                self._headers = headers
                self._body_need = length
                self._body_chunks = [buf[body_start:]]
                self._body_have = size - body_start
                self._base += body_start
                self._buf = b""
                self._scan_from = 0
                return
        self._base += pos
        self._buf = buf[pos:] if pos < size else b""
        self._scan_from = max(0, len(self._buf) - 1)


def _check_line(text: str, what: str) -> None:
    """Refuse a line break inside a command line or header, which would split the frame."""
    if "\n" in text or "\r" in text:
        raise ValueError(f"{what} must not contain a line break: {text!r}")


def encode_command(
    line: str,
    headers: dict[str, str] | None = None,
    body: str | bytes | None = None,
) -> bytes:
    """Encode one client-to-server frame: command line, headers, optional body.

    A body gets its ``Content-Length`` (in bytes). Header values are sent raw: FreeSWITCH does
    not URL-decode what clients send.
    """
    _check_line(line, "command")
    parts = [line]
    if headers:
        for name, value in headers.items():
            _check_line(name, "header name")
            _check_line(value, f"header {name}")
            parts.append(f"{name}: {value}")
    payload = b""
    if body is not None:
        payload = body.encode("utf-8") if isinstance(body, str) else body
        parts.append(f"Content-Length: {len(payload)}")
    parts.append("\n")
    return "\n".join(parts).encode("utf-8") + payload


def event_command(verb: str, events: list[str]) -> str:
    """Build ``<verb> A B CUSTOM x y``: event names first, CUSTOM subclasses (``a::b``) last.

    Every word after ``CUSTOM`` is read as a subclass by FreeSWITCH, so they must come last.
    """
    names: list[str] = []
    subclasses: list[str] = []
    for item in events:
        for token in item.split():
            if token.upper() == "CUSTOM":
                continue
            target = subclasses if "::" in token else names
            if token not in target:
                target.append(token)
    words = [verb, *names]
    if subclasses:
        words += ["CUSTOM", *subclasses]
    return " ".join(words)


def sendmsg_message(
    command: str,
    *,
    app: str | None = None,
    arg: str | None = None,
    event_lock: bool = False,
    event_uuid: str | None = None,
    hangup_cause: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[dict[str, str], str | None]:
    """The headers (and body) of a ``sendmsg``: ``call-command`` plus what it needs.

    A multi-line ``arg`` goes in a ``text/plain`` body, as ``execute-app-arg`` cannot hold a
    line break. ``Event-UUID`` comes back as ``Application-UUID`` on the execute's events.
    """
    message = {"call-command": command}
    body = None
    if app is not None:
        message["execute-app-name"] = app
    if arg:
        if "\n" in arg or "\r" in arg:
            message["content-type"] = "text/plain"
            body = arg
        else:
            message["execute-app-arg"] = arg
    if event_lock:
        message["event-lock"] = "true"
    if event_uuid is not None:
        message["Event-UUID"] = event_uuid
    if command == "hangup":
        message["hangup-cause"] = hangup_cause or "NORMAL_CLEARING"
    if headers:
        message.update(headers)
    return message, body
