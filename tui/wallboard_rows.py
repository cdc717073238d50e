"""The wallboard's rows, computed from a snapshot (no Textual: plain, tested functions)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ccore_tui.state import duration, since, state_label


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _count(value: Any) -> int:
    if isinstance(value, list | tuple | dict):
        return len(value)
    number = _number(value)
    return int(number) if number is not None else 0


def _today(queue: Mapping[str, Any], key: str) -> int:
    today = queue.get("today")
    if isinstance(today, Mapping) and key in today:
        return _count(today[key])
    return _count(queue.get(key))


def longest_wait(
    queue: Mapping[str, Any], now: float, received_at: float | None = None
) -> float | None:
    """Seconds the longest-waiting caller has waited (from the figure or the callers).

    A wait the core measured (``waited``) grows by the time since the snapshot was taken.
    """
    received_at = now if received_at is None else received_at
    callers = queue.get("waiting") if isinstance(queue.get("waiting"), list) else None
    callers = callers if callers is not None else queue.get("callers")
    if isinstance(callers, list) and callers:
        waits = []
        for caller in callers:
            if not isinstance(caller, Mapping):
                continue
            if _number(caller.get("since")) is not None or _number(caller.get("entered_at")):
                start = _number(caller.get("since")) or _number(caller.get("entered_at")) or now
                waits.append(now - start)
            else:
                waited = _number(caller.get("waited", caller.get("wait")))
                if waited is not None:
                    waits.append(waited + max(0.0, now - received_at))
        if waits:
            return max(waits)
    return _number(queue.get("longest_wait"))


def service_level(queue: Mapping[str, Any]) -> str:
    """The share of calls answered within target today, as a percentage."""
    value = queue.get("service_level")
    if isinstance(queue.get("today"), Mapping) and value is None:
        value = queue["today"].get("service_level")
    number = _number(value)
    if number is None:
        return "-"
    return f"{number * 100:.0f}%" if number <= 1 else f"{number:.0f}%"


def queue_rows(
    snapshot: Mapping[str, Any], now: float | None = None, received_at: float | None = None
) -> dict[str, tuple]:
    """Per queue: name, waiting, longest wait, answered, abandoned, service level."""
    now = now or time.time()
    rows = {}
    for queue in snapshot.get("queues") or []:
        name = str(queue.get("name", "?"))
        if queue.get("not_loaded"):
            label = f"{queue.get('display_name') or name} (new: press a to apply)"
            rows[name] = (label, "-", "-", "-", "-", "-")
            continue
        waiting = queue.get("waiting", queue.get("callers"))
        rows[name] = (
            str(queue.get("display_name") or name),
            str(_count(waiting)),
            duration(longest_wait(queue, now, received_at)),
            str(_today(queue, "answered")),
            str(_today(queue, "abandoned")),
            service_level(queue),
        )
    return rows


def agent_rows(snapshot: Mapping[str, Any], now: float | None = None) -> dict[str, tuple]:
    """Per operator: extension, name, state, time in state, caller, calls today, phone."""
    now = now or time.time()
    calls = snapshot.get("calls") or []
    by_uuid = {call.get("uuid"): call for call in calls}
    by_agent = {call.get("agent"): call for call in calls if call.get("agent")}
    rows = {}
    for agent in snapshot.get("agents") or []:
        extension = str(agent.get("extension"))
        call = by_uuid.get(agent.get("call_uuid")) or by_agent.get(extension)
        caller = ""
        if call is not None:
            caller = str(call.get("caller_name") or call.get("caller_number") or "")
            if call.get("caller_number") and caller != call.get("caller_number"):
                caller += f" {call['caller_number']}"
        calls_today = agent.get("calls_today")
        rows[extension] = (
            extension,
            str(agent.get("name", "")),
            state_label(str(agent.get("state", "unknown")), str(agent.get("reason") or "")),
            since(agent.get("state_since"), now),
            caller,
            "-" if calls_today is None else str(calls_today),
            "registered" if agent.get("registered") else "NOT registered",
        )
    return rows


def call_rows(snapshot: Mapping[str, Any], now: float | None = None) -> dict[str, tuple]:
    """Per call in progress: caller, number dialed, queue, state, duration, operator."""
    now = now or time.time()
    recording = snapshot.get("recordings") or {}
    rows = {}
    for call in snapshot.get("calls") or []:
        caller = str(call.get("caller_name") or call.get("caller_number") or "")
        if call.get("caller_number") and caller != call.get("caller_number"):
            caller += f" {call['caller_number']}"
        rows[str(call.get("uuid"))] = (
            caller,
            str(call.get("destination", "")),
            str(call.get("queue") or "-"),
            str(call.get("state", "")) + (" ● REC" if call.get("uuid") in recording else ""),
            since(call.get("since"), now),
            str(call.get("agent") or "-"),
        )
    return rows
