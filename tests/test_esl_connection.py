"""EslConnection against recorded FreeSWITCH sessions replayed over loopback sockets."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import pytest
from esl_replay import (
    GREETING,
    HOLD,
    ReplayServer,
    ReplayThread,
    Step,
    api_response,
    expect,
    frame,
    json_event,
    load,
    recv_chunks,
    reply,
)

from ccore.esl.connection import EslConnection
from ccore.esl.errors import AuthError, CommandError, CommandTimeout, ConnectionLost
from ccore.esl.event import EslEvent
from ccore.esl.frames import event_command

LOGIN = [GREETING, expect("auth ClueCon"), reply("+OK accepted")]
CALL_EVENTS = [
    "CHANNEL_CREATE", "CHANNEL_PARK", "CHANNEL_ANSWER", "CHANNEL_EXECUTE",
    "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY", "CHANNEL_PROGRESS", "CHANNEL_ORIGINATE",
    "CHANNEL_OUTGOING", "DTMF", "PLAYBACK_START", "PLAYBACK_STOP", "RECORD_START",
    "RECORD_STOP", "BACKGROUND_JOB", "CUSTOM", "sofia::register", "sofia::unregister",
    "sofia::expire",
]


async def connect(server: ReplayServer, **kwargs: object) -> EslConnection:
    """Open a connection to the replay server and log in."""
    connection = await EslConnection.open("127.0.0.1", server.port, **kwargs)  # type: ignore[arg-type]
    await connection.authenticate("ClueCon")
    return connection


async def next_event(queue: asyncio.Queue[EslEvent], match: Callable[[EslEvent], bool]) -> EslEvent:
    """The next event from ``queue`` that ``match`` accepts (others are skipped)."""
    while True:
        event = await asyncio.wait_for(queue.get(), 2)
        if match(event):
            return event


async def test_recorded_api_session_returns_results_and_freeswitch_errors() -> None:
    events: list[EslEvent] = []
    async with ReplayServer(load("api_and_bgapi")) as server:
        esl = await connect(server, on_event=events.append)
        assert (await esl.api("status")).startswith("UP 0 years")
        with pytest.raises(CommandError) as unknown:
            await esl.api("no_such_command")
        assert unknown.value.text == "-ERR no_such_command Command not found!\n"
        with pytest.raises(CommandError) as missing:
            await esl.api("uuid_kill 00000000-0000-0000-0000-000000000000")
        assert missing.value.text == "-ERR No such channel!\n"
        assert await esl.api("show channels as json") == '{"row_count": 0}\n'
        assert "Registrations:" in await esl.api("sofia status profile internal reg")
        await esl.subscribe(["BACKGROUND_JOB"], fmt="plain")
        assert (await esl.bgapi("status")).startswith("UP 0 years")
        with pytest.raises(CommandError) as absent:
            await esl.bgapi("originate user/1999 &park()")
        assert absent.value.text == "-ERR SUBSCRIBER_ABSENT\n"
        await esl.subscribe(["HEARTBEAT"])
        await esl.filter("Event-Name", "HEARTBEAT")
        await esl.nixevent(["HEARTBEAT"])
        await esl.command("noevents")
        await esl.exit()
        await asyncio.wait_for(esl.wait_closed(), 2)
    assert server.mismatches == []
    assert esl.close_reason is not None and esl.close_reason.startswith("Disconnected, goodbye.")
    assert [e.name for e in events] == ["BACKGROUND_JOB", "BACKGROUND_JOB"]
    assert events[1].body == "-ERR SUBSCRIBER_ABSENT\n"  # on_event still sees job results


@pytest.mark.parametrize("fmt", ["json", "plain"])
async def test_controller_drives_a_recorded_call_from_park_to_hangup(fmt: str) -> None:
    name = f"call_flow_{fmt}"
    caller = {"json": "f76034ad-f185-4ef4-8eb8-6904410b017c",
              "plain": "875c2a91-a6d4-4cb6-97c6-31917e9459a4"}[fmt]
    queue: asyncio.Queue[EslEvent] = asyncio.Queue()
    async with ReplayServer(load(name)) as server:
        esl = await connect(server, on_event=queue.put_nowait)
        await esl.subscribe(CALL_EVENTS, fmt=fmt)
        park = await next_event(queue, lambda e: e.name == "CHANNEL_PARK")
        assert park.uuid == caller
        assert await esl.api(f"uuid_answer {caller}") == "+OK\n"
        await esl.sendmsg(caller, app="play_and_get_digits", event_uuid="pagd-1",
                          arg="1 1 1 5000 # tone_stream://%(300,100,440) "
                              "silence_stream://250 ivr_choice \\d")
        done = await next_event(queue, lambda e: e.get("Application-UUID") == "pagd-1"
                                and e.name == "CHANNEL_EXECUTE_COMPLETE")
        assert done.variable("ivr_choice") == "1"
        await esl.api(f"uuid_record {caller} start /srv/recs/cc1/{caller}.wav")
        await esl.sendmsg(caller, app="bridge", arg="{origination_caller_id_name=Acme}user/1001")
        hangup = await next_event(queue, lambda e: e.name == "CHANNEL_HANGUP")
        assert hangup.get("Hangup-Cause") == "NORMAL_CLEARING"
        with pytest.raises(CommandError, match="USER_NOT_REGISTERED"):
            await esl.bgapi("originate {origination_caller_id_number=100}user/1002 &park()")
        await esl.exit()
        await asyncio.wait_for(esl.wait_closed(), 2)
    assert server.mismatches == []


async def test_wrong_password_raises_auth_error_at_once() -> None:
    async with ReplayServer(load("auth_rejected")) as server:
        esl = await EslConnection.open("127.0.0.1", server.port)
        started = time.monotonic()
        with pytest.raises(AuthError, match=f"127.0.0.1:{server.port}.*-ERR invalid"):
            await esl.authenticate("wrongpass")
        assert time.monotonic() - started < 1
        await asyncio.wait_for(esl.closed.wait(), 1)
    assert server.mismatches == []


async def test_acl_rejection_raises_auth_error_with_the_servers_words() -> None:
    rude = Step("recv", "Content-Type: text/rude-rejection\nContent-Length: 24\n\n"
                        "Access Denied, go away.\n")
    async with ReplayServer([rude]) as server:
        esl = await EslConnection.open("127.0.0.1", server.port)
        with pytest.raises(AuthError, match="Access Denied"):
            await esl.authenticate("ClueCon")
    assert esl.close_reason == "Access Denied, go away."


async def test_unanswered_command_times_out_and_its_late_reply_is_discarded() -> None:
    script = [*LOGIN, expect("api slow_thing"), Step("pause", seconds=0.3),
              api_response("late answer"), expect("api status"), api_response("fresh answer"),
              HOLD]
    async with ReplayServer(script) as server:
        esl = await connect(server)
        with pytest.raises(CommandTimeout, match="api slow_thing"):
            await esl.api("slow_thing", timeout=0.1)
        assert await esl.api("status") == "fresh answer"
        esl.close()
    assert server.mismatches == []


async def test_denied_api_answered_by_command_reply_keeps_replies_in_order() -> None:
    script = [*LOGIN, expect("api status"), reply("-ERR permission denied"),
              expect("api version"), api_response("FreeSWITCH Version 1.10.12"), HOLD]
    async with ReplayServer(script) as server:
        esl = await connect(server)
        first = asyncio.create_task(esl.api("status"))
        second = asyncio.create_task(esl.api("version"))
        with pytest.raises(CommandError, match="permission denied"):
            await first
        assert await second == "FreeSWITCH Version 1.10.12"
        esl.close()


async def test_lost_connection_fails_sent_commands_unconfirmed_and_new_ones_not_sent() -> None:
    async with ReplayServer([*LOGIN, expect("api status")]) as server:
        esl = await connect(server)
        with pytest.raises(ConnectionLost) as sent:
            await esl.api("status")
        assert sent.value.stage == "unconfirmed"
        with pytest.raises(ConnectionLost) as unsent:
            await esl.api("status")
        assert unsent.value.stage == "not_sent"


async def test_slow_consumer_gets_counted_drops_while_replies_still_arrive(
        caplog: pytest.LogCaptureFixture) -> None:
    burst = [Step("recv", chunk.decode()) for chunk in recv_chunks("switch_shutdown")[3:-1]]
    script = [*LOGIN, *burst, expect("api status"), api_response("UP"), HOLD]
    delivered: list[EslEvent] = []

    async def slow_consumer(event: EslEvent) -> None:
        delivered.append(event)
        await asyncio.sleep(0.01)

    caplog.set_level(logging.CRITICAL, logger="ccore.esl.connection")
    async with ReplayServer(script) as server:
        esl = await connect(server, on_event=slow_consumer, max_queue=20)
        started = time.monotonic()
        assert await esl.api("status", timeout=2) == "UP"
        assert time.monotonic() - started < 1  # 206 events x 10 ms would take 2 s
        assert esl.dropped_events >= 206 - 20 - len(delivered) - 1
        assert esl.dropped_events > 100
        esl.close()
    assert len([r for r in caplog.records if r.levelno == logging.CRITICAL]) == 1


async def test_blocking_consumer_gets_counted_drops_while_replies_still_arrive() -> None:
    burst = [Step("recv", chunk.decode()) for chunk in recv_chunks("switch_shutdown")[3:-1]]
    script = [*LOGIN, *burst, expect("api status"), api_response("UP"), HOLD]
    delivered: list[str] = []

    def blocking_consumer(event: EslEvent) -> None:
        delivered.append(event.name)
        time.sleep(0.005)  # a listener doing blocking work on the event loop

    with ReplayThread(script) as server:  # the switch must not share our blocked loop
        esl = await connect(server, on_event=blocking_consumer, max_queue=20)
        started = time.monotonic()
        assert await esl.api("status", timeout=2) == "UP"
        assert time.monotonic() - started < 0.5  # 206 events x 5 ms would take 1 s
        assert esl.dropped_events > 100
        esl.close()


async def test_failing_event_callback_is_logged_and_later_events_still_arrive(
        caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    def fragile(event: EslEvent) -> None:
        seen.append(event.name)
        if event.name == "SHUTDOWN":
            raise RuntimeError("bug in a listener")

    async with ReplayServer(load("switch_shutdown")) as server:
        esl = await connect(server, on_event=fragile)
        await esl.subscribe(["SHUTDOWN", "HEARTBEAT", "MODULE_UNLOAD"], fmt="plain")
        await asyncio.wait_for(esl.wait_closed(), 2)
    assert seen[0] == "SHUTDOWN" and len(seen) == 206
    assert "bug in a listener" in caplog.text
    assert esl.close_reason == "The system is being shut down."
    assert server.mismatches == []


async def test_unparseable_event_is_skipped_and_the_connection_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:
    broken = frame({"Content-Type": "text/event-json"}, '{"Event-Name":"X"')  # cut short
    good = json_event({"Event-Name": "HEARTBEAT", "Core-UUID": "c-1"})
    script = [*LOGIN, broken, good, expect("api status"), api_response("UP"), HOLD]
    seen: list[str] = []
    async with ReplayServer(script) as server:
        esl = await connect(server, on_event=lambda e: seen.append(e.name))
        assert await esl.api("status") == "UP"
        await asyncio.sleep(0.01)
        esl.close()
    assert seen == ["HEARTBEAT"]
    assert "event cannot be parsed" in caplog.text


async def test_heartbeat_timestamp_moves_with_each_event() -> None:
    async with ReplayServer(load("switch_shutdown")) as server:
        esl = await connect(server)
        before = esl.heartbeat
        await esl.subscribe(["SHUTDOWN", "HEARTBEAT", "MODULE_UNLOAD"], fmt="plain")
        await asyncio.wait_for(esl.wait_closed(), 2)
    assert esl.heartbeat > before


def test_subscription_lists_custom_subclasses_last() -> None:
    assert (event_command("event json", ["CUSTOM sofia::register", "CHANNEL_ANSWER",
                                         "callcenter::info", "HEARTBEAT"])
            == "event json CHANNEL_ANSWER HEARTBEAT CUSTOM sofia::register callcenter::info")


async def test_replay_server_reports_a_command_that_differs_from_the_recording() -> None:
    async with ReplayServer([*LOGIN, expect("api status"), api_response("UP")]) as server:
        esl = await connect(server)
        assert await esl.api("version") == "UP"
    assert server.mismatches == ["expected 'api status\\n\\n', got 'api version\\n\\n'"]
