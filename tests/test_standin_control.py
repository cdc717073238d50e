"""Call control on the stand-in: ring groups, failover, gateways, hold, break, after-bridge."""

from __future__ import annotations

from standin_fixtures import RawEsl

from ccore.standin import StandinSwitch


async def parked(standin: StandinSwitch, esl: RawEsl) -> str:
    """A caller parked and answered; its UUID."""
    await esl.command("event plain CHANNEL_PARK CHANNEL_BRIDGE CHANNEL_HANGUP CHANNEL_HOLD "
                      "CHANNEL_UNHOLD PLAYBACK_STOP CHANNEL_EXECUTE_COMPLETE")
    call = await standin.place_call("5551234", "5000")
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    await esl.command(f"api uuid_answer {call.uuid}")
    return call.uuid


async def execute(esl: RawEsl, uuid: str, app: str, arg: str = "") -> None:
    """sendmsg execute."""
    await esl.command(f"sendmsg {uuid}\ncall-command: execute\nexecute-app-name: {app}\n"
                      f"execute-app-arg: {arg}")


async def test_ring_group_bridges_the_first_phone_to_answer(standin, esl) -> None:
    standin.set_phone("1001", ring_seconds=3.0)
    standin.set_phone("1002", ring_seconds=1.0)
    for user in ("1001", "1002"):
        await standin.register(user)
    uuid = await parked(standin, esl)
    await execute(esl, uuid, "bridge", "user/1001,user/1002")
    lost = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_HANGUP")
    bridge = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
    assert lost["Hangup-Cause"] == "LOSE_RACE"
    assert lost["Caller-Destination-Number"] == "1001"
    assert standin.channels[bridge["Bridge-B-Unique-ID"]].phone == "1002"


async def test_failover_tries_the_next_target_after_a_failure(standin, esl) -> None:
    standin.set_phone("1002", ring_seconds=0.5)
    await standin.register("1002")
    uuid = await parked(standin, esl)
    await execute(esl, uuid, "bridge", "user/1001|user/1002")
    bridge = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
    assert standin.channels[bridge["Bridge-B-Unique-ID"]].phone == "1002"


async def test_originate_through_a_gateway_reaches_an_outside_number(standin, esl) -> None:
    standin.set_phone("5557777", ring_seconds=1.0)
    reply = await esl.command(
        "api originate {origination_caller_id_number=5550100}sofia/gateway/trunk/5557777 "
        "&park()"
    )
    assert reply.body.startswith("+OK ")
    leg = standin.channels[reply.body.split()[1]]
    assert leg.answered and leg.get_var("pre_transfer_caller_id_number") == "5550100"
    assert leg.profile.caller_id_number == "5557777"  # FreeSWITCH flips the caller id


async def test_agent_hanging_up_returns_the_caller_to_park(standin, esl) -> None:
    standin.set_phone("1001", ring_seconds=0.5)
    await standin.register("1001")
    uuid = await parked(standin, esl)
    await execute(esl, uuid, "bridge", "user/1001")
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
    assert await standin.phone_hangup("1001")
    done = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_EXECUTE_COMPLETE"
                                and e.get("Application") == "bridge")
    assert done["variable_bridge_hangup_cause"] == "NORMAL_CLEARING"
    assert standin.channels[uuid].up  # no hangup_after_bridge: back in park


async def test_hold_and_unhold_fire_their_events(standin, esl) -> None:
    uuid = await parked(standin, esl)
    assert (await esl.command(f"api uuid_hold {uuid}")).body == "+OK Success\n"
    hold = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_HOLD")
    assert hold["Unique-ID"] == uuid
    await esl.command(f"api uuid_hold off {uuid}")
    await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_UNHOLD")


async def test_uuid_break_stops_music_on_hold(standin, esl) -> None:
    uuid = await parked(standin, esl)
    await execute(esl, uuid, "playback", "local_stream://moh")
    await standin.clock.sleep(10.0)
    assert (await esl.command(f"api uuid_break {uuid}")).body == "+OK\n"
    stop = await esl.wait_event(lambda e: e["Event-Name"] == "PLAYBACK_STOP")
    assert stop["Playback-Status"] == "break"
    assert int(stop["variable_playback_seconds"]) >= 9


async def test_transferring_a_bridged_caller_ends_the_agent_leg(standin, esl) -> None:
    standin.set_phone("1001", ring_seconds=0.5)
    await standin.register("1001")
    uuid = await parked(standin, esl)
    await execute(esl, uuid, "bridge", "user/1001")
    bridge = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
    agent = bridge["Bridge-B-Unique-ID"]
    assert (await esl.command(f"api uuid_transfer {uuid} 5000 XML public")).body == "+OK\n"
    hangup = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_HANGUP")
    assert hangup["Unique-ID"] == agent
    parked_again = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    assert parked_again["Unique-ID"] == uuid
    assert parked_again["Caller-Destination-Number"] == "5000"
