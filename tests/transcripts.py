"""Read the recorded FreeSWITCH sessions in ../shared/esl-transcripts."""

from __future__ import annotations

import json
from pathlib import Path

from ccore.esl.event import EslEvent
from ccore.esl.frames import FrameParser

TRANSCRIPTS = Path(__file__).resolve().parents[1].parent / "shared" / "esl-transcripts"
EVENT_TYPES = ("text/event-plain", "text/event-json")


def transcript_chunks(name: str, direction: str = "recv") -> list[bytes]:
    """The chunks of one direction of a transcript, exactly as recorded."""
    chunks = []
    with (TRANSCRIPTS / name).open(encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            if entry["dir"] == direction:
                chunks.append(entry["data"].encode("utf-8"))
    return chunks


def transcript_events(name: str) -> list[EslEvent]:
    """Every event the switch sent in a transcript, parsed chunk by chunk as recorded."""
    parser = FrameParser()
    found = []
    for chunk in transcript_chunks(name):
        for frame in parser.feed(chunk):
            if frame.content_type in EVENT_TYPES:
                found.append(EslEvent.from_frame(frame))
    return found
