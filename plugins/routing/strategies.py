"""Who may take a waiting caller, and in which order operators are tried (pure functions).

Eligibility: the operator is in the queue (its tiers, or every operator when it has none)
within the tiers open to the caller so far, and has every required skill at the required level
(the queue's skills plus the IVR option's, relaxed or replaced by escalation steps the caller's
wait has crossed). Order: lower tier first, then the queue's strategy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ccore.config_schema import Queue


class Operator(Protocol):
    """What the strategies read of an operator (the agents plugin's ``Agent``)."""

    extension: str
    skills: dict[str, int]
    idle_since: float
    last_offered_at: float
    calls_today: int


@dataclass(frozen=True)
class Requirement:
    """What an operator needs to be offered a caller right now."""

    skills: Mapping[str, int]
    max_tier: int  # operators in tiers 1..max_tier (ignored when the queue has no tiers)
    step: int  # how many escalation steps apply (0: none yet)


def required_skills(queue: Queue, caller_skills: Mapping[str, int] | None) -> dict[str, int]:
    """The queue's required skills merged with the caller's (the higher level wins)."""
    merged = dict(queue.skills)
    for skill, level in (caller_skills or {}).items():
        merged[skill] = max(level, merged.get(skill, 0))
    return merged


def requirement(
    queue: Queue, caller_skills: Mapping[str, int] | None, waited: float
) -> Requirement:
    """The requirement after ``waited`` seconds: escalation steps widen it, never narrow it."""
    skills = required_skills(queue, caller_skills)
    relax = 0
    tier = 1
    step_count = 0
    for step in queue.escalation:
        if waited < step.after:
            break
        step_count += 1
        if step.skills is not None:
            skills = dict(step.skills)
        relax = max(relax, step.relax_by)
        if step.tier is not None:
            tier = max(tier, step.tier)
    if relax:
        skills = {skill: max(1, level - relax) for skill, level in skills.items()}
    return Requirement(skills, tier, step_count)


def next_escalation(queue: Queue, waited: float) -> float | None:
    """Seconds of wait at which the next escalation step applies (None: no more steps)."""
    for step in queue.escalation:
        if waited < step.after:
            return float(step.after)
    return None


def tier_of(queue: Queue, extension: str) -> int | None:
    """The operator's tier in the queue (1 is the first); None if not in the queue."""
    if not queue.tiers:
        return 1
    for index, members in enumerate(queue.tiers, start=1):
        if extension in members:
            return index
    return None


def has_skills(agent_skills: Mapping[str, int], needed: Mapping[str, int]) -> bool:
    """Whether an operator has every needed skill at the needed level or above."""
    return all(agent_skills.get(skill, 0) >= level for skill, level in needed.items())


def skill_score(agent_skills: Mapping[str, int], needed: Mapping[str, int]) -> int:
    """How well an operator matches: the sum of their levels in the needed skills."""
    return sum(agent_skills.get(skill, 0) for skill in needed)


def eligible(queue: Queue, need: Requirement, agents: Iterable[Operator]) -> list[Operator]:
    """The operators who may be offered the caller now (any order)."""
    found = []
    for agent in agents:
        tier = tier_of(queue, agent.extension)
        if tier is None or tier > need.max_tier:
            continue
        if has_skills(agent.skills, need.skills):
            found.append(agent)
    return found


def order(queue: Queue, need: Requirement, agents: Sequence[Operator]) -> list[Operator]:
    """The eligible operators in the order the queue's strategy tries them."""
    strategy = queue.strategy

    def key(agent: Operator) -> tuple[float, ...]:
        tier = float(tier_of(queue, agent.extension) or 1)
        if strategy == "round-robin":
            return (tier, agent.last_offered_at, agent.idle_since)
        if strategy == "fewest-calls":
            return (tier, float(agent.calls_today), agent.idle_since)
        if strategy == "skills":
            return (tier, -float(skill_score(agent.skills, need.skills)), agent.idle_since)
        return (tier, agent.idle_since)  # longest-idle and ring-all

    return sorted(agents, key=lambda agent: (*key(agent), agent.extension))


def choose(
    queue: Queue,
    need: Requirement,
    agents: Iterable[Operator],
    avoid: frozenset[str] | set[str] = frozenset(),
) -> list[Operator]:
    """Operators to ring for the caller now: one (or every one for ring-all), maybe none.

    ``avoid`` holds operators who already missed this caller: they are tried again only
    when nobody else may take the call.
    """
    candidates = eligible(queue, need, agents)
    if not candidates:
        return []
    fresh = [agent for agent in candidates if agent.extension not in avoid]
    ranked = order(queue, need, fresh or candidates)
    if queue.strategy == "ring-all":
        best_tier = tier_of(queue, ranked[0].extension)
        return [agent for agent in ranked if tier_of(queue, agent.extension) == best_tier]
    return ranked[:1]
