"""Domain events of the routing plugin: what happened to a caller in a queue.

Each carries the caller's ``call_uuid`` and the ``queue``; events about an operator carry
``agent`` (the extension), so the journal files them under both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ccore.events import Event


@dataclass(frozen=True, kw_only=True)
class QueueEntered(Event):
    """A caller joined a queue (``position`` 1 is the front)."""

    name: ClassVar[str] = "queue.entered"
    queue: str = ""
    caller_number: str = ""
    priority: int = 0
    skills: dict[str, int] = field(default_factory=dict)
    position: int = 0
    entered_at: float = 0.0  # queue time of the place in line (earlier than ``at`` if requeued)
    requeued: bool = False  # put back after a restart of ccore, keeping the original place
    callback_id: int | None = None  # a callback waiting in the line in place of the caller


@dataclass(frozen=True, kw_only=True)
class QueueOffered(Event):
    """An operator's phone was rung for a waiting caller."""

    name: ClassVar[str] = "queue.offered"
    queue: str = ""
    agent: str = ""
    agent_uuid: str = ""
    waited: float = 0.0


@dataclass(frozen=True, kw_only=True)
class QueueMissed(Event):
    """An offer ended without the operator taking the call (``cause``: NO_ANSWER, USER_BUSY...)."""

    name: ClassVar[str] = "queue.missed"
    queue: str = ""
    agent: str = ""
    cause: str = ""


@dataclass(frozen=True, kw_only=True)
class QueueAnswered(Event):
    """An operator took the call and is connected to the caller."""

    name: ClassVar[str] = "queue.answered"
    queue: str = ""
    agent: str = ""
    agent_uuid: str = ""
    waited: float = 0.0


@dataclass(frozen=True, kw_only=True)
class QueueCompleted(Event):
    """A call an operator took in a queue ended (``talked`` seconds)."""

    name: ClassVar[str] = "queue.completed"
    queue: str = ""
    agent: str = ""
    talked: float = 0.0


@dataclass(frozen=True, kw_only=True)
class QueueAbandoned(Event):
    """The caller hung up before an operator took the call."""

    name: ClassVar[str] = "queue.abandoned"
    queue: str = ""
    waited: float = 0.0
    while_ringing: str = ""  # the operator whose phone was ringing, if any


@dataclass(frozen=True, kw_only=True)
class QueueEscalated(Event):
    """A caller's wait crossed an escalation step: more operators may now take the call."""

    name: ClassVar[str] = "queue.escalated"
    queue: str = ""
    step: int = 0
    skills: dict[str, int] = field(default_factory=dict)
    tier: int = 1


@dataclass(frozen=True, kw_only=True)
class QueueAnnounced(Event):
    """The caller was told the position (and the expected wait, when it can be trusted)."""

    name: ClassVar[str] = "queue.announced"
    queue: str = ""
    position: int = 0
    expected_wait: float | None = None


@dataclass(frozen=True, kw_only=True)
class QueueOverflowed(Event):
    """A caller left a queue for its overflow action (``reason``: max_wait or max_length)."""

    name: ClassVar[str] = "queue.overflowed"
    queue: str = ""
    reason: str = ""
    action: str = ""
    target: str = ""


@dataclass(frozen=True, kw_only=True)
class QueueCallbackRequested(Event):
    """The caller asked to be called back; the callback keeps the place in the line."""

    name: ClassVar[str] = "queue.callback_requested"
    queue: str = ""
    callback_id: int = 0
    number: str = ""


@dataclass(frozen=True, kw_only=True)
class QueueCallbackAttempted(Event):
    """An operator was connected and the customer dialed for a callback."""

    name: ClassVar[str] = "queue.callback_attempted"
    queue: str = ""
    callback_id: int = 0
    agent: str = ""
    attempt: int = 0
    cause: str = ""  # SUCCESS or why the customer was not reached


@dataclass(frozen=True, kw_only=True)
class QueueCallbackCompleted(Event):
    """A callback ended: ``outcome`` is answered, failed (retries used up) or expired."""

    name: ClassVar[str] = "queue.callback_completed"
    queue: str = ""
    callback_id: int = 0
    outcome: str = ""
    agent: str = ""


QUEUE_OUTCOMES: tuple[str, ...] = (
    QueueAnswered.name,
    QueueAbandoned.name,
    QueueOverflowed.name,
    QueueCallbackRequested.name,
)
"""Events that end a caller's wait in a queue (exactly one per ``queue.entered``)."""
