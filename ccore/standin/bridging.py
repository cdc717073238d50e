"""Placing legs to phones (originate) and bridging two channels."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

from . import sip as sipvars
from .profile import CallerProfile, sip_originate_variables, sip_outbound_variables

if TYPE_CHECKING:
    from .channel import Channel
    from .switch import StandinSwitch

OUTGOING = ("switch_core_session.c", "switch_core_session_outgoing_channel", 768)
CREATE = ("switch_core_state_machine.c", "switch_core_session_run", 626)
ORIGINATE = ("switch_core_state_machine.c", "switch_core_session_run", 632)
BRIDGE = ("switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1689)
UNBRIDGE = ("switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1879)
DIALSTATUS = {"USER_BUSY": "BUSY", "NO_ANSWER": "NOANSWER", "ORIGINATOR_CANCEL": "CANCEL",
              "NO_USER_RESPONSE": "NOANSWER", "SUCCESS": "ANSWER"}  # fmt: skip


def parse_dialstring(text: str) -> tuple[dict[str, str], list[list[str]]]:
    """``{a=b,c=d}t1,t2|t3`` -> the variables and the failover groups of targets."""
    text = text.strip()
    variables: dict[str, str] = {}
    while text[:1] in ("{", "<"):
        close = "}" if text[0] == "{" else ">"
        end = text.find(close)
        if end < 0:
            break
        variables.update(_parse_vars(text[1:end]))
        text = text[end + 1 :].strip()
    groups = []
    for group in text.split("|"):
        targets = [t.strip() for t in group.split(",") if t.strip()]
        if targets:
            groups.append(targets)
    return variables, groups


def _parse_vars(text: str) -> dict[str, str]:
    out = {}
    for part in re.split(r",(?=[^,=]+=)", text):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip().strip("'")
    return out


def _leg_vars(target: str) -> tuple[dict[str, str], str]:
    if target.startswith("["):
        end = target.find("]")
        return _parse_vars(target[1:end]), target[end + 1 :]
    return {}, target


def resolve(switch: StandinSwitch, target: str) -> tuple[str | None, str | None]:
    """Which phone a dial target reaches: (user, None) or (None, failure cause)."""
    directory = switch.directory
    if target.startswith("user/"):
        user = target[5:].split("@")[0]
        if not directory.exists(user):
            return None, "SUBSCRIBER_ABSENT"
        sip = directory.users.get(user)
        if sip is None or not sip.registered:
            return None, "USER_NOT_REGISTERED"
        return user, None
    if target.startswith("error/"):
        return None, target[6:].upper()
    if target.startswith("sofia/gateway/"):
        number = target.split("/", 3)[3].split("@")[0]
        return f"external:{number}", None
    if target.startswith("sofia/"):
        rest = target.split("/", 2)[2].removeprefix("sip:")
        user = rest.split("@")[0]
        sip = directory.users.get(user)
        if sip is not None and sip.registered:
            return user, None
        if sip is None and "@" in rest and not rest.split("@")[1].startswith("127.0.0.1"):
            return f"external:{user}", None
        return None, "NO_USER_RESPONSE"
    return None, "CHAN_NOT_IMPLEMENTED"


def make_leg(
    switch: StandinSwitch, user: str, variables: dict[str, str], originator: Channel | None,
    cid_name: str, cid_number: str,
) -> Channel:
    """Create the outgoing leg to a phone and fire OUTGOING, CREATE and ORIGINATE."""
    from .channel import Channel

    external = user.startswith("external:")
    name = user.removeprefix("external:")
    sip = switch.directory.user(name) if not external else None
    port = sip.port if sip else 5080
    domain = switch.domain if not external else "gateway"
    leg_uuid = variables.get("origination_uuid") or switch.new_uuid()
    session_id = switch.next_session_id()
    channel_name = (f"sofia/internal/{name}@127.0.0.1:{port}" if not external
                    else f"sofia/gateway/{name}")
    api_leg = originator is None
    profile = CallerProfile(
        direction="outbound", username=None if api_leg else originator.profile.username,
        caller_id_name=cid_name, caller_id_number=cid_number, destination_number=name,
        uuid=leg_uuid, channel_name=channel_name,
        context="default" if api_leg else originator.profile.context,
        callee_id_name="Outbound Call", callee_id_number=name,
        dialplan=None if api_leg else "XML", network_addr=None if api_leg else "127.0.0.1",
        source="src/switch_ivr_originate.c" if api_leg else "mod_sofia",
    )
    profile.times["Profile-Created-Time"] = profile.times["Channel-Created-Time"] = (
        switch.clock.uepoch()
    )
    if originator is not None:
        profile.orig_caller_id_name = originator.profile.orig_caller_id_name
        profile.orig_caller_id_number = originator.profile.orig_caller_id_number
        profile.ani = originator.profile.ani
    leg = Channel(switch, profile, [], session_id=session_id)
    leg.phone = name
    switch.channels[leg.uuid] = leg
    if originator is not None:
        leg.other, leg.other_type = originator, "originator"
        leg.other_profile = originator.profile.snapshot(zero_times=True)
        leg.running, leg.state = "CS_NONE", "CS_INIT"
        leg.fire("CHANNEL_OUTGOING", OUTGOING)
    if originator is None:
        base = sip_originate_variables(leg_uuid, session_id, name, domain, port, variables)
    else:
        names = originator.get_var("export_vars")
        exported = [("export_vars", names)] if names else []
        exported += [(k, v) for k in (names or "").split(",")
                     if k and (v := originator.get_var(k)) is not None]
        base = sip_outbound_variables(
            leg_uuid, session_id, name, domain, port, originator.uuid,
            m_sdp=originator.get_var("switch_r_sdp"),
            call_uuid=originator.get_var("call_uuid") or originator.uuid, dial=variables,
            exported=exported,
        )
    for k, v in base:
        leg.set_var(k, v)
    if originator is None:
        leg.reapply = [*variables, "originate_early_media", "originate_endpoint"]
    else:
        leg.reapply = ["max_forwards", "originator_codec", "originator",
                       *(k for k, _ in exported), *variables, "originate_early_media",
                       "originating_leg_uuid", "originate_endpoint"]
    leg.set_running("CS_INIT")
    leg.state = "CS_ROUTING"
    leg.fire("CHANNEL_CREATE", CREATE)
    leg.fire("CHANNEL_ORIGINATE", ORIGINATE)
    leg.set_running("CS_ROUTING")
    leg.set_running("CS_CONSUME_MEDIA")
    return leg


async def _ring(switch: StandinSwitch, leg: Channel, user: str, timeout: float,
                originator: Channel | None) -> str:
    """Play the phone's part: busy, ring then answer, or ring until the timeout."""
    name = user.removeprefix("external:")
    behaviour = switch.phone_behaviour(name)
    sip = switch.directory.users.get(name)
    busy = behaviour.busy or (
        sip is not None and len([c for c in sip.calls if c.up]) >= behaviour.max_calls
    )
    if sip is not None:
        sip.calls.append(leg)
    await leg.wait(0.02)
    if busy:
        leg.hangup("USER_BUSY", remote=True)
        return "USER_BUSY"
    sipvars.ringing(leg)
    leg.ring()
    if originator is not None and not originator.profile.times["Channel-Progress-Time"]:
        originator.profile.times["Channel-Progress-Time"] = leg.profile.times[
            "Channel-Progress-Time"]

    def cancelled() -> bool:
        return originator is not None and not originator.up

    ring = behaviour.ring_seconds if behaviour.answers else timeout
    if originator is not None:
        originator.watchers.add(leg)
    try:
        await leg.wait(min(ring, timeout), until=cancelled)
    finally:
        if originator is not None:
            originator.watchers.discard(leg)
    if cancelled():
        leg.hangup("ORIGINATOR_CANCEL")
        return "ORIGINATOR_CANCEL"
    if not leg.up:
        return leg.hangup_cause or "NORMAL_CLEARING"
    if not behaviour.answers or behaviour.ring_seconds >= timeout:
        leg.hangup("NO_ANSWER")
        return "NO_ANSWER"
    if leg.profile.network_addr is None:
        leg.profile.network_addr = "127.0.0.1"  # the 200 OK's source
    leg.answer()
    if originator is not None:
        originator.profile.callee_id_name = "Outbound Call"
        originator.profile.callee_id_number = name
        if leg.other_profile is not None:
            leg.other_profile.callee_id_name = "Outbound Call"
            leg.other_profile.callee_id_number = name
        leg.fire("CHANNEL_OUTGOING", OUTGOING)
    if behaviour.talk_seconds is not None:
        switch.spawn(_talk_then_hangup(leg, behaviour.talk_seconds))
    return "SUCCESS"


async def _talk_then_hangup(leg: Channel, seconds: float) -> None:
    await leg.wait(seconds, until=lambda: False)
    if leg.up and leg.redirect is None:
        leg.hangup("NORMAL_CLEARING", remote=True)


async def originate(
    switch: StandinSwitch, dialstring: str, *, originator: Channel | None = None,
    cid_name: str | None = None, cid_number: str | None = None, timeout: float | None = None,
) -> tuple[Channel | None, str]:
    """Place legs for a dial string; returns (the answered leg, "SUCCESS") or (None, cause)."""
    variables, groups = parse_dialstring(dialstring)
    if originator is not None:
        cid_name = cid_name or originator.profile.caller_id_name
        cid_number = cid_number or originator.profile.caller_id_number
    cid_name = variables.get("origination_caller_id_name", cid_name or "FreeSWITCH")
    cid_number = variables.get("origination_caller_id_number", cid_number or "0000000000")
    if timeout is None:
        source = variables.get("originate_timeout") or variables.get("call_timeout")
        if source is None and originator is not None:
            source = originator.get_var("call_timeout") or originator.get_var("originate_timeout")
        timeout = float(source) if source else 60.0
    causes: list[str] = []
    for group in groups or [[]]:
        legs: list[tuple[Channel, asyncio.Task[str]]] = []
        for target in group:
            leg_vars, target = _leg_vars(target)
            user, cause = resolve(switch, target)
            if user is None:
                causes.append(cause or "CHAN_NOT_IMPLEMENTED")
                continue
            leg_timeout = float(leg_vars.get("leg_timeout", timeout))
            leg = make_leg(switch, user, {**variables, **leg_vars}, originator, cid_name,
                           cid_number)
            leg.start(route=False, idle=True)
            legs.append((leg, switch.spawn(_ring(switch, leg, user, leg_timeout, originator))))
        winner = await _first_answer(legs, causes)
        if winner is not None:
            if originator is not None:
                sipvars.originated(originator, winner)
            return winner, "SUCCESS"
        if originator is not None and not originator.up:
            break
    cause = causes[-1] if causes else "NO_ROUTE_DESTINATION"
    if originator is not None and not originator.up:
        cause = "ORIGINATOR_CANCEL"
    _set_disposition(originator, cause, causes)
    return None, cause


async def _first_answer(legs: list[tuple[Channel, asyncio.Task[str]]],
                        causes: list[str]) -> Channel | None:
    pending = {task: leg for leg, task in legs}
    while pending:
        done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            leg = pending.pop(task)
            result = task.result()
            if result == "SUCCESS" and leg.up:
                for other in pending.values():
                    other.hangup("LOSE_RACE")
                return leg
            causes.append(result if result != "SUCCESS" else "NORMAL_CLEARING")
    return None


def _set_disposition(originator: Channel | None, cause: str, causes: list[str]) -> None:
    """The originator's variables after every leg failed."""
    if originator is None:
        return
    originator.set_var("originate_disposition", cause)
    originator.set_var("DIALSTATUS", DIALSTATUS.get(cause, cause))
    if causes:
        originator.set_var("originate_causes", "|".join(causes))
    originator.set_var("originate_failed_cause", cause)


async def bridge(a: Channel, b: Channel, *, hangup_other: bool = False) -> None:
    """Bridge ``a`` (the originator) with ``b`` until one hangs up or ``a`` is redirected."""
    clock = a.switch.clock
    if not a.answered:
        a.answer()
    a.set_callstate("ACTIVE")
    a.other, a.other_type = b, "originatee"
    a.other_profile = b.profile.snapshot(logical="inbound")
    b.other, b.other_type = a, "originator"
    if b.other_profile is None:
        b.other_profile = a.profile.snapshot(zero_times=True)
    a.profile.callee_id_name = b.profile.callee_id_name or b.profile.caller_id_name
    a.profile.callee_id_number = b.profile.destination_number
    now = clock.uepoch()
    a.profile.times["Channel-Bridged-Time"] = b.profile.times["Channel-Bridged-Time"] = now
    a.bridged_to, b.bridged_to = b, a
    sipvars.ack(a)
    a.set_var("signal_bond", b.uuid)
    b.set_running("CS_EXCHANGE_MEDIA")
    pair = [("Bridge-A-Unique-ID", a.uuid), ("Bridge-B-Unique-ID", b.uuid)]
    a.fire("CHANNEL_BRIDGE", BRIDGE, pre=pair)
    def b_left() -> bool:
        # b's own pending redirect into this very bridge (uuid_bridge) is not b leaving it.
        joining = b.redirect is not None and b.redirect[0] == "bridge" and b.redirect[1] is a
        return not b.up or (b.redirect is not None and not joining)

    await a.wait(None, until=b_left)
    b_first = not b.up
    if not a.up or a.redirect is not None or hangup_other:
        b.hangup("NORMAL_CLEARING")
    a.bridged_to = b.bridged_to = None
    a.set_var("bridge_to", None)
    cause = b.hangup_cause or "NORMAL_CLEARING"
    a.set_var("bridge_hangup_cause", cause)
    b.pending_bridge_cause = a.hangup_cause or cause
    if b_first:
        a.set_var("last_bridge_hangup_cause", cause)
        after = (a.get_var("hangup_after_bridge") or "").lower() == "true"
        if a.up and (after or hangup_other):
            a.hangup("NORMAL_CLEARING")
    a.fire("CHANNEL_UNBRIDGE", UNBRIDGE, pre=pair)


async def hold_bridge(channel: Channel, peer: Channel, *, originator: bool) -> None:
    """A channel's part in ``uuid_bridge``: the originator runs the bridge, the peer waits."""
    if originator:
        await bridge(channel, peer, hangup_other=True)
    else:
        await channel.wait(None, until=lambda: not peer.up)
