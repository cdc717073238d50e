"""A FreeSWITCH event as read from the Event Socket, with typed access to the key headers.

Plain events (``text/event-plain``) carry the event as a URL-encoded header block, optionally
followed by an inner ``Content-Length`` and a raw body (a BACKGROUND_JOB's output). JSON events
(``text/event-json``) are one object whose ``_body`` is the body; multi-value headers are lists.
For duplicate headers the last ``Event-Name`` wins and the first of any other name, as in esl.c.
"""

from __future__ import annotations

import binascii
import json
import re
from typing import Any
from urllib.parse import unquote

from ccore.esl.frames import Frame

HeaderValue = Any
"""A header's value: ``str``, or ``list[str]`` for a multi-value (array) header."""

_VARIABLE_PREFIX = "variable_"
_ARRAY_PREFIX = "ARRAY::"


_BAD_ESCAPE = re.compile(rb"%(?![0-9A-F]{2})")  # also catches lower-case escapes


def _first_wins(pairs: list[list[str]]) -> dict[str, Any]:
    """Build headers from pairs with duplicates: first value wins, except Event-Name (last)."""
    headers: dict[str, Any] = {}
    for name, value in pairs:
        if name in headers and name != "Event-Name":
            continue
        headers[name] = value
    return headers


def _to_pairs(lines: list[str]) -> list[list[str]]:
    """Split header lines into ``[name, value]`` pairs, tolerating ``Name:value`` lines."""
    pairs = [line.split(": ", 1) for line in lines]
    for index, pair in enumerate(pairs):
        if len(pair) != 2:
            name, _, value = pair[0].partition(":")
            pairs[index] = [name, value.lstrip(" ")]
    return pairs


def _decode_block(block: bytes) -> tuple[str, str] | None:
    """URL-decode a whole header block in C; returns (text, line separator) or None.

    Header names are never encoded, so decoding the block at once equals decoding each value.
    ``%XX`` becomes ``=XX`` for ``binascii.a2b_qp``, which is only correct for what FreeSWITCH
    sends: ASCII, no literal ``=`` (always encoded) and only upper-case ``%XX`` escapes. When a
    value holds an encoded LF, the real line ends become NUL first (a raw NUL never occurs:
    control characters are always encoded), so the decoded LF cannot split a line. Returns
    None when the fast way is not safe; the caller then decodes value by value.
    """
    if b"=" in block or not block.isascii() or _BAD_ESCAPE.search(block) is not None:
        return None
    separator = "\n"
    if b"%0A" in block:
        if b"%00" in block:
            return None
        block = block.replace(b"\n", b"\x00")
        separator = "\x00"
    text = binascii.a2b_qp(block.replace(b"%", b"=")).decode("utf-8", "replace")
    return text, separator


def parse_plain(data: bytes) -> tuple[dict[str, HeaderValue], str]:
    """Parse a ``text/event-plain`` body into (headers, body)."""
    end = data.find(b"\n\n")
    if end < 0:
        end = len(data.rstrip(b"\n"))
    block = data[:end]
    decoded = _decode_block(block) if b"%" in block else None
    if decoded is None:
        text = block.decode("utf-8", "replace")
        lines = text.split("\n")
    else:
        text = decoded[0]
        lines = text.split(decoded[1])
    pairs = [line.split(": ", 1) for line in lines]
    try:
        headers: dict[str, Any] = dict(pairs)
    except ValueError:
        pairs = _to_pairs(lines)
        headers = dict(pairs)
    if len(headers) != len(pairs):
        headers = _first_wins(pairs)
    if decoded is None and "%" in text:  # the slow, value-by-value way
        for name, value in headers.items():
            if "%" in value:
                headers[name] = unquote(value)
    if "ARRAY::" in text:
        for name, value in headers.items():
            if isinstance(value, str) and value.startswith(_ARRAY_PREFIX):
                headers[name] = value[len(_ARRAY_PREFIX):].split("|:")
    body = ""
    length = headers.get("Content-Length")
    if isinstance(length, str) and length.isdigit():
        start = end + 2
        body = data[start:start + int(length)].decode("utf-8", "replace")
    return headers, body


def parse_json(data: bytes) -> tuple[dict[str, HeaderValue], str]:
    """Parse a ``text/event-json`` body into (headers, body)."""
    headers = json.loads(data)
    if not isinstance(headers, dict):
        raise ValueError(f"JSON event is not an object: {type(headers).__name__}")
    body = headers.pop("_body", "")
    return headers, body if isinstance(body, str) else str(body)


class EslEvent:
    """One event: ``headers`` (decoded) and ``body`` (text), with typed accessors."""

    __slots__ = ("body", "headers")

    def __init__(self, headers: dict[str, HeaderValue], body: str = "") -> None:
        self.headers = headers
        self.body = body

    @classmethod
    def from_frame(cls, frame: Frame) -> EslEvent:
        """Build an event from a ``text/event-plain`` or ``text/event-json`` frame."""
        content_type = frame.headers.get("Content-Type", "")
        if content_type == "text/event-json":
            return cls(*parse_json(frame.body))
        if content_type == "text/event-plain":
            return cls(*parse_plain(frame.body))
        raise ValueError(f"not an event frame: Content-Type {content_type!r}")

    @classmethod
    def from_headers(cls, headers: dict[str, str], body: str = "") -> EslEvent:
        """Build an event from already decoded headers (the outbound ``connect`` reply)."""
        return cls(dict(headers), body)

    def __repr__(self) -> str:
        return f"EslEvent({self.name!r}, uuid={self.uuid!r}, seq={self.sequence})"

    def get(self, name: str, default: HeaderValue = None) -> HeaderValue:
        """The header ``name`` (a list for multi-value headers), or ``default``."""
        return self.headers.get(name, default)

    def _text(self, name: str) -> str | None:
        """The header as one string: the first value of a multi-value header."""
        value = self.headers.get(name)
        if isinstance(value, list):
            return value[0] if value else None
        return value

    def _number(self, name: str) -> int:
        """The header as an integer, 0 when missing or not a number."""
        value = self._text(name)
        return int(value) if value is not None and value.isdigit() else 0

    @property
    def name(self) -> str:
        """The event type (``Event-Name``), e.g. ``CHANNEL_ANSWER``; ``""`` if missing."""
        return self._text("Event-Name") or ""

    @property
    def subclass(self) -> str | None:
        """The CUSTOM event's subclass (``Event-Subclass``), e.g. ``sofia::register``."""
        return self._text("Event-Subclass")

    @property
    def uuid(self) -> str | None:
        """The channel's UUID (``Unique-ID``), or None for non-channel events."""
        return self._text("Unique-ID")

    @property
    def job_uuid(self) -> str | None:
        """The background job's UUID (``Job-UUID``) of a BACKGROUND_JOB event."""
        return self._text("Job-UUID")

    @property
    def core_uuid(self) -> str | None:
        """The switch's ``Core-UUID``; it changes when FreeSWITCH restarts."""
        return self._text("Core-UUID")

    @property
    def sequence(self) -> int:
        """The switch-wide ``Event-Sequence`` number (0 when absent)."""
        return self._number("Event-Sequence")

    @property
    def timestamp_us(self) -> int:
        """``Event-Date-Timestamp``: microseconds since the epoch (0 when absent)."""
        return self._number("Event-Date-Timestamp")

    def variable(self, name: str, default: HeaderValue = None) -> HeaderValue:
        """The channel variable ``name`` (header ``variable_<name>``), or ``default``."""
        return self.headers.get(_VARIABLE_PREFIX + name, default)

    def variables(self) -> dict[str, HeaderValue]:
        """Every channel variable on the event, keyed without the ``variable_`` prefix."""
        cut = len(_VARIABLE_PREFIX)
        return {
            name[cut:]: value
            for name, value in self.headers.items()
            if name.startswith(_VARIABLE_PREFIX)
        }
