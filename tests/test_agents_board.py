"""The agents board: operator states, offers, wrap-up and the rules of who may change what."""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace

import pytest

from ccore.clock import CenterClock
from ccore.config_schema import Operator
from ccore.events import Event
from ccore_plugins.agents.board import AgentBoard, AgentState
from ccore_plugins.agents.events import AgentStateChanged
from ccore_plugins.agents.reconciler import Reconciler

OPERATORS = [
    Operator(extension="1001", name="Alice", skills={"english": 8}),
    Operator(extension="1002", name="Bob", skills={"technical": 7}, wrap_up=1),
]


def make_board(speed: float = 1.0) -> tuple[AgentBoard, list[Event]]:
    fired: list[Event] = []
    board = AgentBoard(OPERATORS, fired.append, clock=CenterClock(speed))
    return board, fired


def changes(fired: list[Event]) -> list[tuple[str, str, str, str]]:
    return [
        (e.agent, e.old, e.new, e.by) for e in fired if isinstance(e, AgentStateChanged)
    ]


def ready(board: AgentBoard, extension: str) -> None:
    board.set_registered(extension, True)
    board.set_state(extension, AgentState.AVAILABLE)


async def test_operators_start_logged_out_and_unregistered() -> None:
    board, fired = make_board()
    assert {a.extension: a.state for a in board.agents.values()} == {
        "1001": AgentState.LOGGED_OUT, "1002": AgentState.LOGGED_OUT,
    }
    assert board.offerable() == []
    assert board.agents["1001"].skills == {"english": 8}
    assert fired == []


async def test_logged_in_operator_is_offerable_only_with_a_registered_phone() -> None:
    board, fired = make_board()
    board.set_state("1001", AgentState.AVAILABLE)
    assert board.offerable() == []
    board.set_registered("1001", True)
    assert [a.extension for a in board.offerable()] == ["1001"]
    board.set_registered("1001", False)
    assert board.offerable() == []
    assert board.offer("1001", "call-1") is False
    assert changes(fired) == [("1001", "logged_out", "available", "admin")]


async def test_offer_reserves_an_operator_for_one_call_only() -> None:
    board, fired = make_board()
    ready(board, "1001")
    assert board.offer("1001", "call-1") is True
    assert board.offer("1001", "call-2") is False
    agent = board.agents["1001"]
    assert (agent.state, agent.call_uuid) == (AgentState.RINGING, "call-1")
    assert agent.last_offered_at > 0
    last = fired[-1]
    assert isinstance(last, AgentStateChanged)
    assert (last.new, last.call_uuid, last.by) == ("ringing", "call-1", "routing")


async def test_answered_counts_the_call_and_clears_missed_in_row() -> None:
    board, _ = make_board()
    ready(board, "1001")
    board.offer("1001", "call-1")
    board.missed("1001", "call-1", "NO_ANSWER", break_after=3)
    board.offer("1001", "call-2")
    board.answered("1001", "call-2")
    agent = board.agents["1001"]
    assert (agent.state, agent.calls_today, agent.missed_in_row) == (AgentState.ON_CALL, 1, 0)


async def test_a_missed_offer_keeps_the_operators_place_in_longest_idle() -> None:
    board, _ = make_board()
    ready(board, "1001")
    idle_since = board.agents["1001"].idle_since
    await asyncio.sleep(0.01)
    board.offer("1001", "call-1")
    board.missed("1001", "call-1", "NO_ANSWER", break_after=None)
    agent = board.agents["1001"]
    assert agent.state is AgentState.AVAILABLE
    assert agent.idle_since == idle_since
    assert agent.missed_in_row == 1


async def test_missing_calls_in_a_row_puts_the_operator_on_break() -> None:
    board, fired = make_board()
    ready(board, "1001")
    for n in range(3):
        board.offer("1001", f"call-{n}")
        board.missed("1001", f"call-{n}", "NO_ANSWER", break_after=3)
    agent = board.agents["1001"]
    assert (agent.state, agent.reason) == (AgentState.ON_BREAK, "missed calls")
    assert changes(fired)[-1] == ("1001", "ringing", "on_break", "routing")
    board.set_state("1001", AgentState.AVAILABLE)
    assert agent.missed_in_row == 0  # back from the break: a fresh start


async def test_a_phone_that_is_not_registered_is_not_offered_again() -> None:
    board, _ = make_board()
    doubts: list[str] = []
    board.on_registration_doubt = doubts.append
    ready(board, "1001")
    board.offer("1001", "call-1")
    board.missed("1001", "call-1", "USER_NOT_REGISTERED", break_after=None)
    assert board.agents["1001"].registered is False
    assert board.offerable() == []
    assert doubts == ["1001"]


async def test_call_ended_goes_through_wrap_up_then_available() -> None:
    board, fired = make_board()
    ready(board, "1001")
    board.offer("1001", "call-1")
    board.answered("1001", "call-1")
    board.call_ended("1001", "call-1", wrap_up_seconds=0.2)
    agent = board.agents["1001"]
    assert agent.state is AgentState.WRAP_UP
    assert agent.wrap_up_until is not None
    assert board.offerable() == []
    await asyncio.sleep(0.3)
    assert agent.state is AgentState.AVAILABLE
    assert changes(fired)[-2:] == [
        ("1001", "on_call", "wrap_up", "routing"),
        ("1001", "wrap_up", "available", "wrap_up_timer"),
    ]


async def test_zero_wrap_up_makes_the_operator_available_at_once() -> None:
    board, _ = make_board()
    ready(board, "1001")
    board.offer("1001", "call-1")
    board.answered("1001", "call-1")
    board.call_ended("1001", "call-1", wrap_up_seconds=0)
    assert board.agents["1001"].state is AgentState.AVAILABLE


async def test_the_operators_own_wrap_up_wins_over_the_queues() -> None:
    board, _ = make_board(speed=10.0)  # Bob's 1 s wrap-up takes 0.1 s
    ready(board, "1002")
    board.offer("1002", "call-1")
    board.answered("1002", "call-1")
    board.call_ended("1002", "call-1", wrap_up_seconds=600)
    agent = board.agents["1002"]
    assert agent.wrap_up_until == pytest.approx(board.clock.now() + 1, abs=0.5)
    await asyncio.sleep(0.25)
    assert agent.state is AgentState.AVAILABLE


async def test_wrap_up_ended_early_cancels_the_timer() -> None:
    board, _fired = make_board()
    ready(board, "1001")
    board.offer("1001", "call-1")
    board.answered("1001", "call-1")
    board.call_ended("1001", "call-1", wrap_up_seconds=0.2)
    assert board.end_wrap_up("1001") is True
    board.set_state("1001", AgentState.ON_BREAK, "Lunch")
    await asyncio.sleep(0.3)
    assert board.agents["1001"].state is AgentState.ON_BREAK  # the old timer did nothing
    assert board.end_wrap_up("1001") is False


async def test_changes_not_allowed_name_the_problem() -> None:
    board, _ = make_board()
    with pytest.raises(ValueError, match="no operator on extension '9999'"):
        board.set_state("9999", AgentState.AVAILABLE)
    with pytest.raises(ValueError, match="before logging in"):
        board.set_state("1001", AgentState.ON_BREAK)
    with pytest.raises(ValueError, match="only a call"):
        board.set_state("1001", AgentState.ON_CALL)
    ready(board, "1001")
    board.offer("1001", "call-1")
    with pytest.raises(ValueError, match="while a call is in progress"):
        board.set_state("1001", AgentState.LOGGED_OUT)


async def test_setting_the_same_state_again_changes_nothing() -> None:
    board, fired = make_board()
    board.set_state("1001", AgentState.AVAILABLE)
    board.set_state("1001", AgentState.AVAILABLE)
    board.set_state("1001", AgentState.ON_BREAK, "Lunch")
    board.set_state("1001", AgentState.ON_BREAK, "Lunch")
    board.set_state("1001", AgentState.ON_BREAK, "Training")
    assert [new for _, _, new, _ in changes(fired)] == ["available", "on_break", "on_break"]
    assert board.agents["1001"].reason == "Training"


async def test_late_reports_about_a_call_the_operator_is_no_longer_on_are_ignored() -> None:
    board, fired = make_board()
    ready(board, "1001")
    board.offer("1001", "call-1")
    board.release_stuck("1001", "repaired")
    before = len(fired)
    board.answered("1001", "call-1")
    board.call_ended("1001", "call-1", 10)
    assert board.agents["1001"].state is AgentState.AVAILABLE
    assert len(fired) == before


async def test_every_change_carries_a_timestamp_reason_and_author() -> None:
    board, fired = make_board()
    board.set_state("1001", AgentState.AVAILABLE, by="phone")
    event = fired[-1]
    assert isinstance(event, AgentStateChanged)
    assert event.name == "agent.state_changed"
    assert (event.reason, event.by) == ("login", "phone")
    assert event.at == pytest.approx(board.agents["1001"].state_since)


async def test_an_offer_withdrawn_for_another_call_leaves_the_operator_alone() -> None:
    board, _ = make_board()
    ready(board, "1001")
    board.offer("1001", "call-2")
    assert board.release_stuck("1001", "lost race", by="routing", call_uuid="call-1") == "ringing"
    assert board.release_stuck("1001", "lost race", by="routing", call_uuid="call-2") == "available"
    assert board.agents["1001"].missed_in_row == 0


async def test_calls_today_starts_at_zero_on_a_new_day() -> None:
    board, _ = make_board()
    ready(board, "1001")
    board.offer("1001", "call-1")
    board.answered("1001", "call-1")
    agent = board.agents["1001"]
    assert agent.calls_today == 1
    assert agent.counted_day is not None
    agent.counted_day = agent.counted_day.replace(year=2000)  # the count is from another day
    board.roll_over_day()
    assert agent.calls_today == 0


async def test_the_periodic_reconciler_stops_even_if_a_switch_command_ate_the_cancel() -> None:
    board, _ = make_board(speed=100.0)
    reconciler = Reconciler(SimpleNamespace(), board)  # type: ignore[arg-type]
    started = asyncio.Event()

    async def run_swallowing_cancel(why: str) -> list[object]:
        started.set()
        with contextlib.suppress(asyncio.CancelledError):  # as 3.11's wait_for can do
            await asyncio.sleep(1)
        return []

    reconciler.run = run_swallowing_cancel  # type: ignore[method-assign]
    task = asyncio.get_running_loop().create_task(reconciler.every(0.01))
    await asyncio.wait_for(started.wait(), 1)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=1)
    assert task in done and task.cancelled()
