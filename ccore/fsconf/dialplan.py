"""The dialplan: ``public`` for callers from the trunks, ``default`` for operators' phones.

Every call ccore handles goes to it through the outbound socket
(``socket <host:port> async full``). When that socket cannot connect, or ccore closes it
before bridging the call, FreeSWITCH goes on with the next action of the extension: that is
where each route keeps its fallback, so no caller hears dead air while ccore is down.

Files are plain FreeSWITCH dialplan XML (``<include><context><extension><condition>
<action>``) with no ``$${...}`` preprocessor variables, so a simple parser (the stand-in
switch) can read them as they are.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from ccore.fsconf.core_files import GENERATED
from ccore.fsconf.directory import OUTBOUND_TOLL
from ccore.fsconf.inputs import (
    DEFAULT_FALLBACK_MESSAGE,
    DEFAULT_REFUSED_MESSAGE,
    RINGBACK,
    RenderInputs,
    plain_text,
)
from ccore.fsconf.sip import DEFAULT_CONTEXT, PUBLIC_CONTEXT
from ccore.fsconf.xmlgen import Comment, Element, elem, render_include

if TYPE_CHECKING:
    from ccore.config_schema import Fallback, Number


log = logging.getLogger(__name__)

DOMAIN = "${domain_name}"
OPERATOR_RING_SECONDS = 30


def action(application: str, data: str | None = None) -> Element:
    """``<action application=".." data=".."/>``."""
    attrs = [("application", application)]
    if data is not None:
        attrs.append(("data", data))
    return elem("action", attrs)


def condition(field: str, expression: str, children: list[Element | Comment]) -> Element:
    """``<condition field=".." expression="..">`` holding actions."""
    return elem("condition", [("field", field), ("expression", expression)], children)


def extension(name: str, *conditions: Element, continue_: bool = False) -> Element:
    """An extension; with ``continue_`` the dialplan keeps hunting after it matched."""
    attrs = [("name", name)]
    if continue_:
        attrs.append(("continue", "true"))
    return elem("extension", attrs, list(conditions))


def exact(digits: str) -> str:
    """A regular expression matching exactly ``digits`` (``*`` and ``+`` escaped)."""
    return f"^{re.escape(digits)}$"


def number_expression(number: str) -> str:
    """Match an inbound number with or without its leading ``+`` (trunks differ)."""
    return f"^\\+?{re.escape(number.lstrip('+'))}$"


def user_target(extension_id: str) -> str:
    """The dial string of one operator's phone."""
    return f"user/{extension_id}@{DOMAIN}"


# --- public: callers from the trunks ---------------------------------------------------------


def _ring_group(inputs: RenderInputs, fallback: Fallback) -> list[str]:
    known = inputs.operator_extensions
    if fallback.ring == "all":
        return known
    return sorted(ext for ext in fallback.ring if ext in known)


def fallback_actions(inputs: RenderInputs, number: Number) -> list[Element | Comment]:
    """What a caller gets when ccore is unreachable or lets go of the call before a bridge."""
    fallback = number.fallback
    actions: list[Element | Comment] = [
        Comment("Fallback: reached only when ccore is unreachable or drops the call unbridged."),
        action("set", "ccore_fallback=true"),
        action("answer"),
        action("playback", inputs.sound(fallback.message) if fallback.message
               else DEFAULT_FALLBACK_MESSAGE),
    ]
    ring = _ring_group(inputs, fallback)
    if ring:
        targets = ",".join(user_target(ext) for ext in ring)
        actions += [
            action("set", f"transfer_ringback={RINGBACK}"),
            action("bridge", f"{{originate_timeout={fallback.ring_timeout},"
                             f"ignore_early_media=true}}{targets}"),
        ]
    if fallback.voicemail and inputs.voicemail_used:
        box = inputs.model.voicemail.get(fallback.voicemail)
        if box is not None and box.greeting:
            actions.append(action("playback", inputs.sound(box.greeting)))
        actions += [
            action("set", "skip_greeting=true"),
            action("set", "skip_instructions=true"),
            action("voicemail", f"default {DOMAIN} {fallback.voicemail}"),
        ]
    else:
        actions.append(action("playback", DEFAULT_REFUSED_MESSAGE))
    actions.append(action("hangup", "NO_ANSWER"))
    return actions


def inbound_number_extension(inputs: RenderInputs, number: Number) -> Element:
    """An inbound number: mark the call, hand it to ccore, then the fallback."""
    actions: list[Element | Comment] = [
        action("set", "outside_call=true"),
        action("set", f"ccore_number={number.number}"),
    ]
    if number.name:
        actions.append(action("set", f"ccore_number_name={plain_text(number.name)}"))
    if number.trunk:
        actions.append(action("set", f"ccore_trunk={number.trunk}"))
    actions += [
        # Safe defaults ccore may override per call: a failed bridge to an operator must not
        # hang the caller up, and a finished conversation ends the call.
        action("set", "continue_on_fail=true"),
        action("set", "hangup_after_bridge=true"),
        action("socket", inputs.socket_target),
        *fallback_actions(inputs, number),
    ]
    name = f"ccore-number-{number.number.lstrip('+')}"
    return extension(name, condition("destination_number", number_expression(number.number),
                                     actions))


def public_context(inputs: RenderInputs) -> str:
    """Callers from the trunks: each inbound number to ccore; anything else is unallocated."""
    numbers = sorted(inputs.model.numbers, key=lambda number: number.number)
    extensions: list[Element | Comment] = [
        *(inbound_number_extension(inputs, number) for number in numbers),
        extension("ccore-unknown-number",
                  condition("destination_number", "^.*$",
                            [action("hangup", "UNALLOCATED_NUMBER")])),
    ]
    context = elem("context", [("name", PUBLIC_CONTEXT)], extensions)
    return render_include([context], GENERATED)


# --- default: operators' phones --------------------------------------------------------------


def _to_ccore(inputs: RenderInputs, variables: list[tuple[str, str]]) -> list[Element | Comment]:
    actions: list[Element | Comment] = [action("set", f"{key}={value}") for key, value in variables]
    actions += [
        action("socket", inputs.socket_target),
        Comment("ccore is unreachable: tell the operator with an error tone."),
        action("answer"),
        action("playback", DEFAULT_REFUSED_MESSAGE),
        action("hangup", "NORMAL_TEMPORARY_FAILURE"),
    ]
    return actions


def feature_code_extensions(inputs: RenderInputs) -> list[Element]:
    """Log in, log out, break (with a reason digit), back, wrap-up done: all to ccore."""
    codes = inputs.model.feature_codes.codes()
    result: list[Element] = []
    for feature in ("login", "logout", "back", "wrap_up_done"):
        code = codes[feature]
        result.append(extension(
            f"ccore-feature-{feature}",
            condition("destination_number", exact(code),
                      _to_ccore(inputs, [("ccore_feature", feature)])),
        ))
    break_code = codes["break"]
    for digit, reason in sorted(inputs.model.break_reasons.items()):
        result.append(extension(
            f"ccore-feature-break-{digit}",
            condition("destination_number", exact(break_code + digit), _to_ccore(inputs, [
                ("ccore_feature", "break"),
                ("ccore_break_reason", digit),
                ("ccore_break_reason_name", plain_text(reason)),
            ])),
        ))
    result.append(extension(
        "ccore-feature-break",
        condition("destination_number", exact(break_code),
                  _to_ccore(inputs, [("ccore_feature", "break")])),
    ))
    return result


def operator_extensions(inputs: RenderInputs) -> list[Element]:
    """Operator to operator: dialing an extension rings that operator's phone."""
    result: list[Element] = []
    for ext in inputs.operator_extensions:
        actions: list[Element | Comment] = [
            action("set", "ccore_internal_call=true"),
            action("set", f"call_timeout={OPERATOR_RING_SECONDS}"),
            action("set", "continue_on_fail=true"),
            action("set", "hangup_after_bridge=true"),
            action("bridge", user_target(ext)),
        ]
        if inputs.voicemail_used:
            actions += [action("answer"), action("voicemail", f"default {DOMAIN} {ext}")]
        actions.append(action("hangup", "NO_ANSWER"))
        result.append(extension(f"ccore-operator-{ext}",
                                condition("destination_number", exact(ext), actions)))
    return result


def _bridge_out(inputs: RenderInputs, trunk: str) -> list[Element | Comment]:
    actions: list[Element | Comment] = [action("set", "ccore_outbound_call=true")]
    caller_id = inputs.outbound_caller_id
    if caller_id:
        actions.append(action("set", f"effective_caller_id_number={caller_id}"))
    actions += [
        action("set", "hangup_after_bridge=true"),
        action("bridge", f"sofia/gateway/{trunk}/${{destination_number}}"),
    ]
    return actions


def emergency_extensions(inputs: RenderInputs) -> list[Element]:
    """Emergency numbers: every operator may dial them, first, whatever else is configured."""
    trunk = inputs.outbound_trunk
    if trunk is None:
        if inputs.model.dialing.emergency:
            log.warning("[dialing] emergency numbers are set but there is no trunk to call"
                        " them through")
        return []
    return [
        extension(f"ccore-emergency-{number.lstrip('+')}",
                  condition("destination_number", number_expression(number),
                            _bridge_out(inputs, trunk)))
        for number in sorted(set(inputs.model.dialing.emergency))
    ]


def allowed_outbound_extensions(inputs: RenderInputs) -> list[Element]:
    """The ``[dialing] allowed`` patterns, only for operators with ``outbound_allowed``."""
    trunk = inputs.outbound_trunk
    if trunk is None:
        return []
    return [
        extension(
            f"ccore-outbound-{index}",
            condition("${toll_allow}", f"(^|,){OUTBOUND_TOLL}(,|$)", []),
            condition("destination_number", pattern, _bridge_out(inputs, trunk)),
        )
        for index, pattern in enumerate(inputs.allowed_patterns, start=1)
    ]


def default_context(inputs: RenderInputs) -> str:
    """Operators' calls: feature codes, colleagues, allowed outbound numbers; nothing else."""
    extensions: list[Element | Comment] = [
        *emergency_extensions(inputs),
        *feature_code_extensions(inputs),
        *operator_extensions(inputs),
        *allowed_outbound_extensions(inputs),
        Comment("Anything else is refused: no open dialing."),
        extension("ccore-refuse",
                  condition("destination_number", "^.*$", [
                      action("answer"),
                      action("playback", DEFAULT_REFUSED_MESSAGE),
                      action("hangup", "CALL_REJECTED"),
                  ])),
    ]
    context = elem("context", [("name", DEFAULT_CONTEXT)], extensions)
    return render_include([context], GENERATED)


def dialplan_files(inputs: RenderInputs) -> dict[str, str]:
    """Every dialplan file by its path relative to the configuration directory."""
    return {
        "dialplan/default.xml": default_context(inputs),
        "dialplan/public.xml": public_context(inputs),
    }
