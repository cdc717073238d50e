"""The agents plugin's domain events: operator state changes and the reconciler's repairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ccore.events import Event


@dataclass(frozen=True, kw_only=True)
class AgentStateChanged(Event):
    """An operator changed state (``old`` -> ``new``), with why and who did it.

    ``by`` is ``admin``, ``phone`` (a feature code), ``routing``, ``wrap_up_timer``,
    ``reconciler`` or ``recovery``; ``call_uuid`` is set when the change is about a call;
    ``until`` is when a wrap-up ends (None for other states).
    """

    name: ClassVar[str] = "agent.state_changed"
    agent: str = ""
    old: str = ""
    new: str = ""
    reason: str = ""
    by: str = ""
    until: float | None = None


@dataclass(frozen=True, kw_only=True)
class AgentRepaired(Event):
    """The reconciler found an operator in a state the switch contradicts, and repaired it.

    ``problem`` says what was wrong (e.g. ``on_call with a call the switch no longer has``),
    ``repair`` what was done (e.g. ``wrap_up``).
    """

    name: ClassVar[str] = "agent.repaired"
    agent: str = ""
    problem: str = ""
    repair: str = ""
