"""ESL wire format: events, URL-encoding and the frames the switch sends."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from xml.sax.saxutils import escape

# SWITCH_URL_UNSAFE in switch_utils.h, plus every byte below 0x20 and above 0x7E.
_UNSAFE = frozenset(b"\r\n #%&+:;<=>?@[\\]^`{|}\"")
_HEX = frozenset(b"0123456789abcdefABCDEF")

GOODBYE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
SHUTDOWN_TEXT = "The system is being shut down.\n"
LOST_EVENTS_TEXT = "killed listener because of lost events\n"


def url_encode(value: str) -> str:
    """Encode a header value as ``switch_url_encode_opt(double_encode=FALSE)`` does."""
    raw = value.encode("utf-8")
    out: list[str] = []
    i = 0
    while i < len(raw):
        b = raw[i]
        if b == 0x25 and i + 2 < len(raw) and raw[i + 1] in _HEX and raw[i + 2] in _HEX:
            out.append("%")  # an existing %XX escape is kept as it is
        elif b in _UNSAFE or b < 0x20 or b > 0x7E:
            out.append(f"%{b:02X}")
        else:
            out.append(chr(b))
        i += 1
    return "".join(out)


@dataclass
class Event:
    """A FreeSWITCH event: ordered headers (duplicates allowed) and an optional body."""

    name: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str | None = None
    subclass: str | None = None

    def add(self, name: str, value: object) -> None:
        """Append a header at the bottom."""
        self.headers.append((name, str(value)))

    def extend(self, headers: Iterable[tuple[str, str]]) -> None:
        """Append several headers."""
        self.headers.extend(headers)

    def get(self, name: str, default: str | None = None) -> str | None:
        """First value of a header (Event-Name: the last, as esl.c reads it)."""
        if name == "Event-Name":
            found = [v for k, v in self.headers if k == name]
            return found[-1] if found else default
        for k, v in self.headers:
            if k == name:
                return v
        return default

    def has(self, name: str) -> bool:
        """Whether the event carries the header."""
        return any(k == name for k, _ in self.headers)

    @property
    def uuid(self) -> str | None:
        """The channel UUID the event is about, if any."""
        return self.get("Unique-ID")


def serialize_plain(event: Event) -> str:
    """The event as ``switch_event_serialize(..., encode=TRUE)`` prints it."""
    lines = [f"{k}: {url_encode(v) if v != '' else '_undef_'}\n" for k, v in event.headers]
    if event.body is not None:
        lines.append(f"Content-Length: {len(event.body.encode('utf-8'))}\n\n{event.body}")
    else:
        lines.append("\n")
    return "".join(lines)


def _quote_json(value: object) -> str:
    """A JSON string (or array) as ``json.dumps(value, ensure_ascii=False)``, only faster."""
    if isinstance(value, str):
        return encode_basestring(value)  # the C encoder json.dumps ends up calling
    return json.dumps(value, ensure_ascii=False)


def serialize_json(event: Event) -> str:
    """The event as ``switch_event_serialize_json`` prints it (duplicate keys kept)."""
    quote = _quote_json
    parts = [f"{quote(k)}:{quote(v)}" for k, v in event.headers]
    if event.body is not None:
        parts.append(f'"Content-Length":"{len(event.body.encode("utf-8"))}"')
        parts.append(f'"_body":{json.dumps(event.body, ensure_ascii=False)}')
    return "{" + ",".join(parts) + "}"


def serialize_xml(event: Event) -> str:
    """The event as ``switch_event_xmlize`` prints it."""
    heads = "".join(
        f"    <{k}>{escape(url_encode(v))}</{k}>\n" for k, v in event.headers
    )
    out = f"<event>\n  <headers>\n{heads}  </headers>\n"
    if event.body is not None:
        out += (
            f"  <Content-Length>{len(event.body.encode('utf-8'))}</Content-Length>\n"
            f"  <body>{escape(event.body)}</body>\n"
        )
    return out + "</event>\n"


_FORMATS = {
    "plain": ("text/event-plain", serialize_plain),
    "json": ("text/event-json", serialize_json),
    "xml": ("text/event-xml", serialize_xml),
}


def event_frame(event: Event, fmt: str) -> bytes:
    """An event as delivered to a listener: outer Content-Length and Content-Type, then it."""
    content_type, serialize = _FORMATS[fmt]
    body = serialize(event).encode("utf-8")
    head = f"Content-Length: {len(body)}\nContent-Type: {content_type}\n\n".encode()
    return head + body


def command_reply(text: str, extra: Iterable[tuple[str, str]] = ()) -> bytes:
    """A ``command/reply`` frame."""
    lines = ["Content-Type: command/reply", f"Reply-Text: {text}"]
    lines += [f"{k}: {v}" for k, v in extra]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def api_response(body: str) -> bytes:
    """An ``api/response`` frame; empty output becomes ``-ERR no reply``."""
    if body == "":
        body = "-ERR no reply\n"
    data = body.encode("utf-8")
    return f"Content-Type: api/response\nContent-Length: {len(data)}\n\n".encode() + data


def rude_rejection() -> bytes:
    """What a client outside the inbound ACL gets before the socket closes."""
    body = b"Access Denied, go away.\n"
    return f"Content-Type: text/rude-rejection\nContent-Length: {len(body)}\n\n".encode() + body


def auth_request() -> bytes:
    """The greeting of an inbound connection."""
    return b"Content-Type: auth/request\n\n"


def disconnect_notice(message: str = GOODBYE, session_uuid: str | None = None) -> bytes:
    """The ``text/disconnect-notice`` sent before the switch closes a socket."""
    data = message.encode("utf-8")
    if session_uuid:
        head = (
            "Content-Type: text/disconnect-notice\n"
            f"Controlled-Session-UUID: {session_uuid}\n"
            "Content-Disposition: disconnect\n"
            f"Content-Length: {len(data)}\n\n"
        )
    else:
        head = f"Content-Type: text/disconnect-notice\nContent-Length: {len(data)}\n\n"
    return head.encode("utf-8") + data


def linger_notice(session_uuid: str, channel_name: str, linger_time: int) -> bytes:
    """The notice a lingering session socket gets when its channel hangs up."""
    return (
        "Content-Type: text/disconnect-notice\n"
        f"Controlled-Session-UUID: {session_uuid}\n"
        "Content-Disposition: linger\n"
        f"Channel-Name: {channel_name}\n"
        f"Linger-Time: {linger_time}\n"
        "Content-Length: 0\n\n"
    ).encode()


def channel_data_reply(event: Event, socket_mode: str, control: str) -> bytes:
    """The outbound ``connect`` reply: a serialised CHANNEL_DATA event as headers."""
    reply = Event(event.name, list(event.headers), event.body)
    reply.extend(
        [
            ("Content-Type", "command/reply"),
            ("Reply-Text", "+OK\n"),
            ("Socket-Mode", socket_mode),
            ("Control", control),
        ]
    )
    return serialize_plain(reply).encode("utf-8")
