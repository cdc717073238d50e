"""OutboundServer: a recorded FreeSWITCH channel connects and is driven by a handler."""

from __future__ import annotations

import asyncio

import pytest
from esl_replay import HOLD, Step, expect, load, recv_chunks, replay_to, reply

from ccore.esl.errors import CommandError, ConnectionLost
from ccore.esl.event import EslEvent
from ccore.esl.frames import FrameParser
from ccore.esl.outbound import OutboundServer, OutboundSession

CHANNEL = "56ae5bec-cc14-4e05-8fd9-0041467aede4"
DIGITS_ARG = "1 1 1 5000 # tone_stream://%(300,100,440) silence_stream://250 choice \\d"


def recorded_frame(name: str, event_name: str) -> Step:
    """One recorded plain event of a transcript, re-framed as a single recv step."""
    parser = FrameParser()
    for chunk in recv_chunks(name):
        for frame in parser.feed(chunk):
            if (frame.content_type == "text/event-plain"
                    and EslEvent.from_frame(frame).name == event_name):
                head = f"Content-Length: {len(frame.body)}\nContent-Type: text/event-plain\n\n"
                return Step("recv", head + frame.body.decode())
    raise LookupError(event_name)


CONNECT = [expect("connect"), load("outbound_socket")[1]]
PLAYBACK = expect("sendmsg\ncall-command: execute\nexecute-app-name: playback\n"
                  "execute-app-arg: /tmp/hold.wav\nevent-lock: true")


async def serve(handler: object, script: list[Step]) -> tuple[list[str], object]:
    """Run an OutboundServer on port 0 and let a replayed FreeSWITCH call it."""
    server = OutboundServer("127.0.0.1", 0, handler)  # type: ignore[arg-type]
    await server.start()
    try:
        assert server.port != 0
        log = await asyncio.wait_for(replay_to(server.port, script), 5)
        await server.drain(2)  # let the handler see the end of the conversation
    finally:
        await server.stop()
    return log.mismatches, log


async def test_recorded_channel_is_answered_and_its_digits_matched_by_application_uuid() -> None:
    seen: dict[str, object] = {}

    async def handler(session: OutboundSession) -> None:
        channel = await session.connect()
        seen["channel"] = channel
        await session.myevents(fmt=None)
        await session.linger()
        assert await session.execute("answer", wait=False) is None
        seen["digits"] = await session.execute("play_and_get_digits", DIGITS_ARG, timeout=2)
        with pytest.raises(CommandError) as usage:
            await session.api("uuid_dump")
        seen["usage"] = usage.value.text
        await session.hangup()
        await asyncio.wait_for(session.closed, 2)  # awaitable as well as an Event
        seen["hangup_cause"] = session.hangup_cause
        seen["events"] = session.events.qsize()

    mismatches, log = await serve(handler, load("outbound_socket"))
    assert mismatches == []
    channel = seen["channel"]
    assert isinstance(channel, EslEvent)
    assert channel.uuid == CHANNEL
    assert channel.get("Caller-Caller-ID-Number") == "5551234"
    assert channel.variable("sip_from_display") == "Test Caller"
    digits = seen["digits"]
    assert isinstance(digits, EslEvent)
    assert digits.variable("choice") == "1"
    recorded_uuid = "9c34f9ed-ea1c-4820-a977-abc9bffe49bc"
    assert digits.get("Application-UUID") == log.ids[recorded_uuid]  # ours, not the recording's
    assert seen["usage"] == "-USAGE: <uuid> [format]\n"
    assert seen["hangup_cause"] == "NORMAL_CLEARING"
    assert seen["events"] == 14


async def test_execute_fails_when_the_caller_hangs_up_first() -> None:
    outcome: list[BaseException] = []

    async def handler(session: OutboundSession) -> None:
        await session.connect()
        try:
            await session.execute("playback", "/tmp/hold.wav", timeout=2)
        except ConnectionLost as exc:
            outcome.append(exc)
        with pytest.raises(ConnectionLost):
            await session.execute("playback", "/tmp/again.wav")

    script = [*CONNECT, PLAYBACK, reply("+OK"), recorded_frame("outbound_socket",
                                                              "CHANNEL_HANGUP"), HOLD]
    mismatches, _ = await serve(handler, script)
    assert mismatches == []
    assert "channel hung up: NORMAL_CLEARING" in str(outcome[0])


async def test_execute_fails_when_the_socket_closes_first() -> None:
    outcome: list[ConnectionLost] = []

    async def handler(session: OutboundSession) -> None:
        await session.connect()
        try:
            await session.execute("playback", "/tmp/hold.wav", timeout=2)
        except ConnectionLost as exc:
            outcome.append(exc)

    mismatches, _ = await serve(handler, [*CONNECT, PLAYBACK, reply("+OK")])
    assert mismatches == []
    assert outcome[0].stage == "unconfirmed"


async def test_failing_handler_is_logged_and_the_server_keeps_serving(
        caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str | None] = []

    async def handler(session: OutboundSession) -> None:
        await session.connect()
        calls.append(session.channel_uuid)
        raise RuntimeError("handler bug")

    server = OutboundServer("127.0.0.1", 0, handler)
    await server.start()
    try:
        for _ in range(2):
            log = await asyncio.wait_for(replay_to(server.port, [*CONNECT, HOLD]), 5)
            assert log.mismatches == []
    finally:
        await server.stop()
    assert calls == [CHANNEL, CHANNEL]
    failures = [r for r in caplog.records if r.getMessage().startswith("outbound handler failed")]
    assert len(failures) == 2 and all(r.exc_info for r in failures)
