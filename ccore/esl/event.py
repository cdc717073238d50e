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
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote

import orjson

from ccore.esl.frames import Frame

HeaderValue = Any
"""A header's value: ``str``, or ``list[str]`` for a multi-value (array) header."""

_VARIABLE_PREFIX = "variable_"
_ARRAY_PREFIX = "ARRAY::"


# A "%" that does not start a valid upper-case escape, or that encodes a NUL.
_SUSPECT_ESCAPE = re.compile(rb"%(?![1-9A-F][0-9A-F]|0[1-9A-F])")
_ARRAY_MARK = "\x00" + _ARRAY_PREFIX
_SEPARATORS_TO_NUL = bytes.maketrans(b" \n", b"\x00\x00")


def _first_wins(pairs: Iterable[Sequence[str]]) -> dict[str, Any]:
    """Build headers from pairs with duplicates: first value wins, except Event-Name (last)."""
    headers: dict[str, Any] = {}
    for name, value in pairs:
        if name in headers and name != "Event-Name":
            continue
        headers[name] = value
    return headers


def _careful_headers(block: bytes) -> dict[str, Any]:
    """Parse a header block line by line, decoding each value on its own (any input)."""
    pairs = []
    for line in block.decode("utf-8", "replace").split("\n"):
        name, sep, value = line.partition(": ")
        if not sep:
            name, _, value = line.partition(":")
            value = value.lstrip(" ")
        pairs.append((name, unquote(value) if "%" in value else value))
    return _first_wins(pairs)


def _fast_headers(block: bytes) -> dict[str, Any] | None:
    """Parse a header block as FreeSWITCH writes it, in a few C-speed passes; else None.

    FreeSWITCH URL-encodes every value, so ``:``, space, ``=``, NUL and non-ASCII never
    appear raw in a value: the only raw ``:`` and spaces are the ``": "`` of each line. One
    ``translate`` turns those and the line ends into NUL, the whole block is decoded at once
    (``%XX`` as ``=XX`` for ``binascii.a2b_qp``) and one split yields names and values in
    turn. A block that breaks these rules returns None and takes the careful way; so does a
    line without its ``": "``, unless another line makes up for it with an unencoded one
    (two malformed lines that FreeSWITCH never writes).
    """
    if not block.isascii() or b"\x00" in block:
        return None
    encoded = b"%" in block
    if encoded and (b"=" in block or _SUSPECT_ESCAPE.search(block) is not None):
        return None
    lines = block.count(b"\n") + 1
    if block.count(b":") != lines:
        return None
    raw = block.translate(_SEPARATORS_TO_NUL, b":")
    if encoded:
        raw = binascii.a2b_qp(raw.replace(b"%", b"="))
    text = raw.decode("utf-8", "replace")
    parts = text.split("\x00")
    if len(parts) != 2 * lines:
        return None
    pairs = iter(parts)
    headers: dict[str, Any] = dict(zip(pairs, pairs, strict=True))
    if len(headers) != lines:  # repeated names: first wins, but the last Event-Name
        pairs = iter(parts)
        headers = _first_wins(zip(pairs, pairs, strict=True))
    found = text.find(_ARRAY_MARK)
    while found >= 0:  # a multi-value header, ARRAY::a|:b, becomes a list
        name = text[text.rfind("\x00", 0, found) + 1:found]
        value = headers.get(name)
        if isinstance(value, str) and value.startswith(_ARRAY_PREFIX):
            headers[name] = value[len(_ARRAY_PREFIX):].split("|:")
        found = text.find(_ARRAY_MARK, found + 1)
    return headers


def _header_block_end(data: bytes) -> int:
    """Where the event's header block ends (the first empty line).

    FreeSWITCH writes the inner ``Content-Length`` as the last header when there is a body,
    and otherwise ends the block with the data; looking for that header first saves a scan
    that stops at every one of the hundred line ends. (An event with a body but without
    ``Content-Length`` cannot be split reliably anyway; its body lines are read as headers.)
    """
    if not data.startswith(b"Content-Length:"):
        length_at = data.find(b"\nContent-Length: ")
        if length_at >= 0:
            return data.find(b"\n\n", length_at)
        if data.endswith(b"\n\n"):  # no body: the block runs to the end
            return len(data) - 2
    return data.find(b"\n\n")


def parse_plain(data: bytes) -> tuple[dict[str, HeaderValue], str]:
    """Parse a ``text/event-plain`` body into (headers, body)."""
    end = _header_block_end(data)
    if end < 0:
        end = len(data.rstrip(b"\n"))
    block = data[:end]
    headers = _fast_headers(block)
    if headers is None:
        headers = _careful_headers(block)
        for name, value in headers.items():
            if value.startswith(_ARRAY_PREFIX):
                headers[name] = value[len(_ARRAY_PREFIX):].split("|:")
    body = ""
    length = headers.get("Content-Length")
    if isinstance(length, str) and length.isdigit():
        start = end + 2
        body = data[start:start + int(length)].decode("utf-8", "replace")
    return headers, body


def _json_pairs_first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` giving esl.c's rule for repeated names (see ``_first_wins``)."""
    headers = dict(pairs)
    return headers if len(headers) == len(pairs) else _first_wins(pairs)


_JSON_FIRST_WINS = json.JSONDecoder(object_pairs_hook=_json_pairs_first_wins)


def parse_json(data: bytes) -> tuple[dict[str, HeaderValue], str]:
    """Parse a ``text/event-json`` body into (headers, body).

    A repeated name keeps its first value (the last, for Event-Name), as in plain events.
    """
    if data.count(b'"Event-Name"') <= 1:
        # The usual case. Headers with different values under one name only appear when
        # FreeSWITCH prepared an event twice, which repeats Event-Name too: those take the
        # first-wins path below. (orjson: ~2-3x json's speed on these 100-header objects.)
        try:
            headers = orjson.loads(data)
        except orjson.JSONDecodeError:
            headers = None  # e.g. invalid UTF-8: the tolerant path below decides
        if isinstance(headers, dict):
            body = headers.pop("_body", "")
            return headers, body if isinstance(body, str) else str(body)
    text = data.decode("utf-8", "replace")
    headers, end = _JSON_FIRST_WINS.raw_decode(text)  # JSONDecodeError is a ValueError
    if end != len(text) and text[end:].strip():
        raise ValueError(f"JSON event has trailing data at {end}")
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
        value = self.headers.get("Event-Name")  # read for every event: kept short
        return value if isinstance(value, str) else self._text("Event-Name") or ""

    @property
    def subclass(self) -> str | None:
        """The CUSTOM event's subclass (``Event-Subclass``), e.g. ``sofia::register``."""
        return self._text("Event-Subclass")

    @property
    def uuid(self) -> str | None:
        """The channel's UUID (``Unique-ID``), or None for non-channel events."""
        value = self.headers.get("Unique-ID")  # read for every event: kept short
        return value if isinstance(value, str) or value is None else self._text("Unique-ID")

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
