"""Framing and event decoding: chunking, limits, malformed input, FreeSWITCH's encoding."""

from __future__ import annotations

import itertools
import json

import pytest
from esl_replay import recv_chunks
from hypothesis import given, settings
from hypothesis import strategies as st

from ccore.esl.errors import FrameError
from ccore.esl.event import EslEvent
from ccore.esl.frames import MAX_CONTENT_LENGTH, Frame, FrameParser, encode_command

# The characters switch_url_encode escapes (SWITCH_URL_UNSAFE), plus every control and
# non-ASCII byte.
_UNSAFE = set("\r\n #%&+:;<=>?@[\\]^`{|}\"")


def fs_url_encode(value: str) -> str:
    """Encode a header value the way FreeSWITCH's switch_url_encode does (upper-case hex)."""
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        if byte < 0x20 or byte > 0x7E or char in _UNSAFE:
            out.append(f"%{byte:02X}")
        else:
            out.append(char)
    return "".join(out)


def plain_event(headers: list[tuple[str, str]], body: str = "") -> bytes:
    """Serialise an event as FreeSWITCH does for ``text/event-plain``, framed."""
    lines = [f"{name}: {fs_url_encode(value)}" for name, value in headers]
    raw_body = body.encode()
    inner = "\n".join(lines).encode() + b"\n"
    inner += f"Content-Length: {len(raw_body)}\n\n".encode() + raw_body if raw_body else b"\n"
    return b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(inner) + inner


ALL_RECORDED = b"".join(chunk for name in ("api_and_bgapi", "call_flow_plain",
                                           "call_flow_json", "outbound_socket")
                        for chunk in recv_chunks(name))


def test_reply_without_content_length_and_event_in_one_chunk_give_two_frames() -> None:
    data = (b"Content-Type: command/reply\nReply-Text: +OK Job-UUID: 1\nJob-UUID: 1\n\n"
            b"Content-Length: 5\nContent-Type: api/response\n\nfalse")
    first, second = FrameParser().feed(data)
    assert first == Frame({"Content-Type": "command/reply", "Reply-Text": "+OK Job-UUID: 1",
                           "Job-UUID": "1"}, b"")
    assert (second.content_type, second.body) == ("api/response", b"false")


def test_frame_fed_one_byte_at_a_time_comes_out_whole() -> None:
    data = b"Content-Type: api/response\nContent-Length: 9\n\n+OK done\n"
    parser = FrameParser()
    frames = [f for i in range(len(data)) for f in parser.feed(data[i:i + 1])]
    assert frames == [Frame({"Content-Type": "api/response", "Content-Length": "9"},
                            b"+OK done\n")]


def test_body_length_counts_bytes_not_characters() -> None:
    body = "Zoë 📞".encode()
    data = b"Content-Type: api/response\nContent-Length: %d\n\n" % len(body) + body
    parser = FrameParser()
    frames = parser.feed(data[:-3]) + parser.feed(data[-3:])  # split inside the emoji
    assert frames[0].body.decode() == "Zoë 📞"


def test_content_length_over_the_cap_is_refused_with_its_value() -> None:
    too_big = MAX_CONTENT_LENGTH + 1
    with pytest.raises(FrameError, match=str(too_big)):
        FrameParser().feed(b"Content-Type: api/response\nContent-Length: %d\n\n" % too_big)


def test_malformed_header_is_reported_and_earlier_frames_survive() -> None:
    good = b"Content-Type: command/reply\nReply-Text: +OK\n\n"
    parser = FrameParser()
    with pytest.raises(FrameError, match=r"garbage line.*offset 45") as caught:
        parser.feed(good + b"garbage line\n\n")
    assert caught.value.frames == [Frame({"Content-Type": "command/reply",
                                          "Reply-Text": "+OK"})]
    with pytest.raises(FrameError):
        parser.feed(good)  # the stream is out of sync for good


def test_non_numeric_content_length_is_a_frame_error() -> None:
    with pytest.raises(FrameError, match="'12x'"):
        FrameParser().feed(b"Content-Type: api/response\nContent-Length: 12x\n\n")


def test_outer_headers_are_url_decoded_and_blank_lines_between_frames_skipped() -> None:
    frames = FrameParser().feed(b"\nContent-Type: command/reply\nReply-Text: %2BOK%0A\n\n")
    assert frames[0].headers["Reply-Text"] == "+OK\n"


def test_large_body_split_over_many_chunks_is_joined_once() -> None:
    body = bytes(range(256)) * 4096  # 1 MiB
    data = b"Content-Type: api/response\nContent-Length: %d\n\n" % len(body) + body
    parser = FrameParser()
    frames = []
    for start in range(0, len(data), 65536):
        frames += parser.feed(data[start:start + 65536])
    assert len(frames) == 1 and frames[0].body == body


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(ALL_RECORDED) - 1), max_size=40))
def test_rechunking_the_same_bytes_gives_the_same_frames(cuts: list[int]) -> None:
    bounds = [0, *sorted(set(cuts)), len(ALL_RECORDED)]
    parser = FrameParser()
    frames = [f for a, b in itertools.pairwise(bounds)
              for f in parser.feed(ALL_RECORDED[a:b])]
    assert frames == FrameParser().feed(ALL_RECORDED)
    assert len(frames) == 18 + 46 + 46 + 22


header_values = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,20}", fullmatch=True),
                          header_values), min_size=1, max_size=12),
       st.text(max_size=40))
def test_plain_event_values_survive_freeswitch_encoding(
        headers: list[tuple[str, str]], body: str) -> None:
    headers = [(n, v) for n, v in headers if n not in ("Content-Length", "Event-Name")]
    headers.insert(0, ("Event-Name", "CUSTOM"))
    (frame,) = FrameParser().feed(plain_event(headers, body))
    event = EslEvent.from_frame(frame)
    expected: dict[str, str] = {}
    for name, value in headers:
        expected.setdefault(name, value)  # the first of duplicate headers wins
    for name, value in expected.items():
        if not value.startswith("ARRAY::"):
            assert event.get(name) == value
    assert event.body == body


def test_duplicate_event_name_last_wins_other_headers_first_win() -> None:
    data = plain_event([("Event-Name", "COMMAND"), ("Core-UUID", "first"),
                        ("Event-Name", "PRIVATE_COMMAND"), ("Core-UUID", "second")])
    event = EslEvent.from_frame(FrameParser().feed(data)[0])
    assert (event.name, event.core_uuid) == ("PRIVATE_COMMAND", "first")


def test_multi_value_headers_are_lists_in_plain_and_json() -> None:
    plain = plain_event([("Event-Name", "CUSTOM"), ("variable_codecs", "ARRAY::PCMU|:PCMA")])
    as_json = json.dumps({"Event-Name": "CUSTOM", "variable_codecs": ["PCMU", "PCMA"],
                          "_body": "hello"}).encode()
    json_frame = b"Content-Length: %d\nContent-Type: text/event-json\n\n" % len(as_json)
    for data in (plain, json_frame + as_json):
        event = EslEvent.from_frame(FrameParser().feed(data)[0])
        assert event.variable("codecs") == ["PCMU", "PCMA"]
    assert EslEvent.from_frame(FrameParser().feed(json_frame + as_json)[0]).body == "hello"


def test_value_with_encoded_newline_and_equals_decodes_exactly() -> None:
    sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n"
    data = plain_event([("Event-Name", "CHANNEL_ANSWER"), ("variable_switch_r_sdp", sdp),
                        ("Unique-ID", "u-1"), ("variable_pct", "100% sure %41")])
    event = EslEvent.from_frame(FrameParser().feed(data)[0])
    assert event.variable("switch_r_sdp") == sdp
    assert event.uuid == "u-1"
    assert event.variable("pct") == "100% sure %41"


def test_non_event_frame_is_not_an_event() -> None:
    with pytest.raises(ValueError, match="command/reply"):
        EslEvent.from_frame(Frame({"Content-Type": "command/reply"}))


def test_encoded_command_carries_headers_and_a_byte_counted_body() -> None:
    data = encode_command("sendmsg abc", {"call-command": "execute"}, "Zoë\nline 2")
    assert data == (b"sendmsg abc\ncall-command: execute\nContent-Length: 11\n\n"
                    + "Zoë\nline 2".encode())
    assert encode_command("api status") == b"api status\n\n"


def test_line_break_in_a_command_is_refused_rather_than_injected() -> None:
    with pytest.raises(ValueError, match="line break"):
        encode_command("api status\n\napi fsctl shutdown")
    with pytest.raises(ValueError, match="line break"):
        encode_command("sendmsg", {"execute-app-arg": "a\nb"})


def test_repeated_json_names_follow_the_same_rule_as_plain_events() -> None:
    raw = (b'{"Event-Name":"COMMAND","Core-UUID":"first","Event-Name":"PRIVATE_COMMAND",'
           b'"Core-UUID":"second","Unique-ID":"u-1"}')
    data = b"Content-Length: %d\nContent-Type: text/event-json\n\n" % len(raw) + raw
    event = EslEvent.from_frame(FrameParser().feed(data)[0])
    assert (event.name, event.core_uuid, event.uuid) == ("PRIVATE_COMMAND", "first", "u-1")


def test_hand_written_plain_event_is_read_the_careful_way() -> None:
    inner = (b"Event-Name: CUSTOM\nEvent-Subclass:callcenter%3a%3ainfo\n"
             b"CC-Agent: 1001@default\nCC-Note: a: b c\n\n")
    data = b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(inner) + inner
    event = EslEvent.from_frame(FrameParser().feed(data)[0])
    assert event.subclass == "callcenter::info"  # no space after ':', lower-case escapes
    assert event.get("CC-Agent") == "1001@default"
    assert event.get("CC-Note") == "a: b c"  # unencoded ': ' inside a value
