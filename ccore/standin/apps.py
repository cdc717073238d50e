"""Dialplan applications (mod_dptools and friends) as the stand-in runs them.

Each application is ``async def app(channel, data) -> str | None``; the return value is
the ``Application-Response`` of CHANNEL_EXECUTE_COMPLETE (None: ``_none_``).
"""

from __future__ import annotations

import math
import re
import shlex
import time
import uuid as uuidlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import bridging, sip
from .media import file_type, play_seconds
from .recording import start_recording

if TYPE_CHECKING:
    from .channel import Channel

App = Callable[["Channel", str], Awaitable[str | None]]
APPLICATIONS: dict[str, App] = {}

PLAY_START = ("switch_ivr_play_say.c", "switch_ivr_play_file", 1646)
PLAY_STOP = ("switch_ivr_play_say.c", "switch_ivr_play_file", 2020)
PARK = ("switch_ivr.c", "switch_ivr_park", 1002)
UNPARK = ("switch_ivr.c", "switch_ivr_park", 1213)


def application(name: str) -> Callable[[App], App]:
    """Register an application under its dialplan name."""

    def register(func: App) -> App:
        APPLICATIONS[name] = func
        return func

    return register


async def play_file(channel: Channel, path: str, terminators: str = "") -> str:
    """``switch_ivr_play_file``: PLAYBACK_START, the file's length, PLAYBACK_STOP.

    Stops early (status ``break``) on a digit when ``terminators`` is not empty. Returns
    ``FILE PLAYED``, ``FILE NOT FOUND`` or ``PLAYBACK ERROR`` (channel gone).
    """
    if not channel.up:
        return "PLAYBACK ERROR"
    seconds = play_seconds(path, channel.switch.sounds_dir)
    if seconds is None:
        return "FILE NOT FOUND"
    if not channel.has_media:
        channel.pre_answer()
    sip.ack(channel)
    kind = file_type(path)
    head = ([("Playback-File-Type", kind)] if kind else []) + [("Playback-File-Path", path)]
    channel.fire("PLAYBACK_START", PLAY_START, post=head)
    started = channel.switch.clock.now()
    limit = None if math.isinf(seconds) else seconds
    finished = await channel.wait(limit, digits=bool(terminators), breakable=True)
    played = min(seconds, channel.switch.clock.now() - started)
    samples = int(played * 8000)
    channel.set_var("playback_last_offset_pos", str(samples))
    channel.set_var("playback_seconds", str(int(played)))
    channel.set_var("playback_ms", str(int(played * 1000)))
    channel.set_var("playback_samples", str(samples))
    status = "done" if finished else "break"
    channel.fire("PLAYBACK_STOP", PLAY_STOP, post=[*head, ("Playback-Status", status)])
    return "FILE PLAYED" if channel.up else "PLAYBACK ERROR"


@application("answer")
async def answer(channel: Channel, data: str) -> str | None:
    """Answer the call."""
    channel.answer()
    return None


@application("pre_answer")
async def pre_answer(channel: Channel, data: str) -> str | None:
    """Send early media."""
    channel.pre_answer()
    return None


@application("ring_ready")
async def ring_ready(channel: Channel, data: str) -> str | None:
    """Indicate ringing."""
    channel.set_callstate("RINGING")
    return None


@application("playback")
async def playback(channel: Channel, data: str) -> str | None:
    """Play a file; digits in ``playback_terminators`` stop it."""
    terminators = channel.get_var("playback_terminators") or ""
    if terminators == "none":
        terminators = ""
    result = await play_file(channel, data, terminators)
    if terminators and channel.dtmf and channel.dtmf[0] in terminators + "any":
        channel.dtmf.popleft()
    return result


@application("play_and_get_digits")
async def play_and_get_digits(channel: Channel, data: str) -> str | None:
    """``min max tries timeout terminators file invalid_file var regexp [digit_timeout]``."""
    args = data.split(" ")
    if len(args) < 5:
        return None
    lo, hi, tries, timeout = (int(x) for x in args[:4])
    terminators = args[4]
    prompt = args[5] if len(args) > 5 else ""
    invalid = args[6] if len(args) > 6 else ""
    var = args[7] if len(args) > 7 else "pagd_input"
    regexp = args[8] if len(args) > 8 else ""
    digit_timeout = int(args[9]) if len(args) > 9 and args[9].isdigit() else timeout
    result = "timeout"
    # switch_ivr_read clears both before collecting: no stale answer from an earlier menu.
    channel.set_var("read_result", None)
    channel.set_var(var, None)
    for _ in range(max(tries, 1)):
        if not channel.up:
            break
        if prompt and not channel.dtmf:
            await play_file(channel, prompt, "any")
        digits, result = await collect_digits(channel, hi, terminators, timeout, digit_timeout)
        if result == "hangup":
            break
        if len(digits) >= lo and (not regexp or re.search(regexp, digits) is not None):
            channel.set_var("read_result", "success")
            channel.set_var(var, digits)
            channel.set_var(f"{var}_invalid", None)
            return None
        result = "failure" if digits else "timeout"
        if digits:
            channel.set_var(f"{var}_invalid", digits)
        if invalid and channel.up:
            await play_file(channel, invalid, "any")
    channel.set_var("read_result", result if result != "hangup" else "failure")
    return None


async def collect_digits(channel: Channel, most: int, terminators: str, first_ms: int,
                         next_ms: int) -> tuple[str, str]:
    """Read up to ``most`` digits: (digits, "success" | "timeout" | "hangup")."""
    digits = ""
    wait_ms = first_ms
    while len(digits) < most:
        if not channel.dtmf:
            await channel.wait(wait_ms / 1000.0, digits=True)
        if not channel.up:
            return digits, "hangup"
        if not channel.dtmf:
            return digits, "timeout"
        digit = channel.dtmf.popleft()
        if digit in terminators:
            return digits, "success"
        digits += digit
        channel.digits_dialed += digit
        wait_ms = next_ms
    return digits, "success"


@application("set")
async def set_app(channel: Channel, data: str) -> str | None:
    """``var=value`` (an empty value unsets)."""
    name, _, value = data.partition("=")
    channel.set_var(name.strip(), value or None)
    return None


@application("unset")
async def unset_app(channel: Channel, data: str) -> str | None:
    """Remove a variable."""
    channel.set_var(data.strip(), None)
    return None


@application("export")
async def export_app(channel: Channel, data: str) -> str | None:
    """Set a variable and mark it to be copied to legs this channel originates."""
    name, _, value = data.partition("=")
    local = not name.startswith("nolocal:")
    name = name.removeprefix("nolocal:").strip()
    if local:
        channel.set_var(name, value or None)
    names = [n for n in (channel.get_var("export_vars") or "").split(",") if n]
    if name not in names:
        names.append(name)
    channel.set_var("export_vars", ",".join(names))
    return None


@application("sleep")
async def sleep_app(channel: Channel, data: str) -> str | None:
    """Wait ``data`` milliseconds."""
    try:
        ms = float(data or 0)
    except ValueError:
        ms = 0.0
    await channel.wait(ms / 1000.0)
    return None


@application("hangup")
async def hangup_app(channel: Channel, data: str) -> str | None:
    """Hang up with the given cause (default NORMAL_CLEARING)."""
    channel.hangup((data.strip() or "NORMAL_CLEARING").upper())
    return None


@application("park")
async def park(channel: Channel, data: str) -> str | None:
    """Park: CHANNEL_PARK, run queued messages until hangup or transfer, CHANNEL_UNPARK."""
    channel.fire("CHANNEL_PARK", PARK)
    await channel.wait(None)
    channel.fire("CHANNEL_UNPARK", UNPARK)
    return None


@application("transfer")
async def transfer(channel: Channel, data: str) -> str | None:
    """``dest [dialplan] [context]``: leave the extension and route ``dest``."""
    parts = data.split()
    if parts:
        channel.interrupt(("transfer", parts[0], parts[2] if len(parts) > 2 else None))
    return None


@application("bridge")
async def bridge_app(channel: Channel, data: str) -> str | None:
    """Call the dial string and bridge; on failure set ``originate_disposition`` and friends."""
    if not channel.up:
        return None
    if channel.answered:
        channel.set_callstate("RING_WAIT")
    leg, cause = await bridging.originate(channel.switch, data, originator=channel)
    if leg is None:
        if channel.up and channel.answered:
            channel.set_callstate("ACTIVE")
        handle_cause(channel, cause)
        return None
    await bridging.bridge(channel, leg)
    return None


def handle_cause(channel: Channel, cause: str) -> None:
    """``switch_channel_handle_cause``: hang up unless ``continue_on_fail`` allows the cause."""
    if not channel.up:
        return
    allowed = (channel.get_var("continue_on_fail") or "").strip()
    if allowed.lower() == "true":
        return
    from .profile import Q850

    names = {x.strip().upper() for x in allowed.split(",") if x.strip()}
    if cause in names or str(Q850.get(cause, -1)) in names:
        return
    channel.hangup(cause)


@application("socket")
async def socket_app(channel: Channel, data: str) -> str | None:
    """Hand the call to an outbound ESL controller (see ``outbound``)."""
    from .outbound import run_socket

    await run_socket(channel, data)
    return None


@application("voicemail")
async def voicemail(channel: Channel, data: str) -> str | None:
    """``[check] <profile> <domain> <id>``: greet, beep, record a message until hangup."""
    parts = shlex.split(data)
    if not parts or parts[0] == "check":
        return None
    box = parts[-1]
    channel.answer()
    await play_file(channel, "voicemail/vm-person.wav")
    await play_file(channel, "tone_stream://%(1000,0,800)")
    if not channel.up:
        return None
    base = channel.switch.recordings_dir / "voicemail" / channel.switch.domain / box
    path = str(base / f"msg_{uuidlib.uuid4()}.wav")
    if start_recording(channel, path, float(channel.get_var("vm_max_record_len") or 180)):
        channel.set_var("voicemail_file_path", path)
        await channel.wait(float(channel.get_var("vm_max_record_len") or 180))
        recording = channel.recordings.get(path)
        if recording is not None:
            recording.stop(channel)
        channel.switch.voicemails.append((box, path, time.time()))
    channel.hangup("NORMAL_CLEARING")
    return None


@application("record_session")
async def record_session(channel: Channel, data: str) -> str | None:
    """Record the whole call to a file."""
    path = data.split()[0] if data else ""
    if path and not Path(path).is_absolute():
        path = str(channel.switch.recordings_dir / path)
    if path:
        start_recording(channel, path)
    return None


@application("eavesdrop")
async def eavesdrop(channel: Channel, data: str) -> str | None:
    """Listen in on another call until it or this channel ends."""
    target = channel.switch.channels.get(data.strip())
    if target is None:
        return None
    channel.answer()
    target.watchers.add(channel)
    try:
        await channel.wait(None, until=lambda: not target.up)
    finally:
        target.watchers.discard(channel)
    channel.set_var("last_sent_callee_id_name", target.profile.caller_id_name)
    channel.set_var("last_sent_callee_id_number", target.profile.caller_id_number)
    for name in ("read_codec", "read_rate"):  # its own codec is restored at the end
        channel.set_var(name, channel.get_var(name))
    return None


@application("log")
async def log_app(channel: Channel, data: str) -> str | None:
    """Write a log line (no effect on the call)."""
    return None


@application("info")
async def info_app(channel: Channel, data: str) -> str | None:
    """Dump the channel to the log (no effect on the call)."""
    return None


@application("echo")
async def echo(channel: Channel, data: str) -> str | None:
    """Echo the caller's audio until hangup."""
    channel.answer()
    await channel.wait(None)
    return None
