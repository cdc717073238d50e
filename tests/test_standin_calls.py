"""Simulated calls on the stand-in behave as on FreeSWITCH (causes, digits, recordings)."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

from standin_fixtures import RawEsl

from ccore.standin import Dialplan, SimClock, StandinSwitch


async def park_call(standin: StandinSwitch, esl: RawEsl, **kwargs: object) -> str:
    """Place a call that the default dialplan parks; its UUID once parked."""
    call = await standin.place_call("5551234", "5000", **kwargs)  # type: ignore[arg-type]
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    return call.uuid


async def bridge_result(standin: StandinSwitch, esl: RawEsl, user: str) -> dict[str, str]:
    """Answer a parked call, bridge it to ``user``; the EXECUTE_COMPLETE of the bridge."""
    await esl.command("event plain CHANNEL_PARK CHANNEL_EXECUTE_COMPLETE CHANNEL_BRIDGE "
                      "CHANNEL_HANGUP")
    uuid = await park_call(standin, esl)
    await esl.command(f"api uuid_answer {uuid}")
    await esl.command(f"sendmsg {uuid}\ncall-command: execute\nexecute-app-name: set\n"
                      "execute-app-arg: continue_on_fail=true")
    await esl.command(f"sendmsg {uuid}\ncall-command: execute\nexecute-app-name: bridge\n"
                      f"execute-app-arg: user/{user}")
    return await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_EXECUTE_COMPLETE"
                                and e.get("Application") == "bridge", timeout=10)


async def test_registration_fires_sofia_register_and_unregister(standin, esl) -> None:
    await esl.command("event plain CUSTOM sofia::register sofia::unregister sofia::expire")
    await standin.register("1001")
    assert (await esl.wait_event(lambda e: True))["from-user"] == "1001"
    await standin.unregister("1001")
    assert (await esl.wait_event(lambda e: True))["Event-Subclass"] == "sofia::unregister"
    reply = await esl.command("api sofia_contact 1001@ccore.local")
    assert reply.body == "error/user_not_registered"


async def test_agent_phone_rings_then_answers_and_the_call_bridges(standin, esl) -> None:
    standin.set_phone("1001", ring_seconds=1.0)
    await standin.register("1001")
    await esl.command("event plain CHANNEL_PARK CHANNEL_BRIDGE CHANNEL_PROGRESS")
    uuid = await park_call(standin, esl)
    await esl.command(f"sendmsg {uuid}\ncall-command: execute\nexecute-app-name: bridge\n"
                      "execute-app-arg: user/1001")
    progress = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PROGRESS")
    bridge = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
    assert bridge["Bridge-A-Unique-ID"] == uuid
    assert bridge["Bridge-B-Unique-ID"] == progress["Unique-ID"]


async def test_phone_that_does_not_answer_fails_with_no_answer(standin, esl) -> None:
    standin.set_phone("1002", answers=False)
    await standin.register("1002")
    # a short originate timeout keeps the test fast
    reply = await esl.command("api originate {originate_timeout=2}user/1002 &park()", timeout=10)
    assert reply.body == "-ERR NO_ANSWER\n"


async def test_busy_phone_fails_with_user_busy(standin, esl) -> None:
    standin.set_phone("1001", busy=True)
    await standin.register("1001")
    done = await bridge_result(standin, esl, "1001")
    assert done["variable_originate_disposition"] == "USER_BUSY"


async def test_unregistered_user_fails_with_user_not_registered(standin, esl) -> None:
    done = await bridge_result(standin, esl, "1009")
    assert done["variable_originate_disposition"] == "USER_NOT_REGISTERED"
    reply = await esl.command("api originate user/1009 &park()")
    assert reply.body == "-ERR USER_NOT_REGISTERED\n"


async def test_failed_bridge_without_continue_on_fail_hangs_the_caller_up(standin, esl) -> None:
    await esl.command("event plain CHANNEL_PARK CHANNEL_HANGUP")
    uuid = await park_call(standin, esl)
    await esl.command(f"sendmsg {uuid}\ncall-command: execute\nexecute-app-name: bridge\n"
                      "execute-app-arg: user/1009")
    hangup = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_HANGUP")
    assert hangup["Hangup-Cause"] == "USER_NOT_REGISTERED"


async def test_caller_hanging_up_while_agent_rings_cancels_the_agent_leg(standin, esl) -> None:
    standin.set_phone("1001", ring_seconds=30.0)
    await standin.register("1001")
    await esl.command("event plain CHANNEL_PARK CHANNEL_PROGRESS CHANNEL_HANGUP")
    call = await standin.place_call("5551234", "5000")
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    await esl.command(f"sendmsg {call.uuid}\ncall-command: execute\nexecute-app-name: bridge\n"
                      "execute-app-arg: user/1001")
    agent = (await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PROGRESS"))["Unique-ID"]
    await call.hangup()
    hangup = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_HANGUP"
                                  and e["Unique-ID"] == agent)
    assert hangup["Hangup-Cause"] == "ORIGINATOR_CANCEL"
    assert (await call).hangup_cause == "ORIGINATOR_CANCEL"


async def test_agent_hanging_up_after_talk_time_ends_with_normal_clearing(standin, esl) -> None:
    standin.set_phone("1001", ring_seconds=0.5, talk_seconds=3.0)
    await standin.register("1001")
    await esl.command("event plain CHANNEL_PARK CHANNEL_HANGUP_COMPLETE")
    call = await standin.place_call("5551234", "5000")
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    await esl.command(f"sendmsg {call.uuid}\ncall-command: execute\nexecute-app-name: set\n"
                      "execute-app-arg: hangup_after_bridge=true")
    await esl.command(f"sendmsg {call.uuid}\ncall-command: execute\nexecute-app-name: bridge\n"
                      "execute-app-arg: user/1001")
    done = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_HANGUP_COMPLETE"
                                and e["Unique-ID"] == call.uuid, timeout=10)
    assert done["variable_hangup_cause"] == "NORMAL_CLEARING"
    assert done["variable_bridge_hangup_cause"] == "NORMAL_CLEARING"
    assert int(done["variable_billsec"]) >= 3
    assert int(done["variable_duration"]) >= int(done["variable_billsec"])


async def test_play_and_get_digits_reads_the_callers_script(standin, esl) -> None:
    await esl.command("event plain CHANNEL_PARK CHANNEL_EXECUTE_COMPLETE DTMF")
    uuid = await park_call(standin, esl, digits=[(0.2, "42")])
    await esl.command(f"api uuid_answer {uuid}")
    await esl.command(f"sendmsg {uuid}\ncall-command: execute\nexecute-app-name: "
                      "play_and_get_digits\nexecute-app-arg: 2 2 1 3000 # "
                      "silence_stream://1000 silence_stream://100 choice \\d+")
    done = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_EXECUTE_COMPLETE"
                                and e.get("Application") == "play_and_get_digits")
    assert done["variable_choice"] == "42"
    assert done["variable_read_result"] == "success"


async def test_play_and_get_digits_times_out_without_digits(standin, esl) -> None:
    await esl.command("event plain CHANNEL_PARK CHANNEL_EXECUTE_COMPLETE")
    uuid = await park_call(standin, esl)
    await esl.command(f"api uuid_answer {uuid}")
    await esl.command(f"sendmsg {uuid}\ncall-command: execute\nexecute-app-name: "
                      "play_and_get_digits\nexecute-app-arg: 1 1 2 1000 # "
                      "tone_stream://%(200,0,440) silence_stream://100 choice \\d")
    done = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_EXECUTE_COMPLETE"
                                and e.get("Application") == "play_and_get_digits")
    assert done["variable_read_result"] == "timeout"
    assert "variable_choice" not in done


async def test_uuid_record_writes_a_wav_of_the_recorded_time(standin, esl, tmp_path) -> None:
    await esl.command("event plain CHANNEL_PARK RECORD_STOP")
    uuid = await park_call(standin, esl)
    await esl.command(f"api uuid_answer {uuid}")
    path = tmp_path / "rec.wav"
    assert (await esl.command(f"api uuid_record {uuid} start {path}")).body == "+OK Success\n"
    assert (await esl.command(f"api uuid_record {uuid} pause /no/such.wav")).body == (
        "-ERR Cannot pause recording session!\n")
    await standin.clock.sleep(4.0)
    assert (await esl.command(f"api uuid_record {uuid} stop {path}")).body == "+OK Success\n"
    stop = await esl.wait_event(lambda e: e["Event-Name"] == "RECORD_STOP")
    assert stop["Record-File-Path"] == str(path)
    with wave.open(str(path), "rb") as w:
        seconds = w.getnframes() / w.getframerate()
    assert 3.5 <= seconds <= 6.0
    assert (await esl.command("api uuid_record 0000 start /tmp/x.wav")).body == (
        "-ERR Cannot locate session!\n")


async def test_filters_follow_freeswitch_rules(standin, esl) -> None:
    await esl.command("event plain CUSTOM sofia::register")
    await esl.command("filter from-user /^10(01|02)$/")
    await esl.command("filter from-user -1002")
    for user in ("1003", "1002", "1001"):
        await standin.register(user)
    got = await esl.wait_event(lambda e: True)
    assert got["from-user"] == "1001"
    await esl.command("filter delete from-user -1002")
    await standin.register("1002")
    assert (await esl.wait_event(lambda e: True))["from-user"] == "1002"
    await esl.command("filter delete all")
    await esl.command("filter Unique-ID nothing-has-this")  # registrations lack Unique-ID
    await standin.register("1001")
    await asyncio.sleep(0.1)
    await esl.command("api status")
    assert not esl.pending


async def test_bgapi_result_arrives_as_background_job_with_the_given_uuid(standin, esl) -> None:
    await esl.command("event plain BACKGROUND_JOB")
    await esl.send("bgapi uuid_exists 00000000-0000-0000-0000-000000000000\n"
                   "Job-UUID: my-job-1")
    reply = await esl.read_frame()
    assert reply is not None and reply.get("Job-UUID") == "my-job-1"
    job = await esl.next_event()
    assert job.event()["Job-UUID"] == "my-job-1"
    assert job.event_body() == "false"


async def test_same_seed_gives_the_same_calls(tmp_path: Path) -> None:
    uuids = []
    for _ in range(2):
        async with StandinSwitch("x", seed=7, speed=50, recordings_dir=tmp_path) as switch:
            calls = [await switch.place_call(f"555{i}", "5000") for i in range(3)]
            uuids.append([c.uuid for c in calls])
    assert uuids[0] == uuids[1]


async def test_speed_up_clock_runs_simulated_time_faster() -> None:
    clock = SimClock(speed=100.0)
    start_sim, start_real = clock.now(), asyncio.get_running_loop().time()
    await clock.sleep(10.0)
    real = asyncio.get_running_loop().time() - start_real
    assert clock.now() - start_sim >= 9.9
    assert real < 1.0


async def test_dialplan_routes_by_destination_with_captures(tmp_path: Path) -> None:
    plan = Dialplan.from_xml(
        '<include><context name="public"><extension name="x"><condition '
        'field="destination_number" expression="^(5\\d\\d\\d)$"><action application="set" '
        'data="dialed=$1"/><action application="hangup" data="USER_BUSY"/></condition>'
        "</extension></context></include>"
    )
    async with StandinSwitch("x", speed=50, dialplan=plan, recordings_dir=tmp_path) as switch:
        call = await switch.place_call("5551234", "5123")
        outcome = await call
        assert outcome.hangup_cause == "USER_BUSY"
        assert call.channel.get_var("dialed") == "5123"
        missing = await switch.place_call("5551234", "999")
        assert (await missing).hangup_cause == "NO_ROUTE_DESTINATION"


async def test_caller_out_of_patience_abandons_before_being_connected(standin, esl) -> None:
    await esl.command("event plain CHANNEL_PARK CHANNEL_HANGUP")
    call = await standin.place_call("5551234", "5000", patience=5.0)
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    await esl.command(f"api uuid_answer {call.uuid}")  # answered, queued, never bridged
    outcome = await call
    assert outcome.caller_hung_up and outcome.hangup_cause == "NORMAL_CLEARING"
    assert 4.5 <= outcome.ended - outcome.created <= 7.0
    unanswered = await standin.place_call("5551234", "5000", patience=1.0)
    assert (await unanswered).hangup_cause == "ORIGINATOR_CANCEL"


async def test_caller_pressing_a_digit_later_fires_dtmf(standin, esl) -> None:
    await esl.command("event json CHANNEL_PARK DTMF")
    call = await standin.place_call("5551234", "5000")
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    await call.press("7")
    dtmf = await esl.wait_event(lambda e: e["Event-Name"] == "DTMF")
    assert (dtmf["DTMF-Digit"], dtmf["DTMF-Source"], dtmf["Unique-ID"]) == ("7", "RTP",
                                                                              call.uuid)


async def test_registration_expiry_fires_sofia_expire_in_xml(standin, esl) -> None:
    reply = await esl.command("event xml CUSTOM sofia::expire")
    assert reply.get("Reply-Text") == "+OK event listener enabled xml"
    await standin.register("1001")
    await standin.expire("1001")
    frame = await esl.next_event()
    assert frame.content_type == "text/event-xml"
    assert "<Event-Subclass>sofia%3A%3Aexpire</Event-Subclass>" in frame.body
