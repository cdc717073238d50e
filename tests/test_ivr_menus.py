"""IVR menus with real calls on the stand-in: navigation, timeouts, wrong keys, information."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from center_fixtures import CenterHarness, MakeHarness

from ccore.events import CallRouted

SPEED = 20.0  # simulated seconds per real second: a 3 s menu timeout takes 0.15 s

CENTER = """\
[center]
name = "IVR test"
timezone = "Europe/Berlin"

[[operators]]
extension = "1001"
name = "Alice"
skills = { billing = 5, german = 5 }

[[queues]]
name = "support"

[[queues]]
name = "billing"

[voicemail.general]
name = "General messages"

[[numbers]]
number = "+4930100"
ivr = "main"

[ivr.main]
greeting = "tone:beep"
timeout = 3
max_tries = 2
invalid_prompt = "tone:error"
default = { action = "queue", queue = "support" }

[ivr.main.options]
1 = { action = "submenu", menu = "accounts" }
2 = { action = "queue", queue = "support", skills = { german = 4 }, priority = 3 }
3 = { action = "play", file = "tone:confirm" }
4 = { action = "voicemail", box = "general" }
5 = { action = "transfer", extension = "1001" }
9 = { action = "repeat" }
0 = { action = "hangup", message = "tone:busy" }

[ivr.accounts]
greeting = "tone:beep"
timeout = 3
max_tries = 1
default = { action = "hangup" }

[ivr.accounts.options]
1 = { action = "queue", queue = "billing", skills = { billing = 3 } }
"""


IvrCenter = Callable[..., Awaitable[CenterHarness]]


@pytest.fixture
async def ivr_center(center_harness: MakeHarness) -> AsyncIterator[IvrCenter]:
    """``await ivr_center(toml)``: a center on a sped-up stand-in; its calls end before it stops.

    Callers still waiting in a queue at the end of a test are hung up first, so each plugin's
    per-call work ends the ordinary way rather than by cancellation at shutdown.
    """
    made: list[CenterHarness] = []

    async def make(center_toml: str, **options: Any) -> CenterHarness:
        harness = await center_harness(center_toml, **{"speed": SPEED, **options})
        made.append(harness)
        return harness

    yield make
    for harness in made:
        for channel in list(harness.switch.channels.values()):
            channel.hangup("NORMAL_CLEARING")
        await harness.wait_for(lambda h=harness: not h.center.calls.channels, what="calls ended")
        await harness.center.bus.drain()


def ivr_steps(harness: CenterHarness, call_uuid: str) -> list[tuple[Any, ...]]:
    """The IVR events of one call as (name, menu, digit or action) tuples, in order."""
    steps = []
    for event in harness.events:
        if not event.name.startswith("ivr.") or event.call_uuid != call_uuid:
            continue
        detail = getattr(event, "digit", "") or getattr(event, "action", "")
        steps.append((event.name, event.menu, detail))
    return steps


def played_by_ivr(harness: CenterHarness, call_uuid: str) -> list[str]:
    """What the call heard until the IVR handed it to a queue (routing's music is not ours)."""
    played = []
    for event in harness.events:
        if event.call_uuid != call_uuid:
            continue
        if event.name == "call.routed" and event.route.startswith("queue:"):
            break
        if event.name == "call.playback_started":
            played.append(event.path)
    return played


async def call_in(harness: CenterHarness, digits: list[Any]) -> Any:
    """A caller dialing the IVR number with a digit script."""
    return await harness.switch.place_call("+4917012345", "+4930100", digits=digits)


async def routed_to_queue(harness: CenterHarness, call_uuid: str) -> CallRouted:
    return await harness.next_event(
        "call.routed", lambda e: e.call_uuid == call_uuid and e.route.startswith("queue:")
    )


async def test_caller_goes_through_a_submenu_into_a_queue_with_skills(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER)
    call = await call_in(harness, [(1.0, "1"), (1.0, "1")])

    entered = await harness.next_event("call.routed", lambda e: e.call_uuid == call.uuid)
    assert entered.route == "ivr:main"
    routed = await routed_to_queue(harness, call.uuid)

    assert (routed.route, routed.options) == ("queue:billing", {"skills": {"billing": 3},
                                                                "priority": 0})
    exited = await harness.next_event("ivr.exited", lambda e: e.call_uuid == call.uuid)
    assert (exited.menu, exited.action, exited.target) == ("accounts", "queue", "billing")
    assert not exited.caller_hung_up
    assert ivr_steps(harness, call.uuid) == [
        ("ivr.entered", "main", ""),
        ("ivr.digit", "main", "1"),
        ("ivr.option_chosen", "main", "1"),
        ("ivr.entered", "accounts", ""),
        ("ivr.digit", "accounts", "1"),
        ("ivr.option_chosen", "accounts", "1"),
        ("ivr.exited", "accounts", "queue"),
    ]
    submenu = await harness.next_event("ivr.entered", lambda e: e.menu == "accounts")
    assert submenu.came_from == "main"
    assert harness.center.calls.channels[call.uuid].answered_at is not None


async def test_a_queue_option_carries_its_skills_and_priority(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER)
    call = await call_in(harness, [(0.5, "2")])

    routed = await routed_to_queue(harness, call.uuid)

    assert routed.route == "queue:support"
    assert routed.options == {"skills": {"german": 4}, "priority": 3}
    chosen = await harness.next_event("ivr.option_chosen", lambda e: e.call_uuid == call.uuid)
    assert (chosen.digit, chosen.action, chosen.target, chosen.by_default) == (
        "2", "queue", "support", False,
    )


async def test_silence_is_prompted_again_then_the_default_action_runs(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER)
    call = await call_in(harness, [])  # never presses a key

    routed = await routed_to_queue(harness, call.uuid)

    assert (routed.route, routed.options) == ("queue:support", {"skills": {}, "priority": 0})
    assert ivr_steps(harness, call.uuid) == [
        ("ivr.entered", "main", ""),
        ("ivr.timeout", "main", ""),
        ("ivr.timeout", "main", ""),
        ("ivr.option_chosen", "main", "queue"),
        ("ivr.exited", "main", "queue"),
    ]
    timeouts = [e for e in harness.events if e.name == "ivr.timeout"]
    assert [e.attempt for e in timeouts] == [1, 2]
    default = await harness.next_event("ivr.option_chosen", lambda e: e.call_uuid == call.uuid)
    assert default.by_default and default.digit == ""
    # two greetings were played, each waiting the menu's 3 s timeout (simulated)
    played = played_by_ivr(harness, call.uuid)
    assert played.count("tone_stream://%(500,0,800)") == 2  # tone:beep


async def test_a_wrong_key_plays_the_invalid_prompt_and_asks_again(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER)
    call = await call_in(harness, [(0.5, "7"), (1.5, "2")])

    routed = await routed_to_queue(harness, call.uuid)

    assert routed.route == "queue:support"
    invalid = await harness.next_event("ivr.invalid", lambda e: e.call_uuid == call.uuid)
    assert (invalid.menu, invalid.digit, invalid.attempt) == ("main", "7", 1)
    assert ivr_steps(harness, call.uuid) == [
        ("ivr.entered", "main", ""),
        ("ivr.digit", "main", "7"),
        ("ivr.invalid", "main", "7"),
        ("ivr.digit", "main", "2"),
        ("ivr.option_chosen", "main", "2"),
        ("ivr.exited", "main", "queue"),
    ]
    played = played_by_ivr(harness, call.uuid)
    assert any(path.startswith("tone_stream://%(330,30,950)") for path in played)  # tone:error


async def test_wrong_keys_until_max_tries_run_the_default_action(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER)
    call = await call_in(harness, [(0.5, "7"), (2.0, "8")])

    routed = await routed_to_queue(harness, call.uuid)

    assert routed.route == "queue:support"
    names = [step[0] for step in ivr_steps(harness, call.uuid)]
    assert names.count("ivr.invalid") == 2
    default = await harness.next_event("ivr.option_chosen", lambda e: e.call_uuid == call.uuid)
    assert default.by_default


async def test_information_is_played_then_the_menu_comes_back(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER)
    call = await call_in(harness, [(0.5, "3"), (2.0, "9"), (1.5, "2")])

    routed = await routed_to_queue(harness, call.uuid)

    assert routed.route == "queue:support"
    assert [step for step in ivr_steps(harness, call.uuid) if step[0] != "ivr.digit"] == [
        ("ivr.entered", "main", ""),
        ("ivr.option_chosen", "main", "3"),
        ("ivr.option_chosen", "main", "9"),
        ("ivr.option_chosen", "main", "2"),
        ("ivr.exited", "main", "queue"),
    ]
    chosen = [e for e in harness.events
              if e.name == "ivr.option_chosen" and e.call_uuid == call.uuid]
    assert [(e.action, e.target) for e in chosen] == [
        ("play", "tone:confirm"), ("repeat", ""), ("queue", "support"),
    ]
    played = played_by_ivr(harness, call.uuid)
    assert "tone_stream://%(150,100,880);%(150,0,1320)" in played  # tone:confirm
    assert not [e for e in harness.events if e.name in ("ivr.timeout", "ivr.invalid")]


async def test_after_silence_the_timeout_prompt_replaces_the_greeting(
    ivr_center: IvrCenter,
) -> None:
    toml = CENTER.replace("max_tries = 2\n", 'max_tries = 3\ntimeout_prompt = "tone:confirm"\n', 1)
    harness = await ivr_center(toml)
    call = await call_in(harness, [])

    await routed_to_queue(harness, call.uuid)

    played = [path for path in played_by_ivr(harness, call.uuid)
              if path.startswith("tone_stream://")]
    assert played == [
        "tone_stream://%(500,0,800)",  # the greeting (tone:beep)
        "tone_stream://%(150,100,880);%(150,0,1320)",  # tone:confirm after the 1st timeout
        "tone_stream://%(150,100,880);%(150,0,1320)",  # and after the 2nd
    ]
