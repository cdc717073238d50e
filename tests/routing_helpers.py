"""Helpers for the routing plugin's end-to-end tests: a center.toml and logged-in operators."""

from __future__ import annotations

from typing import Any

from center_fixtures import CenterHarness

from ccore_plugins.agents.board import AgentBoard, AgentState
from ccore_plugins.routing.board import QueueBoard


def center_toml(
    queues: str,
    operators: dict[str, dict[str, int]],
    *,
    extra: str = "",
    numbers: dict[str, str] | None = None,
    reconcile_grace: float | None = None,
) -> str:
    """A center with ``operators`` (extension -> skills), the queues, and numbers to them."""
    lines = ['[center]\nname = "Routing test"\n']
    for ext, skills in operators.items():
        skill_text = ", ".join(f"{k} = {v}" for k, v in skills.items())
        lines.append(
            f'[[operators]]\nextension = "{ext}"\nname = "Op {ext}"\nskills = {{ {skill_text} }}\n'
        )
    lines.append(queues)
    for number, queue in (numbers or {"+4930100": "support"}).items():
        lines.append(f'[[numbers]]\nnumber = "{number}"\nqueue = "{queue}"\n')
    lines.append(extra)
    if reconcile_grace is not None:  # sped up, 2 s of grace is a few real milliseconds
        lines.append(f"[plugins.agents]\nreconcile_grace = {reconcile_grace}\n")
    return "\n".join(lines)


def agents(harness: CenterHarness) -> AgentBoard:
    """The running center's agents board."""
    return harness.center.service("agents", AgentBoard)


def board(harness: CenterHarness) -> QueueBoard:
    """The running center's queue board."""
    return harness.center.service("routing", QueueBoard)


async def log_in(harness: CenterHarness, *extensions: str, **phone: Any) -> None:
    """Register the operators' phones, set how they answer, and make them available."""
    for ext in extensions:
        harness.switch.set_phone(ext, **phone)
        await harness.switch.register(ext)
    await harness.wait_for(
        lambda: all(agents(harness).agents[ext].registered for ext in extensions),
        what="phones registered",
    )
    for ext in extensions:
        agents(harness).set_state(ext, AgentState.AVAILABLE, by="test")


def named(harness: CenterHarness, name: str, **fields: Any) -> list[Any]:
    """Recorded events called ``name`` whose fields match ``fields``."""
    return [
        e
        for e in harness.events
        if e.name == name and all(getattr(e, k, None) == v for k, v in fields.items())
    ]
