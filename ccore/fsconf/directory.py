"""The user directory: one domain, one user per operator (and per shared voicemail box).

Each operator's SIP user id is their extension, with a generated password. Operators may call
out only when center.toml says ``outbound_allowed``: the dialplan checks the user's
``toll_allow`` variable for :data:`OUTBOUND_TOLL`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccore.fsconf.core_files import GENERATED
from ccore.fsconf.inputs import RenderInputs, check_no_expansion, plain_text
from ccore.fsconf.sip import DEFAULT_CONTEXT, INTERNAL_PROFILE
from ccore.fsconf.xmlgen import Element, elem, param, preprocess, render_include, variable

if TYPE_CHECKING:
    from ccore.config_schema import Operator


OUTBOUND_TOLL = "ccore_outbound"
DIAL_STRING = (
    "{presence_id=${dialed_user}@${dialed_domain}}"
    f"${{sofia_contact({INTERNAL_PROFILE}/${{dialed_user}}@${{dialed_domain}})}}"
)


def domain_xml(inputs: RenderInputs) -> str:
    """The domain: how ``user/<ext>`` is dialed, and the users of ``directory/default/``."""
    users: list[Element] = []
    if inputs.operators or inputs.mailbox_ids:
        users.append(preprocess("include", "default/*.xml"))
    domain = elem("domain", [("name", "$${domain}")], [
        elem("params", [], [param("dial-string", DIAL_STRING)]),
        elem("variables", [], [variable("record_stereo", "true")]),
        elem("groups", [], [
            elem("group", [("name", "default")], [elem("users", [], users)]),
        ]),
    ])
    return render_include([domain], GENERATED)


def operator_user(inputs: RenderInputs, operator: Operator) -> str:
    """One operator's SIP account: password, caller ID, context, toll rights, voicemail."""
    extension = operator.extension
    params = [param("password", inputs.operator_passwords[extension])]
    if inputs.voicemail_used and operator.email:
        params.append(param("vm-mailto", check_no_expansion("e-mail", operator.email)))
    variables = [
        variable("user_context", DEFAULT_CONTEXT),
        variable("accountcode", extension),
        variable("effective_caller_id_name", plain_text(operator.name)),
        variable("effective_caller_id_number", extension),
        variable("ccore_operator", extension),
    ]
    outbound_caller_id = inputs.outbound_caller_id
    if outbound_caller_id:
        variables.append(variable("outbound_caller_id_number", outbound_caller_id))
    if operator.outbound_allowed:
        variables.append(variable("toll_allow", OUTBOUND_TOLL))
    user = elem("user", [("id", extension)], [
        elem("params", [], params),
        elem("variables", [], variables),
    ])
    return render_include([user], GENERATED)


def mailbox_user(inputs: RenderInputs, box: str) -> str:
    """A shared voicemail box: a user nobody registers as (random password, no phone)."""
    settings = inputs.model.voicemail[box]
    params = [param("password", inputs.mailbox_passwords[box])]
    if settings.email:
        params.append(param("vm-mailto", check_no_expansion("e-mail", settings.email)))
    user = elem("user", [("id", box)], [
        elem("params", [], params),
        elem("variables", [], [
            variable("effective_caller_id_name", plain_text(settings.name)),
            variable("ccore_mailbox", box),
        ]),
    ])
    return render_include([user], GENERATED)


def directory_files(inputs: RenderInputs) -> dict[str, str]:
    """Every directory file by its path relative to the configuration directory."""
    files = {"directory/default.xml": domain_xml(inputs)}
    for operator in inputs.operators:
        files[f"directory/default/{operator.extension}.xml"] = operator_user(inputs, operator)
    for box in inputs.mailbox_ids:
        files[f"directory/default/mailbox-{box}.xml"] = mailbox_user(inputs, box)
    return files
