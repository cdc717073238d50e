"""Changes to center.toml reach the running center on reload: no restart, no lost caller."""

from __future__ import annotations

from center_fixtures import MakeHarness

from ccore.config import load_center
from ccore_plugins.agents.board import AgentBoard, AgentState

CENTER = """
[center]
name = "Reload test"

[[numbers]]
number = "+15550100"
queue = "support"

[[operators]]
extension = "1001"
name = "Alice"

[[queues]]
name = "support"
ring_timeout = 10
wrap_up = 0
"""


async def test_an_operator_and_a_queue_added_to_center_toml_take_calls_after_a_reload(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(CENTER)
    center, switch = harness.center, harness.switch
    board = center.service("agents", AgentBoard)
    assert set(board.agents) == {"1001"}

    edit = load_center(harness.directory)  # as the UI or an admin's editor would
    edit.add_operator({"extension": "1003", "name": "Carol", "skills": {"french": 7}})
    edit.add_entry("queues", {"name": "sales", "ring_timeout": 10, "wrap_up": 0})
    edit.add_entry("numbers", {"number": "+15550199", "queue": "sales"})
    edit.save()
    center.reload_config(by="test")
    await harness.next_event("config.reloaded")
    assert board.agents["1003"].state is AgentState.LOGGED_OUT
    assert board.agents["1003"].skills == {"french": 7}

    await switch.register("1003")
    switch.set_phone("1003", ring_seconds=0.2, answers=True)
    login = await switch.place_call(caller_number="1003", destination="*21", context="default")
    await login
    await harness.wait_for(lambda: board.agents["1003"].state is AgentState.AVAILABLE)

    caller = await switch.place_call(caller_number="5557777", destination="+15550199")
    answered = await harness.next_event("queue.answered", lambda e: e.call_uuid == caller.uuid)
    assert answered.queue == "sales"
    assert board.agents["1003"].state is AgentState.ON_CALL
    await caller.hangup()


async def test_a_removed_operator_leaves_the_board_on_reload(center_harness: MakeHarness) -> None:
    harness = await center_harness(CENTER.replace(
        '[[queues]]', '[[operators]]\nextension = "1002"\nname = "Bob"\n\n[[queues]]'
    ))
    board = harness.center.service("agents", AgentBoard)
    assert set(board.agents) == {"1001", "1002"}
    edit = load_center(harness.directory)
    edit.remove_operator("1002")
    edit.save()
    harness.center.reload_config()
    await harness.next_event("config.reloaded")
    assert set(board.agents) == {"1001"}
