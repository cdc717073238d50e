"""After a restart of ccore: put callers still on the line back in their queues, in order.

The events table says who entered which queue and when; a caller whose last ``queue.entered``
has no outcome yet (answered, abandoned, overflowed, callback requested) and whose channel
still exists on the switch goes back in line with the original entry time, so the original
order holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .events import QUEUE_OUTCOMES, QueueEntered

if TYPE_CHECKING:
    from ccore.storage import Storage

    from .board import QueueBoard

LOOK_BACK = 24 * 3600.0


@dataclass(frozen=True)
class Unfinished:
    """A caller who entered a queue and had no outcome when ccore stopped."""

    call_uuid: str
    queue: str
    entered_at: float
    caller_number: str
    priority: int
    skills: dict[str, int]


def unfinished_callers(storage: Storage, now: float) -> list[Unfinished]:
    """Callers in line when ccore stopped, in the order they entered."""
    rows = storage.events_since(now - LOOK_BACK, names=(QueueEntered.name, *QUEUE_OUTCOMES))
    waiting: dict[str, Unfinished] = {}
    for row in rows:
        if not row.call_uuid:
            continue
        if row.name == QueueEntered.name:
            if row.data.get("callback_id") is not None:
                continue  # callbacks are restored from their own table
            entered = float(row.data.get("entered_at") or row.at)
            waiting[row.call_uuid] = Unfinished(
                row.call_uuid,
                row.queue or "",
                entered,
                str(row.data.get("caller_number", "")),
                int(row.data.get("priority", 0)),
                dict(row.data.get("skills") or {}),
            )
        else:
            waiting.pop(row.call_uuid, None)
    return sorted(waiting.values(), key=lambda u: u.entered_at)


FIGURE_EVENTS: tuple[str, ...] = (
    "queue.entered",
    "queue.offered",
    "queue.answered",
    "queue.abandoned",
    "queue.overflowed",
    "queue.callback_requested",
    "queue.callback_completed",
    "queue.completed",
)


def replay_figures(board: QueueBoard, storage: Storage, since: float) -> int:
    """Count today's queue events again (after a restart the wallboard keeps its day).

    Returns how many events were counted.
    """
    rows = storage.events_since(since, names=FIGURE_EVENTS)
    target = board.service_level_seconds
    for row in rows:
        line = board.lines.get(row.queue or "")
        if line is None:
            continue
        figures = line.figures
        waited = float(row.data.get("waited") or 0.0)
        if row.name == "queue.entered" and not row.data.get("requeued"):
            figures.entered += 1
        elif row.name == "queue.offered":
            figures.offered += 1
        elif row.name == "queue.answered":
            figures.answered += 1
            figures.answered_in_time += waited <= target
        elif row.name == "queue.abandoned":
            figures.abandoned += 1
            figures.abandoned_late += waited > target
        elif row.name == "queue.overflowed":
            figures.overflowed += 1
        elif row.name == "queue.callback_requested":
            figures.callbacks_requested += 1
        elif row.name == "queue.callback_completed" and row.data.get("outcome") == "answered":
            figures.called_back += 1
        elif row.name == "queue.completed":
            line.handle_times.add(float(row.data.get("talked") or 0.0) + line.config.wrap_up)
    return len(rows)
