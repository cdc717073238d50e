"""Operator states with real calls: a Center on the stand-in switch, over real ESL sockets.

Operators dial feature codes from their phones, take calls the center places to them, and
the reconciler repairs states the switch contradicts; after a restart the states come back
from the events table.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from center_fixtures import CenterHarness, MakeHarness

from ccore.model import Registration
from ccore.standin.callers import CallOutcome
from ccore_plugins.agents import AgentBoard, AgentState, Reconciler
from ccore_plugins.agents.feature_codes import CONFIRM_TONE, REFUSE_TONE

CENTER = """
[center]
name = "Agents test"

[[operators]]
extension = "1001"
name = "Alice"

[[operators]]
extension = "1002"
name = "Bob"
wrap_up = 2

[[operators]]
extension = "1003"
name = "Carol"

[break_reasons]
1 = "Break"
2 = "Lunch"

[plugins.agents]
reconcile_grace = 0.2
reconcile_every = {every}
"""

SPEED = 4.0  # the stand-in, and so the center's clock, run four times faster than real time


async def start(center_harness: MakeHarness, every: float = 60.0) -> CenterHarness:
    return await center_harness(CENTER.format(every=every), speed=SPEED)


def board_of(harness: CenterHarness) -> AgentBoard:
    return harness.center.service("agents", AgentBoard)


def new_route(code: str) -> str:
    """The route of a feature code of the test center (``*222`` -> ``break:2``)."""
    actions = {"*21": "login", "*23": "back", "*24": "logout", "*25": "wrap_up_done"}
    return actions.get(code) or f"break:{code[3:]}"


async def dial(harness: CenterHarness, extension: str, code: str) -> tuple[CallOutcome, Any]:
    """``extension`` dials ``code`` from their phone; the call's outcome and its tone."""
    call = await harness.switch.place_call(
        caller_number=extension, destination=code, context="default"
    )
    outcome = await call
    played = await harness.next_event("call.playback_started", lambda e: e.call_uuid == call.uuid)
    await harness.next_event("call.ended", lambda e: e.call_uuid == call.uuid)
    return outcome, played


async def settled(harness: CenterHarness) -> int:
    """Wait until every event fired so far is recorded; the index of the next one."""
    await harness.center.bus.drain()
    return len(harness.events)


async def state_change(harness: CenterHarness, agent: str, new: str, after: int = 0) -> Any:
    return await harness.next_event(
        "agent.state_changed", lambda e: e.agent == agent and e.new == new, after=after
    )


async def connect_call(harness: CenterHarness, extension: str) -> str:
    """The center calls the operator's phone, and the board has them on that call."""
    harness.switch.set_phone(extension, ring_seconds=0.2)
    board = board_of(harness)
    call_uuid = await harness.center.switch.originate(f"user/{extension}")
    assert board.offer(extension, call_uuid)
    board.answered(extension, call_uuid)
    return call_uuid


async def login(harness: CenterHarness, extension: str) -> None:
    await harness.switch.register(extension)
    await harness.wait_for(lambda: board_of(harness).agents[extension].registered)
    board_of(harness).set_state(extension, AgentState.AVAILABLE)


# --- feature codes ---------------------------------------------------------------------------


async def test_feature_codes_dialed_from_an_operators_phone_change_state(
    center_harness: MakeHarness,
) -> None:
    harness = await start(center_harness)
    await harness.switch.register("1001")
    board = board_of(harness)
    steps = [
        ("*21", "available", "login"),
        ("*222", "on_break", "Lunch"),
        ("*23", "available", "back"),
        ("*221", "on_break", "Break"),
        ("*24", "logged_out", "logout"),
    ]
    for code, new, reason in steps:
        mark = await settled(harness)
        outcome, played = await dial(harness, "1001", code)
        changed = await state_change(harness, "1001", new, after=mark)
        assert (changed.reason, changed.by) == (reason, "phone")
        assert board.agents["1001"].state == new
        assert played.path == CONFIRM_TONE
        assert outcome.answered > 0  # the center answered the operator's call
        assert outcome.hangup_cause == "NORMAL_CLEARING"  # and hung it up after the tone
        routed = await harness.next_event(
            "call.routed", lambda e, uuid=outcome.uuid: e.call_uuid == uuid
        )
        assert routed.route == f"feature:{new_route(code)}"


async def test_unknown_break_reason_is_refused_with_a_tone_and_a_log_line(
    center_harness: MakeHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await start(center_harness)
    await harness.switch.register("1001")
    await dial(harness, "1001", "*21")
    board = board_of(harness)
    caplog.set_level(logging.WARNING, logger="ccore_plugins.agents")
    mark = await settled(harness)
    outcome, played = await dial(harness, "1001", "*229")
    assert played.path == REFUSE_TONE
    assert outcome.hangup_cause == "NORMAL_CLEARING"
    assert board.agents["1001"].state is AgentState.AVAILABLE
    assert not [e for e in harness.events[mark:] if e.name == "agent.state_changed"]
    assert "Feature feature:break:9 from 1001 refused: unknown break reason '9'" in caplog.text


async def test_a_caller_who_is_not_an_operator_is_refused(
    center_harness: MakeHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await start(center_harness)
    caplog.set_level(logging.WARNING, logger="ccore_plugins.agents")
    outcome, played = await dial(harness, "5555", "*21")
    assert played.path == REFUSE_TONE
    assert outcome.hangup_cause == "NORMAL_CLEARING"
    assert not [e for e in harness.events if e.name == "agent.state_changed"]
    assert "from 5555 refused: 5555 is not an operator" in caplog.text


# --- registration ----------------------------------------------------------------------------


async def test_a_logged_in_operator_whose_phone_unregisters_is_not_offered(
    center_harness: MakeHarness,
) -> None:
    harness = await start(center_harness)
    board = board_of(harness)
    await login(harness, "1001")
    assert [a.extension for a in board.offerable()] == ["1001"]
    await harness.switch.unregister("1001")
    await harness.wait_for(lambda: not board.agents["1001"].registered)
    assert board.offerable() == []
    assert board.offer("1001", "some-call") is False
    assert board.agents["1001"].state is AgentState.AVAILABLE  # still logged in
    await harness.switch.register("1001")
    await harness.wait_for(lambda: board.agents["1001"].registered)
    assert [a.extension for a in board.offerable()] == ["1001"]


# --- wrap-up ---------------------------------------------------------------------------------


async def test_the_operators_own_wrap_up_wins_then_they_are_available_again(
    center_harness: MakeHarness,
) -> None:
    harness = await start(center_harness)
    board = board_of(harness)
    await login(harness, "1002")
    call_uuid = await connect_call(harness, "1002")
    await harness.switch.phone_hangup("1002")
    await harness.next_event("call.hungup", lambda e: e.call_uuid == call_uuid)
    board.call_ended("1002", call_uuid, wrap_up_seconds=600)  # the queue's; Bob has 2 s
    wrap_up = await state_change(harness, "1002", "wrap_up")
    assert wrap_up.until - wrap_up.at == pytest.approx(2.0)
    assert board.offerable() == []
    available = await state_change(
        harness, "1002", "available", after=harness.events.index(wrap_up)
    )
    assert available.by == "wrap_up_timer"
    assert available.at - wrap_up.at == pytest.approx(2.0, abs=0.3 * SPEED)


async def test_wrap_up_is_ended_early_by_the_feature_code(center_harness: MakeHarness) -> None:
    harness = await start(center_harness)
    board = board_of(harness)
    await login(harness, "1001")
    call_uuid = await connect_call(harness, "1001")
    await harness.switch.phone_hangup("1001")
    await harness.next_event("call.hungup", lambda e: e.call_uuid == call_uuid)
    board.call_ended("1001", call_uuid, wrap_up_seconds=600)
    assert board.agents["1001"].state is AgentState.WRAP_UP
    mark = await settled(harness)
    _, played = await dial(harness, "1001", "*25")
    changed = await state_change(harness, "1001", "available", after=mark)
    assert (changed.reason, changed.by) == ("wrap-up done", "phone")
    assert played.path == CONFIRM_TONE
    assert board.offerable()[0].extension == "1001"


# --- the reconciler --------------------------------------------------------------------------


async def test_an_operator_left_on_a_call_that_ended_is_freed(center_harness: MakeHarness) -> None:
    harness = await start(center_harness)
    board = board_of(harness)
    await login(harness, "1001")
    call_uuid = await connect_call(harness, "1001")
    mark = await settled(harness)
    await harness.switch.phone_hangup("1001")  # and nobody tells the board
    repaired = await harness.next_event("agent.repaired", lambda e: e.agent == "1001")
    assert call_uuid in repaired.problem
    changed = await state_change(harness, "1001", "available", after=mark)
    assert changed.by == "reconciler"
    assert board.agents["1001"].offerable


async def test_reconciler_repairs_a_planted_stuck_state_on_reconnect(
    center_harness: MakeHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await start(center_harness)
    board = board_of(harness)
    await login(harness, "1001")
    ghost = "0b5e7a4e-1111-4222-8333-444455556666"  # a call the switch never had
    assert board.offer("1001", ghost)
    board.answered("1001", ghost)
    # and phones the switch has no registration for: one only on the board, one in the core
    board.set_registered("1002", True)
    harness.center.calls.registrations["1003"] = Registration(user="1003")
    board.set_registered("1003", True)
    caplog.set_level(logging.WARNING, logger="ccore_plugins.agents")
    mark = await settled(harness)
    for listener in list(harness.switch.listeners):  # the link drops; the center reconnects
        await listener.close()
    await harness.next_event("switch.resynced", after=mark, timeout=10)
    changed = await state_change(harness, "1001", "available", after=mark)
    assert (changed.by, changed.call_uuid) == ("reconciler", ghost)
    assert board.agents["1001"].state is AgentState.AVAILABLE
    await harness.wait_for(lambda: not board.agents["1002"].registered)
    repairs = [e for e in harness.events[mark:] if e.name == "agent.repaired"]
    assert {(e.agent, e.repair) for e in repairs} == {
        ("1001", "available"),
        ("1002", "unregistered"),
        ("1003", "unregistered"),
    }
    assert "1003" not in harness.center.calls.registrations
    gone = await harness.next_event("agent.unregistered", lambda e: e.user == "1003", after=mark)
    assert gone.reason == "gone from the switch"
    assert (
        f"Reconciler repaired operator 1001: on_call with a call the switch no longer has ({ghost})"
        in caplog.text
    )
    assert "Reconciler repaired operator 1002" in caplog.text


async def test_reconciler_leaves_an_operator_on_a_live_call_alone(
    center_harness: MakeHarness,
) -> None:
    harness = await start(center_harness)
    board = board_of(harness)
    await login(harness, "1001")
    call_uuid = await connect_call(harness, "1001")
    reconciler = harness.center.service("agents.reconciler", Reconciler)
    await asyncio.sleep(0.1)  # older than the grace (0.2 s of operator time)
    assert await reconciler.run("test") == []
    assert (board.agents["1001"].state, board.agents["1001"].call_uuid) == (
        AgentState.ON_CALL,
        call_uuid,
    )
    assert board.agents["1001"].registered


async def test_reconciler_runs_periodically(center_harness: MakeHarness) -> None:
    harness = await start(center_harness, every=1.0)
    board = board_of(harness)
    await login(harness, "1002")
    ghost = "0b5e7a4e-9999-4222-8333-444455556666"
    assert board.offer("1002", ghost)
    board.answered("1002", ghost)
    changed = await state_change(harness, "1002", "wrap_up")
    assert changed.by == "reconciler"  # Bob's own wrap-up applies to a repaired call too
    await state_change(harness, "1002", "available")


# --- restart ---------------------------------------------------------------------------------


async def test_states_are_rebuilt_after_a_restart(center_harness: MakeHarness) -> None:
    harness = await start(center_harness)
    await harness.switch.register("1001")
    await harness.switch.register("1002")
    await dial(harness, "1001", "*21")
    await dial(harness, "1002", "*21")
    await dial(harness, "1002", "*222")
    board = board_of(harness)
    ghost = "0b5e7a4e-2222-4222-8333-444455556666"
    assert board.offer("1001", ghost)
    board.answered("1001", ghost)  # on a call when the center stops; the call is gone after

    await harness.restart()
    board = board_of(harness)
    assert (board.agents["1002"].state, board.agents["1002"].reason) == (
        AgentState.ON_BREAK,
        "Lunch",
    )
    assert board.agents["1001"].calls_today == 1
    changed = await state_change(harness, "1001", "available")  # settled by the reconciler
    assert (changed.by, changed.call_uuid) == ("reconciler", ghost)
    await harness.wait_for(lambda: board.agents["1001"].registered)  # phones still registered
    assert [a.extension for a in board.offerable()] == ["1001"]


# --- the rendered dialplan -------------------------------------------------------------------


async def test_feature_codes_go_through_the_rendered_dialplan_to_ccore(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(
        CENTER.format(every=60.0), speed=SPEED, rendered_dialplan=True
    )
    await harness.switch.register("1001")
    outcome, played = await dial(harness, "1001", "*21")
    offered = await harness.next_event("call.offered", lambda e: e.call_uuid == outcome.uuid)
    assert offered.destination == "*21"  # the dialplan handed the call to ccore's socket
    assert played.path == CONFIRM_TONE
    assert outcome.hangup_cause == "NORMAL_CLEARING"
    assert board_of(harness).agents["1001"].state is AgentState.AVAILABLE
    # A reason that is not configured has no dialplan extension: refused before ccore.
    call = await harness.switch.place_call(
        caller_number="1001", destination="*229", context="default"
    )
    assert (await call).hangup_cause == "CALL_REJECTED"
    assert not [e for e in harness.events if e.call_uuid == call.uuid and e.name == "call.routed"]
    assert board_of(harness).agents["1001"].state is AgentState.AVAILABLE
