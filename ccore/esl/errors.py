"""The errors the ESL layer raises, one class per thing a caller may want to handle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ccore.esl.frames import Frame

LossStage = Literal["not_sent", "unconfirmed"]


class EslError(Exception):
    """Base class of every error raised by the ESL layer."""


class AuthError(EslError):
    """FreeSWITCH refused the password: a configuration error, never retried."""

    def __init__(self, host: str, port: int, reply: str) -> None:
        self.host = host
        self.port = port
        self.reply = reply
        super().__init__(
            f"FreeSWITCH at {host}:{port} refused the event socket password ({reply}); "
            "check the password in the configuration"
        )


class CommandError(EslError):
    """FreeSWITCH answered a command with an error; ``text`` is its answer verbatim."""

    def __init__(self, command: str, text: str) -> None:
        self.command = command
        self.text = text
        super().__init__(f"{command!r} failed: {text.rstrip()}")


class CommandTimeout(EslError):
    """No reply arrived for ``command`` within ``seconds``."""

    def __init__(self, command: str, seconds: float) -> None:
        self.command = command
        self.seconds = seconds
        super().__init__(f"no reply to {command!r} within {seconds:g} s")


class ConnectionLost(EslError):
    """The connection is gone.

    ``stage`` says what is known about the command: ``"not_sent"`` (it never left, safe to send
    again) or ``"unconfirmed"`` (it was written, FreeSWITCH may or may not have run it).
    """

    def __init__(self, stage: LossStage, reason: str = "") -> None:
        self.stage = stage
        self.reason = reason
        detail = f": {reason}" if reason else ""
        super().__init__(f"connection lost ({stage}){detail}")


class FrameError(EslError):
    """The byte stream is not valid ESL framing; the connection cannot continue.

    ``frames`` holds the complete frames parsed from the same input before the bad one, so a
    caller can still deliver them.
    """

    def __init__(self, message: str, frames: list[Frame] | None = None) -> None:
        self.frames: list[Frame] = frames if frames is not None else []
        super().__init__(message)
