"""The issue's test: 200 callers and 20 operators over a simulated hour.

Every caller is answered, abandons, overflows or is called back; no operator is ever offered
two calls at once; first come, first served holds within each priority; and the events table
accounts for every call.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

from center_fixtures import MakeHarness
from routing_helpers import center_toml

from ccore.standin.traffic import Shift, TrafficGenerator, TrafficPlan
from ccore.storage import EventRow

SPEED = 300.0  # the hour takes 12 real seconds
HOUR = 3600.0
CALLERS = 200
OPERATORS = [str(1001 + n) for n in range(20)]
VIP_PREFIX = "+4917"

QUEUE = f"""\
[[queues]]
name = "support"
ring_timeout = 15
wrap_up = 10
max_wait = 90
overflow = {{ action = "voicemail", box = "general" }}
announce_position_every = 60
priority = [{{ caller_ids = ["{VIP_PREFIX}*"], priority = 5 }}]
callback = {{ enabled = true, key = "1", offer_after = 30, retries = 2, retry_delay = 60 }}
"""
EXTRA = """\
[voicemail.general]
name = "General"

[[trunks]]
name = "carrier"
proxy = "sip.carrier.example"
register = false
"""
OUTCOMES = {"queue.answered", "queue.abandoned", "queue.overflowed", "queue.callback_requested"}


async def place_callers(harness, rng: random.Random) -> list[str]:
    """200 callers at random moments of the hour; some VIPs, some ask for a callback."""
    clock = harness.switch.clock
    start = clock.now()
    moments = sorted(rng.uniform(0, HOUR) for _ in range(CALLERS))
    uuids = []
    for n, at in enumerate(moments):
        await clock.sleep(max(0.0, at - (clock.now() - start)))
        prefix = VIP_PREFIX if rng.random() < 0.1 else "+4930"
        number = f"{prefix}{n:07d}"
        harness.switch.set_phone(number, ring_seconds=3, talk_seconds=rng.uniform(60, 240))
        digits = [(rng.uniform(35, 90), "1")] if rng.random() < 0.15 else []
        call = await harness.switch.place_call(
            number,
            "+4930100",
            digits=digits,
            patience=rng.expovariate(1 / 240),
            talk_seconds=rng.expovariate(1 / 300) + 20,
        )
        uuids.append(call.uuid)
    return uuids


def ends_offer(row: EventRow) -> bool:
    """Whether an event frees the operator it names (missed, call over, callback not made)."""
    if row.name == "queue.callback_attempted":
        return row.data.get("cause") != "SUCCESS"
    return row.name in ("queue.missed", "queue.completed")


def check_no_double_offers(rows: list[EventRow]) -> int:
    """Replay the journal: an operator is engaged from an offer until the offer's end."""
    engaged: dict[str, str] = {}
    offers = 0
    for row in rows:
        agent = row.data.get("agent") or ""
        if row.name == "queue.offered":
            assert agent not in engaged, (
                f"{agent} offered {row.call_uuid} while on {engaged[agent]}"
            )
            engaged[agent] = row.call_uuid or ""
            offers += 1
        elif ends_offer(row) and engaged.get(agent) == row.call_uuid:
            del engaged[agent]
    return offers


def check_first_come_first_served(rows: list[EventRow]) -> None:
    """No caller is offered while someone of higher or equal priority who came first waits."""
    waiting: dict[str, tuple[int, float]] = {}
    ringing: set[str] = set()
    for row in rows:
        uuid = row.call_uuid or ""
        if row.name == "queue.entered" and row.data.get("callback_id") is None:
            waiting[uuid] = (int(row.data["priority"]), float(row.data["entered_at"]))
        elif row.name == "queue.offered" and uuid in waiting:
            mine = (-waiting[uuid][0], waiting[uuid][1])
            ahead = [
                other
                for other, (prio, at) in waiting.items()
                if other not in ringing and other != uuid and (-prio, at) < mine
            ]
            assert not ahead, f"{uuid} offered while {ahead} waited ahead of it"
            ringing.add(uuid)
        elif row.name == "queue.missed":
            ringing.discard(uuid)
        elif row.name in OUTCOMES:
            waiting.pop(uuid, None)
            ringing.discard(uuid)


async def test_two_hundred_callers_twenty_operators_one_simulated_hour(
    center_harness: MakeHarness,
) -> None:
    operators = {ext: {} for ext in OPERATORS}
    toml = center_toml(QUEUE, operators, extra=EXTRA, reconcile_grace=60)
    harness = await center_harness(toml, speed=SPEED, seed=7)
    rng = random.Random(7)
    shifts = [Shift(ext, ring_seconds=(1, 5), answer_probability=0.95) for ext in OPERATORS]
    traffic = TrafficGenerator(
        harness.switch, TrafficPlan(numbers=["+4930100"], calls_per_hour=0), shifts, seed=7
    )
    working = asyncio.ensure_future(traffic.run(HOUR * 1.5))
    uuids = await place_callers(harness, rng)
    done = {"queue.callback_completed"}

    def settled() -> bool:
        ended = {e.call_uuid for e in harness.events if e.name in OUTCOMES}
        cb_asked = {e.call_uuid for e in harness.events if e.name == "queue.callback_requested"}
        cb_done = {e.call_uuid for e in harness.events if e.name in done}
        live = [u for u in uuids if u in harness.center.calls.channels]
        return set(uuids) <= ended and cb_asked <= cb_done and not live

    await harness.wait_for(settled, timeout=20, what="every caller answered, gone or called back")
    working.cancel()
    await traffic.stop()
    harness.center.journal.flush()
    rows = harness.center.db.events_since(0)

    by_call: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.call_uuid:
            by_call[row.call_uuid].append(row.name)
    outcomes = defaultdict(int)
    for uuid in uuids:
        names = by_call[uuid]
        assert "call.offered" in names and names.count("queue.entered") == 1, names
        ends = [n for n in names if n in OUTCOMES]
        assert len(ends) == 1, (uuid, ends)
        if ends[0] == "queue.callback_requested":
            completions = [
                r for r in rows if r.call_uuid == uuid and r.name == "queue.callback_completed"
            ]
            assert len(completions) == 1
            outcomes[f"callback {completions[0].data['outcome']}"] += 1
        outcomes[ends[0]] += 1
    assert sum(outcomes[n] for n in OUTCOMES) == CALLERS
    print(dict(outcomes))
    assert outcomes["queue.answered"] > CALLERS / 2, outcomes
    assert check_no_double_offers(rows) >= outcomes["queue.answered"]
    check_first_come_first_served(rows)
