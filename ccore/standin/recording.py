"""``uuid_record`` and friends: a media bug that writes a real WAV file when it stops."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import sip
from .media import write_wav

if TYPE_CHECKING:
    from .channel import Channel

log = logging.getLogger(__name__)

START = ("switch_ivr_async.c", "record_callback", 1481)
STOP = ("switch_ivr_async.c", "send_record_stop_event", 1240)
BUG_START = ("switch_core_media_bug.c", "switch_core_media_bug_add", 1014)
BUG_STOP = ("switch_core_media_bug.c", "switch_core_media_bug_destroy", 84)


def _bug(path: str) -> list[tuple[str, str]]:
    return [("Media-Bug-Function", "session_record"), ("Media-Bug-Target", path)]


class Recording:
    """One recording on a channel: its time line (paused and masked spans) and its file."""

    def __init__(self, channel: Channel, path: str, limit: float | None) -> None:
        self.path = path
        self.started = channel.switch.clock.now()
        self.limit = limit
        self.paused_at: float | None = None
        self.paused_total = 0.0
        self.masked_at: float | None = None
        self.masked: list[tuple[float, float]] = []
        self.stopped = False

    def _offset(self, now: float) -> float:
        """Seconds of audio recorded up to ``now``."""
        paused = self.paused_total + (now - self.paused_at if self.paused_at is not None else 0)
        return max(0.0, now - self.started - paused)

    def pause(self, now: float) -> None:
        """Stop writing audio until resumed."""
        if self.paused_at is None:
            self.paused_at = now

    def resume(self, now: float) -> None:
        """Write audio again."""
        if self.paused_at is not None:
            self.paused_total += now - self.paused_at
            self.paused_at = None

    def mask(self, now: float) -> None:
        """Write silence instead of the call's audio."""
        if self.masked_at is None:
            self.masked_at = self._offset(now)

    def unmask(self, now: float) -> None:
        """Write the call's audio again."""
        if self.masked_at is not None:
            self.masked.append((self.masked_at, self._offset(now)))
            self.masked_at = None

    def stop(self, channel: Channel) -> None:
        """Write the WAV file and fire RECORD_STOP with the record_* variables."""
        if self.stopped:
            return
        self.stopped = True
        channel.recordings.pop(self.path, None)
        now = channel.switch.clock.now()
        self.resume(now)
        self.unmask(now)
        seconds = self._offset(now)
        if self.limit is not None:
            seconds = min(seconds, self.limit)
        try:
            samples = write_wav(self.path, seconds, tone_hz=440.0, masked=self.masked)
            size = os.path.getsize(self.path)
        except OSError:
            log.warning("stand-in: cannot write recording %s", self.path)
            samples, size = 0, 0
        completion = "success-maxtime" if self.limit and seconds >= self.limit else "success"
        channel.set_var("record_file_size", str(size))
        channel.set_var("record_samples", str(samples))
        channel.set_var("record_seconds", str(int(seconds)))
        channel.set_var("record_ms", str(int(seconds * 1000)))
        channel.set_var("record_completion_cause", completion)
        channel.fire("RECORD_STOP", STOP, post=[("Record-File-Path", self.path),
                                                ("Record-Completion-Cause", completion)])
        channel.fire("MEDIA_BUG_STOP", BUG_STOP, pre=_bug(self.path))


def start_recording(channel: Channel, path: str, limit: float | None = None) -> bool:
    """Start recording ``path``: RECORD_START; False when it cannot be recorded."""
    if not channel.up or not channel.has_media:
        return False
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    if not os.access(Path(path).parent, os.W_OK):
        return False
    sip.ack(channel)
    recording = Recording(channel, path, limit)
    channel.recordings[path] = recording
    channel.fire("RECORD_START", START, post=[("Record-File-Path", path)])
    channel.fire("MEDIA_BUG_START", BUG_START, pre=_bug(path))
    if limit:
        channel.switch.spawn(_stop_after(channel, recording, limit))
    return True


async def _stop_after(channel: Channel, recording: Recording, limit: float) -> None:
    await channel.switch.clock.sleep(limit)
    if not recording.stopped and channel.up:
        recording.stop(channel)


_ERRORS = {
    "pause": "-ERR Cannot pause recording session!\n",
    "resume": "-ERR Cannot resume recording session!\n",
    "mask": "-ERR Cannot mask recording session!\n",
    "unmask": "-ERR Cannot unmask recording session!\n",
}
USAGE = "-USAGE: <uuid> [start|stop|mask|unmask|pause|resume] <path> [<limit>]\n"


def record_command(channel: Channel, action: str, path: str, limit: float | None) -> str:
    """``uuid_record``'s answer for one action on a located channel."""
    if action == "start":
        if start_recording(channel, path, limit):
            return "+OK Success\n"
        return "-ERR Cannot record session!\n"
    if action == "stop":
        if path == "all":
            targets = list(channel.recordings.values())
        else:
            targets = [channel.recordings[path]] if path in channel.recordings else []
        if not targets:
            return "-ERR Cannot stop record session!\n"
        for recording in targets:
            recording.stop(channel)
        return "+OK Success\n"
    if action not in _ERRORS:
        return USAGE
    recording = channel.recordings.get(path)
    if recording is None:
        return _ERRORS[action]
    getattr(recording, action)(channel.switch.clock.now())
    return "+OK Success\n"
