"""State queries: ``status``, ``show ...`` (the lagging core database) and ``sofia status``."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from .channel import Channel
    from .switch import StandinSwitch

RULE = "=" * 97
_QUOT = {'"': "&quot;"}


def uptime_text(switch: StandinSwitch) -> str:
    """``0 years, 0 days, 1 hour, ...`` as ``switch_core_measure_time`` prints it."""
    micros = int(max(0.0, switch.clock.now() - switch.started_at) * 1_000_000)
    secs, us = divmod(micros, 1_000_000)
    mins, s = divmod(secs, 60)
    hours, m = divmod(mins, 60)
    days, h = divmod(hours, 24)
    years, d = divmod(days, 365)
    parts = [(years, "year"), (d, "day"), (h, "hour"), (m, "minute"), (s, "second"),
             (us // 1000, "millisecond"), (us % 1000, "microsecond")]
    return ", ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts)


def status_text(switch: StandinSwitch) -> str:
    """The ``status`` answer: uptime, sessions since start-up, peaks."""
    live = len(switch.channels)
    return (
        f"UP {uptime_text(switch)}\n"
        "FreeSWITCH (Version 1.10.12-release  64bit) is ready\n"
        f"{switch.sessions_since_start} session(s) since startup\n"
        f"{live} session(s) - peak {switch.peak_sessions}, last 5min {switch.peak_sessions} \n"
        "0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n"
        "1000 session(s) max\n"
        "min idle cpu 0.00/98.67\n"
        "Current Stack Size/Max 240K/8192K\n"
    )


def _visible(switch: StandinSwitch, since: float) -> bool:
    return switch.clock.now() - since >= switch.db_lag


def _channel_row(switch: StandinSwitch, ch: Channel) -> dict[str, str]:
    p = ch.profile
    created = p.times["Channel-Created-Time"] / 1_000_000
    app = ch.app_stack[-1] if ch.app_stack else ""
    return {
        "uuid": ch.uuid, "direction": ch.direction,
        "created": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(created)),
        "created_epoch": str(int(created)), "name": ch.name, "state": ch.running,
        "cid_name": p.caller_id_name, "cid_num": p.caller_id_number,
        "ip_addr": p.network_addr, "dest": p.destination_number, "application": app,
        "application_data": ch.get_var("current_application_data") or "", "dialplan": "XML",
        "context": p.context, "read_codec": "PCMU" if ch.has_media else "",
        "read_rate": "8000" if ch.has_media else "", "read_bit_rate": "64000" if ch.has_media
        else "", "write_codec": "PCMU" if ch.has_media else "",
        "write_rate": "8000" if ch.has_media else "",
        "write_bit_rate": "64000" if ch.has_media else "", "secure": "",
        "hostname": switch.hub.hostname, "presence_id": ch.get_var("presence_id") or "",
        "presence_data": "", "accountcode": "", "callstate": ch.callstate,
        "callee_name": p.callee_id_name or "", "callee_num": p.callee_id_number or "",
        "callee_direction": "", "call_uuid": ch.get_var("call_uuid") or ch.uuid,
        "sent_callee_name": "", "sent_callee_num": "", "initial_cid_name": p.caller_id_name,
        "initial_cid_num": p.caller_id_number, "initial_ip_addr": p.network_addr,
        "initial_dest": p.destination_number, "initial_dialplan": "XML",
        "initial_context": p.context,
    }  # fmt: skip


# the basic_calls view of FreeSWITCH's core database
_CALL_COLUMNS = ("uuid", "direction", "created", "created_epoch", "name", "state", "cid_name",
                 "cid_num", "ip_addr", "dest", "presence_id", "presence_data", "accountcode",
                 "callstate", "callee_name", "callee_num", "callee_direction", "call_uuid",
                 "hostname", "sent_callee_name", "sent_callee_num")  # fmt: skip
_CALL_B_COLUMNS = ("uuid", "direction", "created", "created_epoch", "name", "state",
                   "cid_name", "cid_num", "ip_addr", "dest", "presence_id", "presence_data",
                   "accountcode", "callstate", "callee_name", "callee_num", "callee_direction",
                   "sent_callee_name", "sent_callee_num")  # fmt: skip


def _rows(switch: StandinSwitch, kind: str) -> list[dict[str, str]]:
    channels = [c for c in switch.channels.values()
                if c.up and _visible(switch, c.profile.times["Channel-Created-Time"] / 1e6)]
    if kind == "channels":
        return [_channel_row(switch, c) for c in channels]
    if kind in ("calls", "detailed_calls", "bridged_calls"):
        rows = []
        for c in channels:
            if (c.get_var("call_uuid") or c.uuid) != c.uuid:
                continue  # a b-leg: shown with the call it belongs to
            peer = c.bridged_to
            if kind == "bridged_calls" and peer is None:
                continue
            a = _channel_row(switch, c)
            b = _channel_row(switch, peer) if peer is not None else dict.fromkeys(a, "")
            if kind == "detailed_calls":
                rows.append({**a, **{f"b_{k}": v for k, v in b.items()}})
                continue
            row = {k: a[k] for k in _CALL_COLUMNS}
            row.update({f"b_{k}": b[k] for k in _CALL_B_COLUMNS})
            row["call_created_epoch"] = a["created_epoch"] if peer is not None else ""
            rows.append(row)
        return rows
    if kind == "registrations":
        return [
            {"reg_user": u.user, "realm": switch.domain, "token": u.call_id,
             "url": u.dial_url, "expires": str(int(u.registered_at + u.expires)),
             "network_ip": "127.0.0.1", "network_port": str(u.port), "network_proto": "udp",
             "hostname": switch.hub.hostname, "metadata": ""}
            for u in switch.directory.registered() if _visible(switch, u.registered_at)
        ]  # fmt: skip
    return []


def show(switch: StandinSwitch, args: str) -> str:
    """``show <what> [count] [as json]``."""
    argv = args.split()
    if not argv:
        return "-USAGE: codec|endpoint|application|api|channels|calls|registrations ...\n"
    kind = argv[0].lower()
    as_json = "json" in argv[1:]
    if kind not in ("channels", "calls", "registrations", "detailed_calls", "bridged_calls"):
        return "-ERR Invalid show command\n" if not as_json else '{"row_count": 0}\n'
    rows = _rows(switch, kind)
    if "count" in argv[1:]:
        return f"\n{len(rows)} total.\n"
    if as_json:
        if not rows:
            return '{"row_count": 0}\n'
        return json.dumps({"row_count": len(rows), "rows": rows}, separators=(",", ":"))
    if not rows:
        return "\n0 total.\n"
    head = ",".join(rows[0])
    body = "\n".join(",".join(r.values()) for r in rows)
    return f"{head}\n{body}\n\n{len(rows)} total.\n"


def sofia(switch: StandinSwitch, args: str) -> str:
    """``sofia status [profile internal reg]`` and ``sofia xmlstatus profile internal reg``."""
    argv = args.split()
    users = switch.directory.registered()
    if argv[:1] == ["xmlstatus"] and "reg" in argv:
        return _xml_regs(switch, users)
    if argv[:1] == ["status"] and "reg" in argv:
        lines = ["", "Registrations:", RULE]
        for user in users:
            lines += switch.directory.reg_text(user, switch.hub.hostname)
        lines += [f"Total items returned: {len(users)}", RULE, ""]
        return "\n".join(lines)
    if argv[:1] == ["status"]:
        return (
            f"{'Name':>25}\t{'Type':>10}\t{'Data':>40}\t{'State':>10}\n{RULE}\n"
            f"{'internal':>25}\t{'profile':>10}\tsip:mod_sofia@127.0.0.1:5060\t"
            f"RUNNING ({sum(1 for c in switch.channels.values() if c.up)})\n{RULE}\n"
            "1 profile 0 aliases\n"
        )
    return "-ERR Invalid sofia command\n"


def _xml_regs(switch: StandinSwitch, users: list[Any]) -> str:
    out = ['<?xml version="1.0" encoding="ISO-8859-1"?>', "<profile>", "  <registrations>"]
    for u in users:
        exp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(u.registered_at + u.expires))
        out += [
            "    <registration>", f"        <call-id>{u.call_id}</call-id>",
            f"        <user>{u.user}@{switch.domain}</user>",
            f"        <contact>{escape(u.contact, _QUOT)}</contact>",
            f"        <agent>{u.user_agent}</agent>",
            f"        <status>Registered(UDP)(unknown) exp({exp}) expsecs({u.expires})</status>",
            "        <ping-status>Reachable</ping-status>", "        <ping-time>0.00</ping-time>",
            f"        <host>{switch.hub.hostname}</host>",
            "        <network-ip>127.0.0.1</network-ip>",
            f"        <network-port>{u.port}</network-port>",
            f"        <sip-auth-user>{u.user}</sip-auth-user>",
            f"        <sip-auth-realm>{switch.domain}</sip-auth-realm>",
            f"        <mwi-account>{u.user}@{switch.domain}</mwi-account>",
            "    </registration>",
        ]  # fmt: skip
    out += ["  </registrations>", "</profile>", ""]
    return "\n".join(out)
