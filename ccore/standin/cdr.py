"""The billing variables FreeSWITCH sets when a channel reports (switch_channel_set_timestamps)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .profile import Q850

if TYPE_CHECKING:
    from .channel import Channel

_RTP_COUNTERS: tuple[tuple[str, str], ...] = (
    *((name, "0") for name in (
        "in_raw_bytes", "in_media_bytes", "in_packet_count", "in_media_packet_count",
        "in_skip_packet_count", "in_jitter_packet_count", "in_dtmf_packet_count",
        "in_cng_packet_count", "in_flush_packet_count", "in_largest_jb_size")),
    ("in_jitter_min_variance", "0.00"), ("in_jitter_max_variance", "0.00"),
    ("in_jitter_loss_rate", "0.00"), ("in_jitter_burst_rate", "0.00"),
    ("in_mean_interval", "0.00"), ("in_flaw_total", "0"),
    ("in_quality_percentage", "100.00"), ("in_mos", "4.50"),
    *((name, "0") for name in (
        "out_raw_bytes", "out_media_bytes", "out_packet_count", "out_media_packet_count",
        "out_skip_packet_count", "out_dtmf_packet_count", "out_cng_packet_count",
        "rtcp_packet_count", "rtcp_octet_count")),
)  # fmt: skip


def _stamp(micros: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(micros / 1_000_000))


def timestamp_variables(channel: Channel) -> list[tuple[str, str]]:
    """``hangup_cause``, the ``*_stamp``/``*_epoch`` times and ``duration``, ``billsec``, ..."""
    t = channel.profile.times
    created = t["Channel-Created-Time"]
    answered = t["Channel-Answered-Time"]
    progress = t["Channel-Progress-Time"]
    media = t["Channel-Progress-Media-Time"]
    bridged = t["Channel-Bridged-Time"]
    end = t["Channel-Hangup-Time"] or channel.switch.clock.uepoch()
    cause = channel.hangup_cause or "NORMAL_CLEARING"
    out: list[tuple[str, str]] = [
        ("hangup_cause", cause),
        ("hangup_cause_q850", str(Q850.get(cause, 16))),
        ("digits_dialed", channel.digits_dialed or "none"),
        ("start_stamp", _stamp(created)),
        ("profile_start_stamp", _stamp(created)),
    ]
    for name, value in (("answer", answered), ("bridge", bridged), ("progress", progress),
                        ("progress_media", media)):
        if value:
            out.append((f"{name}_stamp", _stamp(value)))
    out.append(("end_stamp", _stamp(end)))
    epochs = [("start", created), ("profile_start", created), ("answer", answered),
              ("bridge", bridged), ("last_hold", 0)]
    for name, value in epochs:
        out += [(f"{name}_epoch", str(value // 1_000_000)), (f"{name}_uepoch", str(value))]
    out += [("hold_accum_seconds", "0"), ("hold_accum_usec", "0"), ("hold_accum_ms", "0")]
    for name, value in (("resurrect", 0), ("progress", progress), ("progress_media", media),
                        ("end", end)):
        out += [(f"{name}_epoch", str(value // 1_000_000)), (f"{name}_uepoch", str(value))]
    if channel.last_app is not None:
        out += [("last_app", channel.last_app[0]), ("last_arg", channel.last_app[1])]
    p = channel.profile
    out.append(("caller_id", f'"{p.caller_id_name}" <{p.caller_id_number}>'))
    spans = {
        "duration": end - created,
        "bill": end - answered if answered else 0,
        "progress": progress - created if progress else 0,
        "answer": answered - created if answered else 0,
        "wait": bridged - created if bridged else 0,
        "progress_media": media - created if media else 0,
        "flow_bill": end - created if answered else 0,
    }

    def name(key: str, unit: str) -> str:
        if key == "duration":
            return {"sec": "duration", "msec": "mduration", "usec": "uduration"}[unit]
        return f"{key}{unit}"

    for unit, div in (("sec", 1_000_000), ("msec", 1_000), ("usec", 1)):
        out += [(name(k, unit), str(max(0, v) // div)) for k, v in spans.items()]
    return out


def rtp_variables(channel: Channel) -> list[tuple[str, str]]:
    """The RTP statistics mod_sofia reports for a channel that had media."""
    if not channel.has_media:
        return []
    return [(f"rtp_audio_{k}", v) for k, v in _RTP_COUNTERS]
