"""Every recorded FreeSWITCH session, fed to the parser exactly as recv() returned it."""

from __future__ import annotations

from collections import Counter

import pytest
from esl_replay import TRANSCRIPTS, recv_chunks

from ccore.esl.event import EslEvent
from ccore.esl.frames import Frame, FrameParser

EXPECTED_FRAMES = {
    "api_and_bgapi": {"auth/request": 1, "command/reply": 9, "api/response": 5,
                      "text/event-plain": 2, "text/disconnect-notice": 1},
    "auth_rejected": {"auth/request": 1, "command/reply": 1, "text/disconnect-notice": 1},
    "call_flow_json": {"auth/request": 1, "command/reply": 6, "text/event-json": 36,
                       "api/response": 2, "text/disconnect-notice": 1},
    "call_flow_plain": {"auth/request": 1, "command/reply": 6, "text/event-plain": 36,
                        "api/response": 2, "text/disconnect-notice": 1},
    "outbound_socket": {"command/reply": 6, "text/event-plain": 14, "api/response": 1,
                        "text/disconnect-notice": 1},
    "record_pause_and_eavesdrop": {"auth/request": 1, "command/reply": 4,
                                   "text/event-plain": 21, "api/response": 8,
                                   "text/disconnect-notice": 1},
    "resync_queries": {"auth/request": 1, "command/reply": 4, "text/event-json": 4,
                       "api/response": 20, "text/disconnect-notice": 1},
    "switch_shutdown": {"auth/request": 1, "command/reply": 2, "text/event-plain": 206,
                        "text/disconnect-notice": 1},
}


def parse_transcript(name: str) -> list[Frame]:
    """Feed a transcript's recv chunks one by one and collect every frame."""
    parser = FrameParser()
    frames = [frame for chunk in recv_chunks(name) for frame in parser.feed(chunk)]
    assert parser.buffered == 0, "bytes left over after the last recorded chunk"
    return frames


def events_of(name: str) -> list[EslEvent]:
    """Every event of a transcript, in order."""
    return [EslEvent.from_frame(f) for f in parse_transcript(name)
            if f.content_type.startswith("text/event-")]


def test_every_recorded_transcript_is_covered_by_these_tests() -> None:
    recorded = {path.stem for path in TRANSCRIPTS.glob("*.jsonl")}
    assert recorded == set(EXPECTED_FRAMES)


@pytest.mark.parametrize("name", sorted(EXPECTED_FRAMES))
def test_transcript_splits_into_the_recorded_frames(name: str) -> None:
    frames = parse_transcript(name)
    assert Counter(f.content_type for f in frames) == EXPECTED_FRAMES[name]
    for frame in frames:
        if frame.content_type.startswith("text/event-"):
            assert EslEvent.from_frame(frame).name


@pytest.mark.parametrize("name", ["call_flow_plain", "call_flow_json"])
def test_call_flow_gives_the_controller_its_call_facts(name: str) -> None:
    caller = {"call_flow_plain": "875c2a91-a6d4-4cb6-97c6-31917e9459a4",
              "call_flow_json": "f76034ad-f185-4ef4-8eb8-6904410b017c"}[name]
    events = events_of(name)
    register = events[0]
    assert (register.name, register.subclass) == ("CUSTOM", "sofia::register")
    park = next(e for e in events if e.name == "CHANNEL_PARK")
    assert park.uuid == caller
    assert park.get("Caller-Destination-Number") == "5000"
    digits = next(e for e in events if e.name == "CHANNEL_EXECUTE_COMPLETE"
                  and e.get("Application-UUID") == "pagd-1")
    assert digits.get("Application") == "play_and_get_digits"
    assert digits.variable("ivr_choice") == "1"
    hangup = next(e for e in events if e.name == "CHANNEL_HANGUP" and e.uuid == caller)
    assert hangup.get("Hangup-Cause") == "NORMAL_CLEARING"
    complete = next(e for e in events if e.name == "CHANNEL_HANGUP_COMPLETE" and e.uuid == caller)
    assert complete.variables()["hangup_cause"] == "NORMAL_CLEARING"
    assert int(complete.variable("billsec")) >= 0
    job = next(e for e in events if e.name == "BACKGROUND_JOB")
    assert job.body == "-ERR USER_NOT_REGISTERED\n"
    assert job.get("Job-Command") == "originate"
    assert job.core_uuid == "56e257b8-e932-48d3-8251-b509a128588d"
    assert job.sequence > 0
    assert job.timestamp_us > 1_700_000_000_000_000


def test_plain_and_json_recordings_of_one_call_agree_on_headers() -> None:
    plain = next(e for e in events_of("call_flow_plain") if e.name == "CHANNEL_BRIDGE")
    as_json = next(e for e in events_of("call_flow_json") if e.name == "CHANNEL_BRIDGE")
    assert plain.get("Caller-Caller-ID-Name") == as_json.get("Caller-Caller-ID-Name")
    assert plain.get("variable_sip_full_from") is not None
    assert plain.get("variable_sip_full_from").startswith('"')


def test_background_job_result_is_the_inner_body() -> None:
    frames = parse_transcript("api_and_bgapi")
    replies = [f for f in frames if f.headers.get("Job-UUID")]
    assert [f.headers["Job-UUID"] for f in replies] == [
        "d0cd1f14-db6a-48ed-a654-79f925782731", "b61e49af-b94a-4660-b618-c42a1a848079"]
    status, originate = events_of("api_and_bgapi")
    assert status.job_uuid == "d0cd1f14-db6a-48ed-a654-79f925782731"
    assert status.body.startswith("UP 0 years") and len(status.body.encode()) == 337
    assert status.get("Content-Length") == "337"
    assert originate.body == "-ERR SUBSCRIBER_ABSENT\n"
    assert originate.get("Job-Command-Arg") == "user/1999 &park()"
    assert originate.get("FreeSWITCH-IPv6") == "fd00::2"


def test_api_responses_keep_their_exact_text() -> None:
    bodies = [f.body for f in parse_transcript("api_and_bgapi")
              if f.content_type == "api/response"]
    assert bodies[1] == b"-ERR no_such_command Command not found!\n"
    assert bodies[2] == b"-ERR No such channel!\n"
    resync = [f.body for f in parse_transcript("resync_queries")
              if f.content_type == "api/response"]
    assert b"error/user_not_registered" in resync
    assert b"true" in resync and b"false" in resync  # uuid_exists: no trailing newline


def test_outbound_connect_reply_carries_the_channel_data() -> None:
    connect = parse_transcript("outbound_socket")[0]
    names = list(connect.headers)
    assert names.index("Content-Type") > 100  # deep in the block, not first
    assert connect.content_type == "command/reply"
    assert connect.body == b""
    assert connect.headers["Reply-Text"] == "+OK\n"
    channel = EslEvent.from_headers(connect.headers)
    assert channel.name == "CHANNEL_DATA"
    assert channel.uuid == "56ae5bec-cc14-4e05-8fd9-0041467aede4"
    assert channel.get("Caller-Caller-ID-Name") == "Test Caller"
    assert channel.get("Caller-Destination-Number") == "5001"
    assert channel.get("Socket-Mode") == "async"
    assert channel.get("Control") == "full"
    assert channel.variable("sip_from_user") == "5551234"
    assert channel.variables()["uuid"] == channel.uuid


def test_outbound_session_sees_its_digits_and_the_linger_notice() -> None:
    frames = parse_transcript("outbound_socket")
    events = [EslEvent.from_frame(f) for f in frames if f.content_type == "text/event-plain"]
    digits = [e for e in events if e.name == "CHANNEL_EXECUTE_COMPLETE"
              and e.get("Application") == "play_and_get_digits"]
    assert digits[0].variable("choice") == "1"
    assert digits[0].get("Application-UUID") == "9c34f9ed-ea1c-4820-a977-abc9bffe49bc"
    notice = frames[-1]
    assert notice.content_type == "text/disconnect-notice"
    assert notice.headers["Content-Disposition"] == "linger"


def test_shutdown_ends_with_the_disconnect_notice_text() -> None:
    frames = parse_transcript("switch_shutdown")
    assert EslEvent.from_frame(frames[3]).name == "SHUTDOWN"
    assert frames[-1].content_type == "text/disconnect-notice"
    assert frames[-1].body == b"The system is being shut down.\n"


def test_rejected_password_is_answered_then_disconnected() -> None:
    greeting, answer, notice = parse_transcript("auth_rejected")
    assert greeting.content_type == "auth/request"
    assert answer.headers["Reply-Text"] == "-ERR invalid"
    assert notice.body.startswith(b"Disconnected, goodbye.")


def test_duplicate_hangup_cause_keeps_the_first_value() -> None:
    hangups = [e for e in events_of("call_flow_plain") if e.name == "CHANNEL_HANGUP_COMPLETE"]
    assert all(e.get("Hangup-Cause") == "NORMAL_CLEARING" for e in hangups)
