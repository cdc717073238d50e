"""Caller profiles and the channel-variable sets mod_sofia gives a SIP channel."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

STATE_NUMBERS = {
    "CS_NEW": 0, "CS_INIT": 1, "CS_ROUTING": 2, "CS_SOFT_EXECUTE": 3, "CS_EXECUTE": 4,
    "CS_EXCHANGE_MEDIA": 5, "CS_PARK": 6, "CS_CONSUME_MEDIA": 7, "CS_HIBERNATE": 8,
    "CS_RESET": 9, "CS_HANGUP": 10, "CS_REPORTING": 11, "CS_DESTROY": 12, "CS_NONE": 13,
}  # fmt: skip
CALLSTATE_NUMBERS = {
    "DOWN": 0, "DIALING": 1, "RINGING": 2, "EARLY": 3, "ACTIVE": 4, "HELD": 5,
    "RING_WAIT": 6, "HANGUP": 7, "UNHELD": 8,
}  # fmt: skip
Q850 = {
    "NORMAL_CLEARING": 16, "USER_BUSY": 17, "NO_USER_RESPONSE": 18, "NO_ANSWER": 19,
    "SUBSCRIBER_ABSENT": 20, "CALL_REJECTED": 21, "UNALLOCATED_NUMBER": 1,
    "NO_ROUTE_DESTINATION": 3, "ORIGINATOR_CANCEL": 487, "USER_NOT_REGISTERED": 606,
    "LOSE_RACE": 502, "MANAGER_REQUEST": 503, "NORMAL_TEMPORARY_FAILURE": 41,
    "DESTINATION_OUT_OF_ORDER": 27, "INVALID_NUMBER_FORMAT": 28, "SYSTEM_SHUTDOWN": 503,
    "ALLOTTED_TIMEOUT": 602, "MEDIA_TIMEOUT": 604, "NORMAL_UNSPECIFIED": 31,
}  # fmt: skip
SIP_STATUS = {"NORMAL_CLEARING": "200", "USER_BUSY": "486", "NO_ANSWER": "480",
              "ORIGINATOR_CANCEL": "487", "CALL_REJECTED": "603"}  # fmt: skip

_TIMES = ("Profile-Created-Time", "Channel-Created-Time", "Channel-Answered-Time",
          "Channel-Progress-Time", "Channel-Progress-Media-Time", "Channel-Hangup-Time",
          "Channel-Transfer-Time", "Channel-Resurrect-Time", "Channel-Bridged-Time",
          "Channel-Last-Hold", "Channel-Hold-Accum")  # fmt: skip


@dataclass
class CallerProfile:
    """``switch_caller_profile_t``: who calls whom, and the channel's time stamps (µs)."""

    direction: str
    username: str | None
    caller_id_name: str
    caller_id_number: str
    destination_number: str
    uuid: str
    channel_name: str
    context: str = "default"
    dialplan: str | None = "XML"
    network_addr: str | None = "127.0.0.1"
    source: str = "mod_sofia"
    callee_id_name: str | None = None
    callee_id_number: str | None = None
    profile_index: int = 1
    times: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.orig_caller_id_name = self.caller_id_name
        self.orig_caller_id_number = self.caller_id_number
        self.ani = self.caller_id_number
        self.logical_direction = self.direction
        for name in _TIMES:
            self.times.setdefault(name, 0)

    def snapshot(self, *, zero_times: bool = False, logical: str | None = None) -> CallerProfile:
        """A copy, as FreeSWITCH keeps of the other leg (``Other-Leg-*``)."""
        times = dict.fromkeys(self.times, 0) if zero_times else dict(self.times)
        copy = replace(self, times=times)
        copy.orig_caller_id_name = self.orig_caller_id_name
        copy.orig_caller_id_number = self.orig_caller_id_number
        copy.ani = self.ani
        copy.logical_direction = logical or self.logical_direction
        return copy

    def headers(self, prefix: str, *, with_index: bool = True) -> list[tuple[str, str]]:
        """The profile as ``switch_caller_profile_event_set_data`` writes it."""
        out: list[tuple[str, str | None]] = [
            ("Direction", self.direction),
            ("Logical-Direction", self.logical_direction),
            ("Username", self.username),
            ("Dialplan", self.dialplan),
            ("Caller-ID-Name", self.caller_id_name),
            ("Caller-ID-Number", self.caller_id_number),
            ("Orig-Caller-ID-Name", self.orig_caller_id_name),
            ("Orig-Caller-ID-Number", self.orig_caller_id_number),
        ]
        if self.callee_id_name is not None:
            out.append(("Callee-ID-Name", self.callee_id_name))
            out.append(("Callee-ID-Number", self.callee_id_number or ""))
        out += [
            ("Network-Addr", self.network_addr),
            ("ANI", self.ani),
            ("Destination-Number", self.destination_number),
            ("Unique-ID", self.uuid),
            ("Source", self.source),
            ("Context", self.context),
            ("Channel-Name", self.channel_name),
        ]
        if with_index:
            out.append(("Profile-Index", str(self.profile_index)))
        out += [(name, str(self.times[name])) for name in _TIMES]
        out += [
            ("Screen-Bit", "true"),
            ("Privacy-Hide-Name", "false"),
            ("Privacy-Hide-Number", "false"),
        ]
        return [(f"{prefix}-{k}", v) for k, v in out if v is not None]


def sip_inbound_variables(
    uuid: str, session_id: int, caller: str, caller_name: str, dest: str, host: str,
    port: int, call_id: str, stamp: int, subject: str | None = None,
) -> list[tuple[str, str]]:
    """The variables mod_sofia sets on an incoming INVITE, in its order."""
    tag = f"{call_id.split('@')[0]}SIPpTag09"
    return [
        ("direction", "inbound"), ("uuid", uuid), ("call_uuid", uuid),
        ("session_id", str(session_id)), ("sip_from_user", caller),
        ("sip_from_port", str(port)), ("sip_from_uri", f"{caller}@{host}:{port}"),
        ("sip_from_host", host), ("video_media_flow", "disabled"),
        ("audio_media_flow", "disabled"), ("text_media_flow", "disabled"),
        ("channel_name", f"sofia/internal/{caller}@{host}:{port}"), ("sip_call_id", call_id),
        ("sip_local_network_addr", host), ("sip_network_ip", host),
        ("sip_network_port", str(port)), ("sip_invite_stamp", str(stamp)),
        ("sip_received_ip", host), ("sip_received_port", str(port)),
        ("sip_via_protocol", "udp"), ("sip_from_user_stripped", caller),
        ("sip_from_tag", tag), ("sofia_profile_name", "internal"),
        ("sofia_profile_url", f"sip:mod_sofia@{host}:5060"),
        ("recovery_profile_name", "internal"),
        ("sip_full_via", f"SIP/2.0/UDP {host}:{port};branch=z9hG4bK-{session_id}-1-0"),
        ("sip_from_display", caller_name),
        ("sip_full_from", f'"{caller_name}" <sip:{caller}@{host}:{port}>;tag={tag}'),
        ("sip_full_to", f"<sip:{dest}@{host}:5060>"), ("sip_req_user", dest),
        ("sip_req_port", "5060"), ("sip_req_uri", f"{dest}@{host}:5060"),
        ("sip_req_host", host), ("sip_to_user", dest), ("sip_to_port", "5060"),
        ("sip_to_uri", f"{dest}@{host}:5060"), ("sip_to_host", host),
        ("sip_contact_user", caller), ("sip_contact_port", str(port)),
        ("sip_contact_uri", f"{caller}@{host}:{port}"), ("sip_contact_host", host),
        ("rtp_use_codec_string", "OPUS,G722,PCMU,PCMA,H264,VP8"),
        *([("sip_subject", subject)] if subject else []),
        ("sip_via_host", host), ("sip_via_port", str(port)), ("max_forwards", "70"),
        ("presence_id", f"{caller}@{host}"),
        ("switch_r_sdp", _sdp("user1", host, 17000)),
        ("ep_codec_string", "CORE_PCM_MODULE.PCMU@8000h@20i@64000b"),
        ("endpoint_disposition", "DELAYED NEGOTIATION"),
    ]  # fmt: skip


def sip_outbound_variables(
    uuid: str, session_id: int, user: str, domain: str, port: int, originator: str,
    *, m_sdp: str | None, call_uuid: str, dial: dict[str, str],
    exported: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    """The variables of a leg a ``bridge`` places to a registered user, in mod_sofia's order.

    ``dial``: the dial string's ``{...}`` variables; ``exported``: the originator's
    ``export_vars`` (``export_vars`` itself first).
    """
    out = [
        ("direction", "outbound"), ("is_outbound", "true"), ("uuid", uuid),
        ("session_id", str(session_id)), ("sip_local_network_addr", "127.0.0.1"),
        ("sip_profile_name", "internal"), ("text_media_flow", "disabled"),
        ("channel_name", f"sofia/internal/{user}@127.0.0.1:{port}"),
        ("sip_destination_url", f"sip:{user}@127.0.0.1:{port}"), ("max_forwards", "69"),
    ]  # fmt: skip
    out += [("originator_codec", "PCMU@8000h@20i"), ("originator", originator),
            ("signal_bond", originator)]  # fmt: skip
    if m_sdp:
        out.append(("switch_m_sdp", m_sdp))
    out += [("call_uuid", call_uuid), *dial.items(), ("dialed_user", user),
            ("dialed_domain", domain), *exported, ("sip_invite_domain", domain),
            ("presence_id", f"{user}@{domain}"), ("originate_early_media", "true"),
            ("originating_leg_uuid", originator)]  # fmt: skip
    out += [
        ("originate_endpoint", "sofia"), ("rtp_use_codec_string", "PCMU@8000h@20i"),
        ("local_media_ip", "127.0.0.1"), ("local_media_port", str(20000 + session_id * 2)),
        ("advertised_media_ip", "127.0.0.1"), ("audio_media_flow", "sendrecv"),
        ("video_media_flow", "inactive"),
        ("rtp_local_sdp_str", _sdp("FreeSWITCH", "127.0.0.1", 20000 + session_id * 2)),
        ("sip_outgoing_contact_uri", "<sip:mod_sofia@127.0.0.1:5060>"),
        ("sip_req_uri", f"{user}@127.0.0.1:{port}"), ("sip_to_host", f"127.0.0.1:{port}"),
        ("sip_from_host", domain), ("sofia_profile_name", "internal"),
        ("recovery_profile_name", "internal"),
        ("sofia_profile_url", "sip:mod_sofia@127.0.0.1:5060"),
    ]  # fmt: skip
    return out


def sip_originate_variables(
    uuid: str, session_id: int, user: str, domain: str, port: int, extra: dict[str, str],
) -> list[tuple[str, str]]:
    """The variables of a leg the ``originate`` api places to a registered user."""
    return [
        ("direction", "outbound"), ("is_outbound", "true"), ("uuid", uuid),
        ("call_uuid", uuid), ("session_id", str(session_id)),
        ("sip_local_network_addr", "127.0.0.1"), ("sip_profile_name", "internal"),
        ("video_media_flow", "disabled"), ("text_media_flow", "disabled"),
        ("channel_name", f"sofia/internal/{user}@127.0.0.1:{port}"),
        ("sip_destination_url", f"sip:{user}@127.0.0.1:{port}"), *extra.items(),
        ("dialed_user", user), ("dialed_domain", domain), ("sip_invite_domain", domain),
        ("presence_id", f"{user}@{domain}"), ("originate_early_media", "true"),
        ("originate_endpoint", "sofia"),
        ("rtp_use_codec_string", "OPUS,G722,PCMU,PCMA,H264,VP8"),
        ("local_media_ip", "127.0.0.1"), ("local_media_port", str(20000 + session_id * 2)),
        ("advertised_media_ip", "127.0.0.1"), ("audio_media_flow", "sendrecv"),
        ("rtp_local_sdp_str", _sdp("FreeSWITCH", "127.0.0.1", 20000 + session_id * 2)),
        ("sip_outgoing_contact_uri", "<sip:mod_sofia@127.0.0.1:5060>"),
        ("sip_req_uri", f"{user}@127.0.0.1:{port}"), ("sip_to_host", f"127.0.0.1:{port}"),
        ("sip_from_host", domain), ("sofia_profile_name", "internal"),
        ("recovery_profile_name", "internal"),
        ("sofia_profile_url", "sip:mod_sofia@127.0.0.1:5060"),
    ]  # fmt: skip


def media_variables(
    session_id: int, *, inbound: bool, bridged_leg: bool = False
) -> list[tuple[str, str]]:
    """The variables set when media is negotiated (answer or pre-answer)."""
    out = [] if inbound else [
        ("switch_r_sdp", _sdp("user1", "127.0.0.1", 16000 + session_id * 2)),
        ("ep_codec_string", "CORE_PCM_MODULE.PCMU@8000h@20i@64000b"),
    ]
    out += [
        ("rtp_use_codec_string",
         "PCMU@8000h@20i" if bridged_leg else "OPUS,G722,PCMU,PCMA,H264,VP8"),
        ("remote_video_media_flow", "inactive"), ("remote_text_media_flow", "inactive"),
        ("remote_audio_media_flow", "sendrecv"),
        *([("audio_media_flow", "sendrecv")] if inbound else []), ("rtp_audio_recv_pt", "0"),
        ("rtp_use_codec_name", "PCMU"),
        ("rtp_use_codec_rate", "8000"), ("rtp_use_codec_ptime", "20"),
        ("rtp_use_codec_channels", "1"), ("rtp_last_audio_codec_string", "PCMU@8000h@20i@1c"),
        ("read_codec", "PCMU"), ("original_read_codec", "PCMU"), ("read_rate", "8000"),
        ("original_read_rate", "8000"), ("write_codec", "PCMU"), ("write_rate", "8000"),
        ("dtmf_type", "rfc2833"), ("local_media_ip", "127.0.0.1"),
        ("local_media_port", str(20000 + session_id * 2)), ("advertised_media_ip", "127.0.0.1"),
    ]  # fmt: skip
    out += [
        ("rtp_use_timer_name", "soft"), ("rtp_use_pt", "0"),
        ("rtp_use_ssrc", str(1_000_000_000 + session_id)), ("rtp_2833_send_payload", "101"),
        ("rtp_2833_recv_payload", "101"), ("remote_media_ip", "127.0.0.1"),
        ("remote_media_port", str(16000 + session_id * 2)),
    ]  # fmt: skip
    return out


def sip_answer_variables(session_id: int) -> list[tuple[str, str]]:
    """What an inbound SIP leg gets when its 200 OK goes out: our SDP and the disposition."""
    return [("rtp_local_sdp_str", _sdp("FreeSWITCH", "127.0.0.1", 20000 + session_id * 2))]


def _sdp(owner: str, host: str, port: int) -> str:
    return (
        f"v=0\r\no={owner} 53655765 2353687637 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\n"
        f"t=0 0\r\nm=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n"
    )
