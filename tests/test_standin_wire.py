"""The stand-in's encoding of events follows switch_url_encode and the serialisers."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from ccore.standin.wire import Event, event_frame, serialize_json, serialize_plain, url_encode


def test_url_encoding_escapes_the_unsafe_set_only() -> None:
    assert url_encode("sofia::register") == "sofia%3A%3Aregister"
    assert url_encode("Sun, 22 Nov 2026") == "Sun,%2022%20Nov%202026"
    assert url_encode("SIP/2.0/UDP (x)!*'") == "SIP/2.0/UDP%20(x)!*'"
    assert url_encode("+OK\n") == "%2BOK%0A"
    assert url_encode("é") == "%C3%A9"


def test_an_existing_percent_escape_is_not_encoded_again() -> None:
    assert url_encode("tone_stream://%(300,100,440)") == "tone_stream%3A//%25(300,100,440)"
    assert url_encode("value %41") == "value%20%41"


@given(st.text(alphabet=st.characters(blacklist_characters="%", blacklist_categories=("Cs",)),
               max_size=40))
def test_plain_values_decode_back_with_unquote(value: str) -> None:
    event = Event("CUSTOM", [("x", value)])
    line = serialize_plain(event).split("\n")[0]
    assert unquote(line.partition(": ")[2]) == (value if value else "_undef_")


def test_body_is_carried_raw_after_an_inner_content_length() -> None:
    event = Event("BACKGROUND_JOB", [("Job-UUID", "j")], body="+OK done\n")
    assert serialize_plain(event).endswith("Content-Length: 9\n\n+OK done\n")
    frame = event_frame(event, "plain")
    length = int(re.match(rb"Content-Length: (\d+)\n", frame).group(1))
    assert len(frame.split(b"\n\n", 1)[1]) == length


def test_json_keeps_duplicate_headers_and_puts_the_body_last() -> None:
    event = Event("COMMAND", [("Event-Name", "COMMAND"), ("Event-Name", "PRIVATE_COMMAND")],
                  body="x")
    text = serialize_json(event)
    assert text.count('"Event-Name"') == 2
    assert json.loads(text)["Event-Name"] == "PRIVATE_COMMAND"
    assert text.endswith('"Content-Length":"1","_body":"x"}')
