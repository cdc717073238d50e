"""The Event Socket (ESL) layer: the only place that knows FreeSWITCH wire details."""

from ccore.esl.client import InboundClient
from ccore.esl.connection import EslConnection
from ccore.esl.errors import (
    AuthError,
    CommandError,
    CommandTimeout,
    ConnectionLost,
    EslError,
    FrameError,
)
from ccore.esl.event import EslEvent
from ccore.esl.frames import Frame, FrameParser, encode_command
from ccore.esl.outbound import OutboundServer, OutboundSession

__all__ = [
    "AuthError",
    "CommandError",
    "CommandTimeout",
    "ConnectionLost",
    "EslConnection",
    "EslError",
    "EslEvent",
    "Frame",
    "FrameError",
    "FrameParser",
    "InboundClient",
    "OutboundServer",
    "OutboundSession",
    "encode_command",
]
