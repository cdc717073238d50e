"""Event delivery of the stand-in's event socket: queues, myevents, event-lock, load."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

from standin_fixtures import RawEsl

from ccore.standin import StandinSwitch


async def authed(switch: StandinSwitch) -> RawEsl:
    """A raw client, authenticated."""
    esl = await RawEsl.connect(switch.port)
    await esl.read_frame()
    await esl.command(f"auth {switch.password}")
    return esl


async def test_listener_that_stops_reading_is_killed_for_lost_events(tmp_path: Path) -> None:
    async with StandinSwitch("pw", speed=50, event_queue_size=10,
                             recordings_dir=tmp_path) as switch:
        esl = await authed(switch)
        await esl.command("event plain ALL")
        for i in range(700):  # 10 queued at most, the writer blocked on a full socket
            await switch.register(f"{1000 + i}")
        frames = []
        while (frame := await esl.read_frame()) is not None:
            frames.append(frame)
        assert frames[-1].content_type == "text/disconnect-notice"
        assert frames[-1].body == "killed listener because of lost events\n"
        assert len(frames) < 700


async def test_inbound_myevents_follows_one_call_and_closes_at_hangup(standin, esl) -> None:
    other = await standin.place_call("5550000", "5000")
    call = await standin.place_call("5551234", "5000")
    assert (await esl.command(f"myevents {call.uuid} json")).get("Reply-Text") == (
        "+OK Events Enabled")
    assert (await esl.command("myevents 1234 json")).get("Reply-Text") == "-ERR aready enabled."
    await other.hangup()
    await call.hangup()
    frames = []
    while (frame := await esl.read_frame()) is not None:
        frames.append(frame)
    events = [f.event() for f in frames if f.is_event]
    assert events and {e["Unique-ID"] for e in events} == {call.uuid}
    assert frames[-1].get("Content-Disposition") == "disconnect"
    assert frames[-1].get("Controlled-Session-UUID") == call.uuid


async def test_event_locked_executes_run_strictly_in_order(standin, esl) -> None:
    await esl.command("event plain CHANNEL_PARK CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE")
    call = await standin.place_call("5551234", "5000")
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    for n in (1, 2):
        await esl.command(f"sendmsg {call.uuid}\ncall-command: execute\nexecute-app-name: "
                          f"playback\nexecute-app-arg: silence_stream://500\nevent-lock: true\n"
                          f"Event-UUID: play-{n}")
    order = []
    while len(order) < 4:
        event = await esl.wait_event(lambda e: e.get("Application") == "playback")
        order.append((event["Event-Name"], event["Application-UUID"]))
    assert order == [("CHANNEL_EXECUTE", "play-1"), ("CHANNEL_EXECUTE_COMPLETE", "play-1"),
                     ("CHANNEL_EXECUTE", "play-2"), ("CHANNEL_EXECUTE_COMPLETE", "play-2")]


async def test_without_event_lock_a_second_execute_starts_before_the_first_ends(
    standin, esl
) -> None:
    await esl.command("event plain CHANNEL_PARK CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE")
    call = await standin.place_call("5551234", "5000")
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    for n in (1, 2):
        await esl.command(f"sendmsg {call.uuid}\ncall-command: execute\nexecute-app-name: "
                          f"playback\nexecute-app-arg: silence_stream://500\n"
                          f"Event-UUID: play-{n}")
    names = []
    while len(names) < 2:
        event = await esl.wait_event(lambda e: e.get("Application") == "playback")
        names.append((event["Event-Name"], event["Application-UUID"]))
    assert names == [("CHANNEL_EXECUTE", "play-1"), ("CHANNEL_EXECUTE", "play-2")]


async def test_three_hundred_calls_each_get_the_complete_event_sequence(tmp_path: Path) -> None:
    count = 300
    async with StandinSwitch("pw", speed=100, recordings_dir=tmp_path) as switch:
        esl = await authed(switch)
        control = await authed(switch)
        await esl.command("event json CHANNEL_CREATE CHANNEL_PARK CHANNEL_ANSWER "
                          "CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP "
                          "CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY")
        for i in range(count):
            switch.set_phone(f"{2000 + i}", ring_seconds=1.0, talk_seconds=10.0)
            await switch.register(f"{2000 + i}")
        calls = [await switch.place_call(f"555{i:04d}", "5000") for i in range(count)]
        seen: dict[str, list[str]] = defaultdict(list)
        parked = 0
        while parked < count:
            event = (await esl.next_event(timeout=10)).event()
            seen[event["Unique-ID"]].append(event["Event-Name"])
            if event["Event-Name"] == "CHANNEL_PARK":
                i = int(event["Caller-Caller-ID-Number"][3:])
                parked += 1
                await control.command(f"sendmsg {event['Unique-ID']}\ncall-command: execute\n"
                                      "execute-app-name: set\n"
                                      "execute-app-arg: hangup_after_bridge=true")
                await control.command(f"sendmsg {event['Unique-ID']}\ncall-command: execute\n"
                                      f"execute-app-name: bridge\nexecute-app-arg: user/{2000 + i}")
        outcomes = await asyncio.gather(*(c.wait() for c in calls))
        destroyed = sum(1 for names in seen.values() if "CHANNEL_DESTROY" in names)
        while destroyed < 2 * count:
            event = (await esl.next_event(timeout=10)).event()
            seen[event["Unique-ID"]].append(event["Event-Name"])
            destroyed += event["Event-Name"] == "CHANNEL_DESTROY"
        for call in calls:
            assert seen[call.uuid] == [
                "CHANNEL_CREATE", "CHANNEL_PARK", "CHANNEL_ANSWER", "CHANNEL_BRIDGE",
                "CHANNEL_HANGUP", "CHANNEL_UNBRIDGE", "CHANNEL_HANGUP_COMPLETE",
                "CHANNEL_DESTROY"]
        assert {o.hangup_cause for o in outcomes} == {"NORMAL_CLEARING"}
        assert len(seen) == 2 * count
