"""The state snapshot the control API serves: switch, operators, queues, calls, plugins.

Operators come from the agents plugin's board (service ``"agents"``) and queues from the
routing plugin's board (service ``"routing"``). When a service is missing the snapshot says so
(``services``) and shows what the core itself knows (operators from center.toml, with their
phone's registration), never invented figures.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ccore.control.protocol import jsonable
from ccore.model import ChannelState

if TYPE_CHECKING:
    from ccore.core import Center


def plugins_of(center: Center) -> list[dict[str, Any]]:
    """Every plugin with its version, state and, for one that is not running, why."""
    return [
        {
            "name": record.name,
            "version": record.version,
            "state": str(record.state.value),
            "reason": record.reason,
            "depends_on": list(record.depends_on),
        }
        for _, record in sorted(center.plugins.records.items())
    ]


def _agent(agent: Any, registrations: dict[str, Any]) -> dict[str, Any]:
    extension = str(getattr(agent, "extension", ""))
    registered = getattr(agent, "registered", None)
    return {
        "extension": extension,
        "name": getattr(agent, "name", ""),
        "state": str(jsonable(getattr(agent, "state", "unknown"))),
        "state_since": getattr(agent, "state_since", None),
        "reason": getattr(agent, "reason", "") or "",
        "registered": extension in registrations if registered is None else bool(registered),
        "call_uuid": getattr(agent, "call_uuid", None),
        "calls_today": getattr(agent, "calls_today", 0),
        "skills": dict(getattr(agent, "skills", {}) or {}),
    }


def agents_of(center: Center) -> list[dict[str, Any]]:
    """Operators with their state (from the agents board) or, without it, from center.toml."""
    registrations = center.calls.registrations
    board = center.services.get("agents")
    if board is not None and isinstance(getattr(board, "agents", None), dict):
        agents = [_agent(agent, registrations) for agent in board.agents.values()]
        for operator in center.config.model.operators:  # added while the center runs
            if operator.extension not in board.agents:
                agents.append(
                    {
                        "extension": operator.extension,
                        "name": operator.name,
                        "state": "not_loaded",
                        "state_since": None,
                        "reason": "the agents plugin takes new operators when ccore restarts",
                        "registered": operator.extension in registrations,
                        "call_uuid": None,
                        "calls_today": None,
                        "skills": dict(operator.skills),
                    }
                )
    else:
        agents = [
            {
                "extension": operator.extension,
                "name": operator.name,
                "state": "unknown",
                "state_since": None,
                "reason": "",
                "registered": operator.extension in registrations,
                "call_uuid": None,
                "calls_today": None,
                "skills": dict(operator.skills),
            }
            for operator in center.config.model.operators
        ]
    return sorted(agents, key=lambda agent: agent["extension"])


def calls_of(center: Center, agents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Callers on the switch right now (inbound legs), with the operator they talk to."""
    by_call = {agent["call_uuid"]: agent["extension"] for agent in agents if agent["call_uuid"]}
    channels = center.calls.channels
    calls = []
    for channel in channels.values():
        if channel.direction != "inbound" or channel.state is ChannelState.HUNGUP:
            continue
        agent = by_call.get(channel.uuid) or by_call.get(channel.bridged_to or "")
        if agent is None and channel.bridged_to in channels:
            agent = channels[channel.bridged_to].destination or None
        calls.append(
            {
                "uuid": channel.uuid,
                "caller_number": channel.caller_number,
                "caller_name": channel.caller_name,
                "destination": channel.variables.get("ccore_number") or channel.destination,
                "state": channel.state.value,
                "since": channel.created_at,
                "answered_at": channel.answered_at,
                "agent": agent,
            }
        )
    return sorted(calls, key=lambda call: call["since"] or 0)


def routing_of(center: Center) -> dict[str, Any] | None:
    """The routing board's snapshot as JSON, or None when the routing service is missing."""
    board = center.services.get("routing")
    snapshot = getattr(board, "snapshot", None)
    if not callable(snapshot):
        return None
    data = jsonable(snapshot())
    return data if isinstance(data, dict) else {"queues": data}


def queues_of(routing: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """Per-queue figures from the routing snapshot (a list, each with its ``name``)."""
    if routing is None:
        return None
    queues = routing.get("queues", [])
    if isinstance(queues, dict):
        queues = [{"name": name, **(value or {})} for name, value in queues.items()]
    return list(queues or [])


def with_new_queues(center: Center, queues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the queues of center.toml the routing board does not have yet (added while running)."""
    known = {queue.get("name") for queue in queues}
    added = [
        {"name": queue.name, "display_name": queue.display_name or queue.name, "not_loaded": True}
        for queue in center.config.model.queues
        if queue.name not in known
    ]
    return queues + added


def where_calls_are(routing: dict[str, Any] | None) -> dict[str, str]:
    """Call UUID -> ``"support (waiting)"`` / ``"support"`` from the routing snapshot."""
    where: dict[str, str] = {}
    for queue in queues_of(routing) or []:
        for caller in queue.get("waiting") or []:
            if isinstance(caller, dict) and caller.get("call_uuid"):
                where[caller["call_uuid"]] = f"{queue.get('name')} (waiting)"
    for call in (routing or {}).get("calls") or []:
        if isinstance(call, dict) and call.get("call_uuid"):
            where[call["call_uuid"]] = str(call.get("queue", ""))
    return where


def build_snapshot(center: Center, recordings: dict[str, str] | None = None) -> dict[str, Any]:
    """The whole live state, as plain JSON values (``recordings``: call -> file, via the API)."""
    agents = agents_of(center)
    routing = routing_of(center)
    queues = queues_of(routing)
    calls = calls_of(center, agents)
    where = where_calls_are(routing)
    for call in calls:
        call["queue"] = where.get(call["uuid"])
    return {
        "at": time.time(),
        "center": {
            "name": center.config.model.center.name,
            "timezone": center.config.model.center.timezone,
        },
        "switch": {"connected": center.switch.connected},
        "services": {
            "agents": "agents" in center.services,
            "routing": queues is not None,
        },
        "agents": agents,
        "queues": with_new_queues(center, queues) if queues is not None else [],
        "calls": calls,
        "registrations": sorted(center.calls.registrations),
        "recordings": dict(recordings or {}),
        "plugins": plugins_of(center),
    }
