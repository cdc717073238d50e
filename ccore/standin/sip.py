"""The channel variables mod_sofia sets as SIP messages come and go, at the moments it does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .profile import Q850, SIP_STATUS

if TYPE_CHECKING:
    from .channel import Channel

ACK_DELAY = 0.2
"""Simulated seconds between our 200 OK and the caller's ACK (unless something needs it)."""

# Directory parameters of a stock user (directory/default/1001.xml), applied to its legs.
USER_VARIABLES = (
    ("record_stereo", "true"), ("default_gateway", "example.com"), ("default_areacode", "918"),
    ("transfer_fallback_extension", "operator"), ("toll_allow", "domestic,international,local"),
)  # fmt: skip


def is_sip(channel: Channel) -> bool:
    """Whether the channel is a mod_sofia leg (also one the originate api placed)."""
    return channel.profile.source in ("mod_sofia", "src/switch_ivr_originate.c")


def ack(channel: Channel) -> None:
    """The ACK of our 200 OK arrived: its To tag and CSeq (inbound legs)."""
    if channel.ack_pending and is_sip(channel):
        channel.ack_pending = False
        to_tag = channel.switch.new_uuid().replace("-", "")[:13]
        channel.set_var("sip_to_tag", to_tag)
        for name in ("sip_from_tag", "sip_cseq", "sip_call_id", "sip_full_via",
                     "sip_from_display", "sip_full_from", "sip_full_to"):
            value = "1" if name == "sip_cseq" else channel.get_var(name)
            if name == "sip_full_to" and value and ";tag=" not in value:
                value = f"{value};tag={to_tag}"
            channel.set_var(name, value)


def ringing(leg: Channel) -> None:
    """A 180 Ringing from the phone: the reply's addressing variables."""
    user, port = leg.profile.destination_number, leg.session_id % 1000 + 6000
    a = leg.other
    caller = a.profile.caller_id_number if a is not None else leg.profile.caller_id_number
    name = leg.get_var("origination_caller_id_name") or leg.profile.caller_id_name
    host = "127.0.0.1"
    for k, v in (
        ("sip_local_network_addr", host), ("sip_reply_host", host),
        ("sip_reply_port", str(port)), ("sip_network_ip", host),
        ("sip_network_port", str(port)),
        ("sip_recover_contact", f"<sip:{host}:{port};transport=UDP>"),
        ("sip_full_via", f"SIP/2.0/UDP {host};rport;branch=z9hG4bK{leg.session_id}"),
        ("sip_recover_via", f"SIP/2.0/UDP {host};rport;branch=z9hG4bK{leg.session_id}"),
        ("sip_from_display", name), ("sip_full_from", f'"{name}" <sip:{caller}@{host}>'),
        ("sip_full_to", f"<sip:{user}@{host}:{port}>;tag={leg.session_id}SIPpTag01"),
        ("sip_from_user", caller), ("sip_from_uri", f"{caller}@{host}"), ("sip_from_host", host),
        ("sip_to_user", user), ("sip_to_port", str(port)),
        ("sip_to_uri", f"{user}@{host}:{port}"), ("sip_to_host", host),
        ("sip_contact_params", "transport=UDP"),
        ("sip_contact_user", "nobody"), ("sip_contact_port", str(port)),
        ("sip_contact_uri", f"nobody@{host}:{port}"), ("sip_contact_host", host),
        ("sip_to_tag", f"{leg.session_id}SIPpTag01"), ("sip_from_tag", leg.uuid[:13]),
        ("sip_cseq", str(100_000 + leg.session_id)), ("sip_call_id", leg.uuid),
    ):  # fmt: skip
        leg.set_var(k, v)


def answered(leg: Channel) -> None:
    """After a placed leg answered: its disposition and the directory user's variables."""
    leg.set_var("endpoint_disposition", "ANSWER")
    if leg.get_var("dialed_user"):
        user = leg.profile.destination_number
        for k, v in USER_VARIABLES:
            leg.set_var(k, v)
        for k, v in (
            ("accountcode", user), ("user_context", "default"),
            ("effective_caller_id_name", f"Extension {user}"),
            ("effective_caller_id_number", user), ("outbound_caller_id_name", "FreeSWITCH"),
            ("outbound_caller_id_number", "0000000000"), ("callgroup", "techsupport"),
        ):  # fmt: skip
            leg.set_var(k, v)
    for name in leg.reapply:  # switch_ivr_originate applies its variables to the winner
        value = leg.get_var(name)
        if name == "originate_endpoint" and leg.get_var("dialed_user"):
            value = "user"
        leg.set_var(name, value)
        if name == "originate_endpoint" and leg.other is None:
            flip_caller_id(leg)
    leg.set_var("call_uuid", leg.get_var("call_uuid"))


def flip_caller_id(leg: Channel) -> None:
    """An originate api leg once answered shows the callee as its caller, and vice versa."""
    p = leg.profile
    leg.set_var("pre_transfer_caller_id_name", p.caller_id_name)
    leg.set_var("pre_transfer_caller_id_number", p.caller_id_number)
    leg.set_var("channel_cid_flipped", "yes")
    p.caller_id_name, p.callee_id_name = p.callee_id_name or "", p.caller_id_name
    p.caller_id_number, p.callee_id_number = p.callee_id_number or "", p.caller_id_number


def originated(a: Channel, b: Channel) -> None:
    """The originator's variables once a leg answered (switch_ivr_originate)."""
    entry = f"{b.uuid};Outbound Call;{b.profile.destination_number}"
    if b.get_var("dialed_user"):
        a.set_var("dialed_user", b.get_var("dialed_user"))
        a.set_var("dialed_domain", b.get_var("dialed_domain"))
    a.set_var("originated_legs", f"ARRAY::{entry}|:{entry}")
    a.set_var("switch_m_sdp", b.get_var("switch_r_sdp") or a.get_var("switch_r_sdp"))
    a.set_var("video_media_flow", "inactive")  # the media is renegotiated for the bridge
    a.set_var("text_media_flow", "inactive")
    a.set_var("audio_media_flow", a.get_var("audio_media_flow"))
    a.set_var("originate_causes", f"ARRAY::{b.uuid};NONE|:{b.uuid};NONE")
    a.set_var("originate_disposition", "SUCCESS")
    a.set_var("DIALSTATUS", "SUCCESS")


def before_hangup(channel: Channel, cause: str, remote: bool) -> None:
    """Variables set as the channel hangs up, before CHANNEL_HANGUP is fired."""
    ack(channel)
    peer = channel.bridged_to
    if peer is not None:
        if channel.other_type == "originatee":
            channel.set_var("bridge_to", peer.uuid)
        channel.set_var("last_bridge_to", peer.uuid)
        channel.set_var("bridge_channel", peer.name)
        channel.set_var("bridge_uuid", peer.uuid)
        channel.set_var("signal_bond", peer.uuid)
        callee = peer.profile
        if channel.other_type == "originatee":  # what we last told each phone of the other
            sent = (callee.callee_id_name, callee.destination_number)
        else:
            sent = (channel.profile.caller_id_name, channel.profile.caller_id_number)
        channel.set_var("last_sent_callee_id_name", sent[0])
        channel.set_var("last_sent_callee_id_number", sent[1])
    if not is_sip(channel):
        return
    status = SIP_STATUS.get(cause)
    if remote and status:
        channel.set_var("sip_term_status", status)
        channel.set_var("proto_specific_hangup_cause", f"sip:{status}")
        channel.set_var("sip_term_cause", str(Q850.get(cause, 16)))
    elif not remote and peer is not None and channel.direction == "outbound":
        channel.set_var("sip_hangup_phrase", "OK")
    if peer is not None and channel.other_type == "originatee":
        channel.set_var("last_bridge_role", "originator")
    if peer is not None and not peer.up and channel.other_type == "originator":
        channel.set_var("last_bridge_hangup_cause", peer.hangup_cause)
        channel.set_var("last_bridge_proto_specific_hangup_cause",
                        peer.get_var("proto_specific_hangup_cause") or "sip:200")


def after_hangup(channel: Channel, remote: bool) -> None:
    """Variables set once CHANNEL_HANGUP went out: a BYE that came in."""
    channel.hangup_remote = remote
    if is_sip(channel) and channel.answered and remote:
        channel.set_var("sip_hangup_disposition", "recv_bye")


def hangup_state(channel: Channel) -> None:
    """The channel entered CS_HANGUP: mod_sofia sends its BYE if the hangup was ours."""
    if is_sip(channel) and channel.answered and not channel.hangup_remote:
        channel.set_var("sip_hangup_disposition", "send_bye")
