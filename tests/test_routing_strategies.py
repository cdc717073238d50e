"""Choosing operators for waiting callers: strategies, skills, tiers, escalation, order."""

from __future__ import annotations

import pytest

from ccore.config_schema import CenterModel, Queue
from ccore_plugins.agents.board import Agent, AgentState
from ccore_plugins.routing.board import QueueBoard
from ccore_plugins.routing.clock import QueueClock
from ccore_plugins.routing.estimate import HandleTimes, expected_wait, minutes_to_say
from ccore_plugins.routing.strategies import (
    choose,
    next_escalation,
    required_skills,
    requirement,
)
from ccore_plugins.routing.waiting import announcement, music_chunk


def agent(ext: str, *, idle: float = 0.0, offered: float = 0.0, calls: int = 0, **skills: int):
    """A real agents-plugin Agent, available."""
    return Agent(
        extension=ext,
        name=f"Op {ext}",
        skills=dict(skills),
        state=AgentState.AVAILABLE,
        registered=True,
        idle_since=idle,
        last_offered_at=offered,
        calls_today=calls,
    )


def queue(**fields) -> Queue:
    return Queue.model_validate({"name": "support", **fields})


def picked(q: Queue, agents, waited: float = 0.0, skills=None, avoid=frozenset()) -> list[str]:
    need = requirement(q, skills, waited)
    return [a.extension for a in choose(q, need, agents, avoid)]


def test_longest_idle_picks_operator_idle_longest():
    agents = [agent("1001", idle=50), agent("1002", idle=10), agent("1003", idle=30)]
    assert picked(queue(strategy="longest-idle"), agents) == ["1002"]


def test_round_robin_picks_operator_offered_longest_ago():
    agents = [agent("1001", offered=5, idle=1), agent("1002", offered=9), agent("1003", offered=7)]
    assert picked(queue(strategy="round-robin"), agents) == ["1001"]


def test_fewest_calls_picks_operator_with_fewest_calls_then_longest_idle():
    agents = [
        agent("1001", calls=4),
        agent("1002", calls=2, idle=20),
        agent("1003", calls=2, idle=5),
    ]
    assert picked(queue(strategy="fewest-calls"), agents) == ["1003"]


def test_ring_all_rings_every_free_operator_of_the_first_tier():
    q = queue(strategy="ring-all", tiers=[["1001", "1002"], ["1003"]])
    agents = [agent("1001"), agent("1002"), agent("1003")]
    assert sorted(picked(q, agents)) == ["1001", "1002"]


def test_skills_best_match_wins_and_ties_go_to_longest_idle():
    q = queue(strategy="skills", skills={"german": 5})
    agents = [
        agent("1001", idle=1, german=6),
        agent("1002", idle=5, german=9),
        agent("1003", idle=2, german=9),
        agent("1004", idle=0, german=3),  # below the level: never
    ]
    assert picked(q, agents) == ["1003"]


def test_operator_without_required_skill_is_not_offered():
    q = queue(skills={"billing": 3})
    assert picked(q, [agent("1001", sales=9)]) == []


def test_ivr_skills_add_to_queue_skills_keeping_higher_level():
    q = queue(skills={"billing": 3, "german": 2})
    assert required_skills(q, {"german": 7, "vip": 1}) == {"billing": 3, "german": 7, "vip": 1}


def test_escalation_relaxes_skill_level_after_wait():
    q = queue(skills={"german": 8}, escalation=[{"after": 30, "relax_by": 3}])
    agents = [agent("1001", german=5)]
    assert picked(q, agents, waited=10) == []
    assert picked(q, agents, waited=31) == ["1001"]
    assert next_escalation(q, 10) == 30 and next_escalation(q, 31) is None


def test_escalation_opens_next_tier_without_preferring_it():
    q = queue(tiers=[["1001"], ["1002"]], escalation=[{"after": 20, "tier": 2}])
    only_second = [agent("1002")]
    assert picked(q, only_second, waited=5) == []
    assert picked(q, only_second, waited=25) == ["1002"]
    both = [agent("1001", idle=100), agent("1002", idle=0)]
    assert picked(q, both, waited=25) == ["1001"]  # tier 1 first even if idle less long


def test_escalation_can_replace_required_skills():
    q = queue(skills={"german": 5}, escalation=[{"after": 60, "skills": {"english": 1}}])
    assert picked(q, [agent("1001", english=2)], waited=61) == ["1001"]


def test_operator_who_missed_is_tried_last():
    agents = [agent("1001", idle=1), agent("1002", idle=9)]
    q = queue()
    assert picked(q, agents, avoid={"1001"}) == ["1002"]
    assert picked(q, agents[:1], avoid={"1001"}) == ["1001"]  # nobody else: try again


def test_line_orders_priority_first_then_first_come():
    model = CenterModel.model_validate(
        {"center": {"name": "T"}, "queues": [{"name": "support"}, {"name": "sales"}]}
    )
    board = QueueBoard(model, QueueClock())
    board.enqueue("a", "support", entered_at=100.0)
    board.enqueue("b", "sales", entered_at=90.0)
    board.enqueue("c", "support", entered_at=110.0, priority=5)
    board.enqueue("d", "support", entered_at=105.0)
    assert [c.call_uuid for c in board.lines["support"].callers] == ["c", "a", "d"]
    assert [c.call_uuid for c in board.in_order()] == ["c", "b", "a", "d"]
    assert board.position(board.callers["d"]) == 3
    with pytest.raises(ValueError, match="already in queue"):
        board.enqueue("a", "sales")
    with pytest.raises(KeyError):
        board.enqueue("z", "nope")


def test_snapshot_lists_waiting_callers_with_positions_and_figures():
    model = CenterModel.model_validate({"center": {"name": "T"}, "queues": [{"name": "support"}]})
    clock = QueueClock()
    board = QueueBoard(model, clock)
    board.enqueue("a", "support", number="+4930123", entered_at=clock.now() - 30)
    board.enqueue("b", "support", number="+4930456")
    snap = board.snapshot()["queues"]["support"]
    assert [w["caller"] for w in snap["waiting"]] == ["+4930123", "+4930456"]
    assert [w["position"] for w in snap["waiting"]] == [1, 2]
    assert snap["longest_wait"] >= 30
    assert snap["entered"] == 2 and snap["service_level"] is None


def test_expected_wait_needs_enough_calls_and_staff():
    times = HandleTimes()
    for seconds in (100, 120, 140, 160):
        times.add(seconds)
    assert times.average() is None  # four calls are not enough to trust
    times.add(180)
    assert times.average() == 140
    assert expected_wait(3, times.average(), 2) == 210
    assert expected_wait(3, times.average(), 0) is None
    assert minutes_to_say(210) == 4 and minutes_to_say(5) == 1


def test_announcement_says_position_and_minutes_only_when_known(tmp_path):
    assert announcement(3, None) == (
        "file_string://ivr/ivr-you_are_number.wav!digits/3.wav!ivr/ivr-in_line.wav"
    )
    assert "digits/4.wav!time/minutes.wav" in announcement(3, 210)
    assert music_chunk(queue(), tmp_path, 12).endswith(";loops=4")
    assert music_chunk(queue(music="hold.wav"), tmp_path, 12) == str(tmp_path / "hold.wav")
