"""SIP: sofia.conf.xml and the two profiles, with one gateway per trunk.

- ``internal`` is where operators' phones register. Every INVITE is challenged
  (``auth-calls``, no inbound ACL that would skip the challenge); an authenticated operator's
  calls run in their directory ``user_context`` (``default``).
- ``external`` faces the trunks. Calls from a trunk are not authenticated (``auth-calls``
  false) and so land in the profile's context, ``public``, which only knows the center's
  inbound numbers. Registration and REFER are disabled there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccore.fsconf.core_files import GENERATED
from ccore.fsconf.inputs import RenderInputs, check_no_expansion
from ccore.fsconf.xmlgen import Element, elem, param, preprocess, render_document, render_include

if TYPE_CHECKING:
    from ccore.config_schema import Trunk


INTERNAL_PROFILE = "internal"
EXTERNAL_PROFILE = "external"
PUBLIC_CONTEXT = "public"
DEFAULT_CONTEXT = "default"


def sofia_conf() -> str:
    """mod_sofia's configuration: global settings and every file of ``sip_profiles/``."""
    root = elem("configuration", [("name", "sofia.conf"), ("description", "sofia Endpoint")], [
        elem("global_settings", [], [
            param("log-level", "0"),
            param("debug-presence", "0"),
            param("log-auth-failures", "true"),
        ]),
        elem("profiles", [], [preprocess("include", "../sip_profiles/*.xml")]),
    ])
    return render_document(root, GENERATED)


def _media_params(bind_ip: str, port: str) -> list[Element]:
    return [
        param("sip-ip", bind_ip),
        param("rtp-ip", bind_ip),
        param("sip-port", port),
        # An address or "auto", from center.toml; never a STUN lookup.
        param("ext-rtp-ip", "$${external_rtp_ip}"),
        param("ext-sip-ip", "$${external_sip_ip}"),
        param("inbound-codec-prefs", "$${global_codec_prefs}"),
        param("outbound-codec-prefs", "$${outbound_codec_prefs}"),
        param("inbound-codec-negotiation", "generous"),
        param("inbound-late-negotiation", "true"),
        param("rtp-timer-name", "soft"),
        param("rfc2833-pt", "101"),
        param("dtmf-duration", "2000"),
        param("hold-music", "$${hold_music}"),
        param("rtp-timeout-sec", "300"),
        param("rtp-hold-timeout-sec", "1800"),
        param("local-network-acl", "localnet.auto"),
        param("tls", "false"),
    ]


def internal_profile() -> str:
    """The profile operators' phones register to: every call and subscription authenticated."""
    settings = [
        param("debug", "0"),
        param("sip-trace", "no"),
        param("dialplan", "XML"),
        param("context", DEFAULT_CONTEXT),
        *_media_params("$${internal_bind_ip}", "$${internal_sip_port}"),
        param("apply-nat-acl", "nat.auto"),
        param("auth-calls", "true"),
        param("auth-subscriptions", "true"),
        param("auth-all-packets", "false"),
        param("accept-blind-reg", "false"),
        param("accept-blind-auth", "false"),
        param("inbound-reg-force-matching-username", "true"),
        param("log-auth-failures", "true"),
        param("challenge-realm", "auto_from"),
        param("force-register-domain", "$${domain}"),
        param("force-subscription-domain", "$${domain}"),
        param("force-register-db-domain", "$${domain}"),
        param("manage-presence", "false"),
        param("nonce-ttl", "60"),
    ]
    root = elem("profile", [("name", INTERNAL_PROFILE)], [
        elem("aliases", []),
        elem("gateways", []),
        elem("domains", [], [elem("domain", [("name", "all"), ("alias", "true"),
                                             ("parse", "false")])]),
        elem("settings", [], settings),
    ])
    return render_include([root], GENERATED)


def external_profile(inputs: RenderInputs) -> str:
    """The profile facing the trunks: gateways from center.toml, trunk calls into ``public``."""
    gateways: list[Element] = []
    if inputs.trunks:
        gateways.append(preprocess("include", "external/*.xml"))
    settings = [
        param("debug", "0"),
        param("sip-trace", "no"),
        param("dialplan", "XML"),
        param("context", PUBLIC_CONTEXT),
        *_media_params("$${external_bind_ip}", "$${external_sip_port}"),
        param("auth-calls", "false"),
        param("accept-blind-reg", "false"),
        param("disable-register", "true"),
        param("disable-transfer", "true"),
        param("manage-presence", "false"),
        param("nonce-ttl", "60"),
    ]
    root = elem("profile", [("name", EXTERNAL_PROFILE)], [
        elem("aliases", []),
        elem("gateways", [], gateways),
        elem("domains", []),
        elem("settings", [], settings),
    ])
    return render_include([root], GENERATED)


def gateway(inputs: RenderInputs, trunk: Trunk) -> str:
    """One trunk as a sofia gateway; inbound calls through it run in ``public``."""
    credentials = inputs.trunk_credentials(trunk)
    realm = check_no_expansion(f"trunk {trunk.name} realm", trunk.realm or trunk.proxy)
    params = [
        param("proxy", trunk.proxy),
        param("realm", realm),
        param("username", credentials.username),
        param("password", credentials.password),
        param("register", "true" if trunk.register_ else "false"),
        param("register-transport", trunk.transport),
        param("expire-seconds", str(trunk.expire_seconds)),
        param("retry-seconds", "30"),
        param("caller-id-in-from", "false"),
        # The called number (To user) becomes destination_number, so the inbound number's
        # route in the public context matches.
        param("extension", "auto_to_user"),
        param("context", PUBLIC_CONTEXT),
    ]
    if trunk.from_domain:
        from_domain = check_no_expansion(f"trunk {trunk.name} from_domain", trunk.from_domain)
        params.append(param("from-domain", from_domain))
    root = elem("gateway", [("name", trunk.name)], params)
    return render_include([root], GENERATED)
