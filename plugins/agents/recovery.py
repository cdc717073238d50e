"""Rebuilding operator states after a restart, from the ``agent.state_changed`` events.

Every change of state is in the core's events table. On setup the board takes each operator's
latest change: logged out, available and on break come back as they were, a wrap-up comes
back with the time it had left, an offer (ringing) is void after a restart and becomes
available, and an operator on a call stays on it until the reconciler, once the switch is
connected, settles whether that call still exists.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .board import AgentBoard, AgentState
from .events import AgentStateChanged

if TYPE_CHECKING:
    from ccore.storage import Storage

_LOGGER = logging.getLogger(__name__)

_LATEST = """
    SELECT events.agent, events.at, events.call_uuid, events.data
    FROM events JOIN (
        SELECT agent, MAX(id) AS id FROM events WHERE name = ? GROUP BY agent
    ) AS latest ON events.id = latest.id
"""
_ANSWERED_SINCE = """
    SELECT agent, COUNT(*) FROM events
    WHERE name = ? AND at >= ? AND json_extract(data, '$.new') = 'on_call'
    GROUP BY agent
"""


@dataclass(frozen=True)
class LastState:
    """An operator's latest recorded change of state."""

    extension: str
    state: AgentState
    at: float
    reason: str
    call_uuid: str | None
    until: float | None


def latest_states(storage: Storage) -> dict[str, LastState]:
    """Each operator's latest ``agent.state_changed`` in the events table."""
    found: dict[str, LastState] = {}
    rows = storage.db.execute(_LATEST, [AgentStateChanged.name]).fetchall()
    for extension, at, call_uuid, data in rows:
        if not extension:
            continue
        try:
            fields = json.loads(data)
            state = AgentState(fields.get("new", ""))
        except ValueError:
            _LOGGER.warning("Unreadable agent.state_changed for %s: %.200s", extension, data)
            continue
        until = fields.get("until")
        found[extension] = LastState(
            extension=extension,
            state=state,
            at=float(at),
            reason=str(fields.get("reason", "")),
            call_uuid=call_uuid,
            until=float(until) if until is not None else None,
        )
    return found


def answered_since(storage: Storage, since: float) -> dict[str, int]:
    """How many calls each operator answered since ``since`` (unix seconds)."""
    rows = storage.db.execute(_ANSWERED_SINCE, [AgentStateChanged.name, since]).fetchall()
    return {extension: int(count) for extension, count in rows if extension}


def start_of_day(now: float, timezone: str) -> float:
    """Unix time of the start of the day ``now`` falls in, in the center's time zone."""
    zone = ZoneInfo(timezone)
    day = datetime.fromtimestamp(now, zone).date()
    return datetime.combine(day, time(0), zone).timestamp()


def rebuild(board: AgentBoard, storage: Storage, timezone: str) -> dict[str, AgentState]:
    """Restore every configured operator's state from storage; return what was restored."""
    latest = latest_states(storage)
    now = board.clock.now()
    counts = answered_since(storage, start_of_day(now, timezone))
    # A sped-up clock (tests, the demo) may have run ahead of this one: shift the old
    # timeline back so that its last change is now, keeping every duration.
    shift = max([0.0, *(last.at - now for last in latest.values())])
    restored: dict[str, AgentState] = {}
    for extension, agent in board.agents.items():
        last = latest.get(extension)
        if last is None:
            continue
        board.restore(
            extension,
            last.state,
            since=last.at - shift,
            reason=last.reason,
            call_uuid=last.call_uuid,
            until=last.until - shift if last.until is not None else None,
            calls_today=counts.get(extension, 0),
        )
        if last.state is AgentState.RINGING:
            # The offer died with the old process (routing re-offers waiting callers).
            board.release_stuck(extension, "offer lost in a restart", by="recovery")
        restored[extension] = agent.state
    if restored:
        _LOGGER.info(
            "Operator states rebuilt: %s",
            ", ".join(f"{ext} {state}" for ext, state in sorted(restored.items())),
        )
    return restored
