"""The event bus: fire never waits, listeners are isolated, each call's events stay in order."""

from __future__ import annotations

import asyncio
import random

from ccore.bus import EventBus
from ccore.events import CallAnswered, CallDtmf, CallHungup, CallOffered, Event


async def test_fire_returns_before_a_slow_listener_has_run() -> None:
    bus = EventBus()
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(event: Event) -> None:
        started.set()
        await release.wait()

    bus.listen("call.offered", slow)
    bus.fire(CallOffered(call_uuid="a"))
    assert not started.is_set()  # fire only scheduled the delivery
    await asyncio.wait_for(started.wait(), 1)
    release.set()
    await bus.drain()


async def test_a_listener_that_raises_does_not_stop_the_others() -> None:
    bus = EventBus()
    got: list[str] = []

    def broken(event: Event) -> None:
        raise RuntimeError("plugin bug")

    async def broken_async(event: Event) -> None:
        raise RuntimeError("async plugin bug")

    bus.listen("call.answered", broken)
    bus.listen("call.answered", broken_async)
    bus.listen("call.answered", lambda event: got.append(event.call_uuid or ""))
    bus.fire(CallAnswered(call_uuid="x"))
    bus.fire(CallAnswered(call_uuid="y"))
    await bus.drain()
    assert got == ["x", "y"]
    assert bus.listener_errors == 4


async def test_unsubscribe_stops_delivery() -> None:
    bus = EventBus()
    got: list[Event] = []
    unsubscribe = bus.listen("call.hungup", got.append)
    bus.fire(CallHungup(call_uuid="1"))
    await bus.drain()
    unsubscribe()
    bus.fire(CallHungup(call_uuid="2"))
    await bus.drain()
    assert [event.call_uuid for event in got] == ["1"]


async def test_match_all_listener_gets_every_event() -> None:
    bus = EventBus()
    names: list[str] = []
    bus.listen("*", lambda event: names.append(event.name))
    bus.fire(CallOffered(call_uuid="a"))
    bus.fire(CallDtmf(call_uuid="a", digit="1"))
    await bus.drain()
    assert names == ["call.offered", "call.dtmf"]


async def test_events_of_one_call_reach_an_async_listener_in_order() -> None:
    bus = EventBus()
    rng = random.Random(7)
    seen: dict[str, list[str]] = {}

    async def jittery(event: CallDtmf) -> None:
        await asyncio.sleep(rng.random() / 1000)
        seen.setdefault(event.call_uuid or "", []).append(event.digit)

    bus.listen("call.dtmf", jittery)
    calls = [f"call-{n}" for n in range(20)]
    for digit in "0123456789":
        for call in calls:
            bus.fire(CallDtmf(call_uuid=call, digit=digit))
    await bus.drain()
    assert all(seen[call] == list("0123456789") for call in calls)


async def test_a_listener_busy_with_one_call_still_gets_other_calls() -> None:
    bus = EventBus()
    release = asyncio.Event()
    got: list[str] = []

    async def listener(event: CallOffered) -> None:
        if event.call_uuid == "slow":
            await release.wait()
        got.append(event.call_uuid or "")

    bus.listen("call.offered", listener)
    bus.fire(CallOffered(call_uuid="slow"))
    bus.fire(CallOffered(call_uuid="fast"))
    for _ in range(10):
        await asyncio.sleep(0)
    assert got == ["fast"]
    release.set()
    await bus.drain()
    assert got == ["fast", "slow"]
