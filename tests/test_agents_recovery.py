"""Rebuilding operator states from the events table (a real SQLite file) after a restart."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from ccore.config_schema import Operator
from ccore.events import Event
from ccore.storage import Storage
from ccore_plugins.agents.board import AgentBoard, AgentState
from ccore_plugins.agents.events import AgentStateChanged
from ccore_plugins.agents.recovery import latest_states, rebuild

OPERATORS = [
    Operator(extension=ext, name=f"Operator {ext}") for ext in ("1001", "1002", "1003", "1004")
]


def change(agent: str, old: str, new: str, at: float, **extra: object) -> AgentStateChanged:
    return AgentStateChanged(agent=agent, old=old, new=new, at=at, by="test", **extra)


async def test_each_operator_gets_their_latest_state_back(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "ccore.sqlite")
    now = time.time()
    storage.append_events([
        change("1001", "logged_out", "available", now - 50),
        change("1001", "available", "on_break", now - 40, reason="Lunch"),
        change("1002", "logged_out", "available", now - 30),
        change("1003", "logged_out", "available", now - 30),
        change("1003", "available", "ringing", now - 20, call_uuid="c-1"),
        change("1003", "ringing", "on_call", now - 19, call_uuid="c-1"),
        change("1004", "logged_out", "available", now - 30),
        change("1004", "available", "ringing", now - 5, call_uuid="c-2"),
        change("9999", "logged_out", "available", now - 5),  # no longer configured
    ])
    fired: list[Event] = []
    board = AgentBoard(OPERATORS, fired.append)
    restored = rebuild(board, storage, "UTC")
    agents = board.agents
    assert (agents["1001"].state, agents["1001"].reason) == (AgentState.ON_BREAK, "Lunch")
    assert agents["1001"].state_since == now - 40
    assert (agents["1002"].state, agents["1002"].idle_since) == (AgentState.AVAILABLE, now - 30)
    assert (agents["1003"].state, agents["1003"].call_uuid) == (AgentState.ON_CALL, "c-1")
    assert agents["1003"].calls_today == 1
    # an offer does not survive a restart
    assert agents["1004"].state is AgentState.AVAILABLE
    assert [(e.agent, e.new, e.by) for e in fired] == [("1004", "available", "recovery")]
    assert "9999" not in restored
    storage.close()


async def test_a_wrap_up_gets_the_rest_of_its_time_back(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "ccore.sqlite")
    now = time.time()
    storage.append_events([
        change("1001", "on_call", "wrap_up", now - 1, call_uuid="c-1", until=now + 0.2),
        change("1002", "on_call", "wrap_up", now - 60, call_uuid="c-2", until=now - 50),
    ])
    board = AgentBoard(OPERATORS, lambda event: None)
    rebuild(board, storage, "UTC")
    assert board.agents["1001"].state is AgentState.WRAP_UP
    await asyncio.sleep(0.05)
    assert board.agents["1002"].state is AgentState.AVAILABLE  # its time was already over
    assert board.agents["1001"].state is AgentState.WRAP_UP
    await asyncio.sleep(0.3)
    assert board.agents["1001"].state is AgentState.AVAILABLE
    storage.close()


async def test_latest_state_is_read_by_insertion_order_not_only_time(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "ccore.sqlite")
    at = time.time()
    storage.append_events([
        change("1001", "logged_out", "available", at),
        change("1001", "available", "logged_out", at),  # same timestamp, written later
    ])
    assert latest_states(storage)["1001"].state is AgentState.LOGGED_OUT
    storage.close()
