"""Feature codes: operators change state by dialing ``*21`` (login), ``*22`` + reason, ...

``feature_for`` turns a dialed destination into a ``FeatureRequest`` (the route
``feature:<action>[:<reason digits>]``); ``apply_feature`` makes the change on the board, or
says why not; ``handle_feature_call`` answers the operator's call, changes the state, plays a
short confirmation (or refusal) tone and hangs up.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ccore.config_schema import FeatureCodes
from ccore.switch import CallGone, SwitchError

from .board import AgentBoard, AgentState

if TYPE_CHECKING:
    from ccore.core import Center
    from ccore.model import Channel

_LOGGER = logging.getLogger(__name__)

ROUTE_KIND = "feature"
ACTIONS = ("login", "logout", "break", "back", "wrap_up_done")
AUTH_USER_VARIABLE = "sip_auth_username"  # who the phone authenticated as (kept by the model)
CONFIRM_TONE = "tone_stream://%(200,0,800)"
REFUSE_TONE = "tone_stream://%(150,100,400);%(150,0,300)"


@dataclass(frozen=True)
class FeatureRequest:
    """What an operator asked for by dialing a feature code."""

    action: str  # login, logout, break, back or wrap_up_done
    reason: str = ""  # for break: the reason digits dialed after the code ("" when none)

    @property
    def route(self) -> str:
        """The route the dispatcher announces: ``feature:<action>[:<reason digits>]``."""
        tail = f":{self.reason}" if self.reason else ""
        return f"{ROUTE_KIND}:{self.action}{tail}"


@dataclass(frozen=True)
class FeatureOutcome:
    """Whether a feature code was carried out, and what to tell the log."""

    ok: bool
    message: str


def feature_for(destination: str, codes: FeatureCodes) -> FeatureRequest | None:
    """The feature dialed as ``destination``, or None if it is no feature code.

    The break code may be followed by reason digits (``*222`` is break with reason 2); any
    other code must match exactly.
    """
    for action, code in codes.codes().items():
        if action == "break":
            rest = destination[len(code):]
            if destination.startswith(code) and (rest == "" or rest.isdigit()):
                return FeatureRequest("break", rest)
        elif destination == code:
            return FeatureRequest(action)
    return None


def operator_of(channel: Channel | None) -> str:
    """The extension a feature call comes from: the phone's SIP login, else its caller ID.

    The authenticated user cannot be spoofed by a phone the way its caller ID can.
    """
    if channel is None:
        return ""
    return channel.variables.get(AUTH_USER_VARIABLE) or channel.caller_number


def parse_route(route: str) -> FeatureRequest | None:
    """The request in a ``feature:...`` route, or None for another kind of route."""
    kind, _, rest = route.partition(":")
    if kind != ROUTE_KIND:
        return None
    action, _, reason = rest.partition(":")
    return FeatureRequest(action, reason)


def apply_feature(
    board: AgentBoard, extension: str, request: FeatureRequest, break_reasons: Mapping[str, str]
) -> FeatureOutcome:
    """Carry out a feature code for the operator on ``extension``, or refuse it."""
    agent = board.agents.get(extension)
    if agent is None:
        return FeatureOutcome(False, f"{extension or 'an unknown caller'} is not an operator")
    state = agent.state
    try:
        if request.action == "login":
            if state in (AgentState.LOGGED_OUT, AgentState.ON_BREAK):  # else: already working
                board.set_state(extension, AgentState.AVAILABLE, "login", by="phone")
            return FeatureOutcome(True, "logged in")
        if request.action == "logout":
            board.set_state(extension, AgentState.LOGGED_OUT, "logout", by="phone")
            return FeatureOutcome(True, "logged out")
        if request.action == "break":
            if request.reason and request.reason not in break_reasons:
                known = ", ".join(f"{d} ({n})" for d, n in sorted(break_reasons.items()))
                return FeatureOutcome(
                    False, f"unknown break reason {request.reason!r} (known: {known or 'none'})"
                )
            name = break_reasons.get(request.reason, "") if request.reason else ""
            board.set_state(extension, AgentState.ON_BREAK, name, by="phone")
            return FeatureOutcome(True, f"on break ({agent.reason})")
        if request.action == "back":
            if state is AgentState.LOGGED_OUT:
                return FeatureOutcome(False, "logged out: dial the login code instead")
            board.set_state(extension, AgentState.AVAILABLE, "back", by="phone")
            return FeatureOutcome(True, "available")
        if request.action == "wrap_up_done":
            if board.end_wrap_up(extension, by="phone") or state is AgentState.AVAILABLE:
                return FeatureOutcome(True, "wrap-up done")
            return FeatureOutcome(False, f"not in wrap-up (is {state})")
    except ValueError as err:
        return FeatureOutcome(False, str(err))
    return FeatureOutcome(False, f"unknown feature {request.action!r}")


async def handle_feature_call(
    center: Center, board: AgentBoard, call_uuid: str, request: FeatureRequest
) -> FeatureOutcome | None:
    """Answer an operator's feature-code call, change the state, play a tone and hang up.

    Returns the outcome, or None when the caller hung up before the call was answered (then
    nothing is changed).
    """
    extension = operator_of(center.calls.channels.get(call_uuid))
    try:
        await center.switch.answer(call_uuid)
    except (CallGone, SwitchError) as err:
        _LOGGER.info("Feature call %s from %s gone before answer: %s", call_uuid, extension, err)
        return None
    outcome = apply_feature(board, extension, request, center.config.model.break_reasons)
    if outcome.ok:
        _LOGGER.info("Feature %s from %s: %s", request.route, extension, outcome.message)
    else:
        _LOGGER.warning("Feature %s from %s refused: %s", request.route, extension, outcome.message)
    with contextlib.suppress(CallGone, SwitchError):
        await center.switch.play(call_uuid, CONFIRM_TONE if outcome.ok else REFUSE_TONE)
    with contextlib.suppress(CallGone, SwitchError):
        await center.switch.hangup(call_uuid, "NORMAL_CLEARING")
    return outcome
