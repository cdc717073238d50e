"""How long a sound plays, and the WAV files the stand-in writes."""

from __future__ import annotations

import math
import os
import re
import struct
import wave
from pathlib import Path

DEFAULT_PROMPT_SECONDS = 2.0
RATE = 8000

_TONE_SEGMENT = re.compile(r"%\(([^)]*)\)")


def tone_ms(spec: str) -> float:
    """Length of a ``tone_stream://`` spec: on+off of every ``%(on,off,freq)``, times loops."""
    loops = 1
    m = re.search(r"(?:;loops=|L=)(-?\d+)", spec)
    if m:
        loops = int(m.group(1))
    total = 0.0
    for seg in _TONE_SEGMENT.findall(spec):
        parts = [p.strip() for p in seg.split(",")]
        try:
            total += float(parts[0]) + (float(parts[1]) if len(parts) > 1 else 0.0)
        except ValueError:
            continue
    if loops < 0:
        return math.inf
    return total * max(loops, 1)


def play_seconds(path: str, sounds_dir: Path | None = None) -> float | None:
    """Seconds a playback of ``path`` lasts; None when the file does not exist.

    ``tone_stream://`` and ``silence_stream://`` are computed from their specs; a WAV file
    is measured; other existing files and relative names (the switch's stock sounds, which a
    real installation has) play for ``DEFAULT_PROMPT_SECONDS``.
    """
    if path.startswith("tone_stream://"):
        return tone_ms(path) / 1000.0
    if path.startswith("silence_stream://"):
        ms = path[len("silence_stream://") :].split(",")[0]
        try:
            value = float(ms)
        except ValueError:
            return 0.0
        return math.inf if value < 0 else value / 1000.0
    if path.startswith(("local_stream://", "$${hold_music}")):
        return math.inf  # music on hold plays until something stops it
    if "://" in path or path.startswith(("say:", "phrase:")):
        return DEFAULT_PROMPT_SECONDS
    candidate = Path(path)
    if not candidate.is_absolute():
        if sounds_dir is not None and (sounds_dir / path).exists():
            candidate = sounds_dir / path
        else:
            return DEFAULT_PROMPT_SECONDS
    if not candidate.exists():
        return None
    if candidate.suffix.lower() == ".wav":
        try:
            with wave.open(str(candidate), "rb") as w:
                return w.getnframes() / float(w.getframerate() or RATE)
        except (wave.Error, EOFError, OSError):
            return DEFAULT_PROMPT_SECONDS
    return DEFAULT_PROMPT_SECONDS


def file_type(path: str) -> str | None:
    """Playback-File-Type for stream sources (``tone_stream``), None for plain files."""
    if "://" in path:
        return path.split("://", 1)[0]
    return None


def _block(tone_hz: float) -> bytes:
    """One second of a quiet sine (whole periods for 440 Hz at 8 kHz), 16-bit little endian."""
    return b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * tone_hz * i / RATE)))
        for i in range(RATE)
    )


def write_wav(path: str | os.PathLike[str], seconds: float, *, tone_hz: float = 0.0,
              masked: list[tuple[float, float]] | None = None) -> int:
    """Write a mono 16-bit 8 kHz WAV of ``seconds``: a quiet tone, silence where masked.

    Returns the number of samples written.
    """
    frames = max(0, round(seconds * RATE))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tone = _block(tone_hz) if tone_hz > 0 else bytes(2 * RATE)
    whole, rest = divmod(frames, RATE)
    data = bytearray(tone * whole + tone[: 2 * rest])
    for a, b in masked or []:
        lo, hi = max(0, int(a * RATE)), min(frames, int(b * RATE))
        if hi > lo:
            data[2 * lo : 2 * hi] = bytes(2 * (hi - lo))
    with wave.open(str(target), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(data))
    return frames
