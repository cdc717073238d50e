"""The traffic generator: seeded Poisson callers and operators working shifts on the stand-in."""

from __future__ import annotations

from ccore.standin import StandinSwitch
from ccore.standin.traffic import Shift, TrafficGenerator, TrafficPlan


async def run_traffic(seed: int, duration: float = 600.0) -> list[tuple[str, str]]:
    switch = StandinSwitch("pw", seed=seed, speed=600.0)
    await switch.start()
    try:
        generator = TrafficGenerator(
            switch,
            TrafficPlan(numbers=["5000", "5001"], calls_per_hour=360.0, patience_mean=20.0),
            seed=seed,
        )
        report = await generator.run(duration)
        return [
            (call.channel.profile.destination_number, call.channel.profile.caller_id_number)
            for call in report.calls
        ]
    finally:
        await switch.stop()


async def test_same_seed_gives_the_same_callers() -> None:
    first = await run_traffic(seed=4)
    second = await run_traffic(seed=4)
    assert first == second
    assert first != await run_traffic(seed=5)


async def test_arrivals_follow_the_configured_rate() -> None:
    # 360 calls per hour over 10 simulated minutes: 60 expected (Poisson, sd ~7.7).
    counts = [len(await run_traffic(seed=seed)) for seed in (1, 2, 3)]
    assert all(30 <= count <= 90 for count in counts), counts
    assert 45 <= sum(counts) / len(counts) <= 75, counts


async def test_rate_changes_apply_from_their_start() -> None:
    plan = TrafficPlan(numbers=["5000"], calls_per_hour=0.0, rate_changes=[(300.0, 720.0)])
    assert plan.rate_at(0.0) == 0.0
    assert plan.rate_at(299.0) == 0.0
    assert plan.rate_at(300.0) == 720.0


async def test_operators_register_and_dial_their_feature_codes() -> None:
    switch = StandinSwitch("pw", seed=1, speed=100.0)
    await switch.start()
    dialed: list[tuple[str, str]] = []
    original = switch.place_call

    async def recording_place_call(caller_number: str, destination: str, **kwargs):  # type: ignore[no-untyped-def]
        dialed.append((caller_number, destination))
        return await original(caller_number, destination, **kwargs)

    switch.place_call = recording_place_call  # type: ignore[method-assign]
    try:
        generator = TrafficGenerator(
            switch,
            TrafficPlan(numbers=["5000"], calls_per_hour=0.0),
            [Shift("1001", login_at=10.0, breaks=((60.0, 30.0, "2"),), logout_at=200.0)],
        )
        await generator.run(300.0)
        assert dialed == [("1001", "*21"), ("1001", "*222"), ("1001", "*23"), ("1001", "*24")]
        assert switch.directory.user("1001").registered
    finally:
        await switch.stop()
