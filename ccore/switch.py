"""The Switch facade: what plugins can make FreeSWITCH do, as plain async operations.

Each operation succeeds or raises ``SwitchError`` carrying FreeSWITCH's own error text (e.g.
``-ERR No such channel!``); an operation on a call that hangs up first raises ``CallGone``.
Arguments are checked before anything is sent: a value that would break the wire framing (a
newline) or is not what the operation takes is refused with a clear ``ValueError``.
"""

from __future__ import annotations

import asyncio
import re
import uuid as uuid_module
from typing import TYPE_CHECKING

from ccore.esl.errors import CommandError, ConnectionLost, EslError
from ccore.translation import AppResult, CallGone, CallTracker

if TYPE_CHECKING:
    from ccore.esl.client import InboundClient

__all__ = ["AppResult", "CallGone", "Switch", "SwitchError"]

_UUID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,63}$")
_DTMF = re.compile(r"^[0-9*#A-Da-d]+$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CAUSE = re.compile(r"^[A-Z_]+$")


class SwitchError(Exception):
    """FreeSWITCH refused an operation; ``text`` is its answer, verbatim."""

    def __init__(self, operation: str, text: str) -> None:
        super().__init__(f"{operation}: {text}")
        self.operation = operation
        self.text = text


def _check_uuid(value: str) -> str:
    if not isinstance(value, str) or not _UUID.match(value):
        raise ValueError(f"not a call UUID: {value!r}")
    return value


def _check_text(what: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"{what} must be one line, got {value!r}")
    return value


def _check_variable(name: str) -> str:
    if not _VARIABLE.match(name):
        raise ValueError(f"not a channel variable name: {name!r}")
    return name


class Switch:
    """Async operations on calls, sent over the core's control connection."""

    def __init__(self, tracker: CallTracker, client: InboundClient | None = None) -> None:
        self.tracker = tracker
        self.client = client

    @property
    def connected(self) -> bool:
        """True while the core is connected to FreeSWITCH."""
        return self.client is not None and self.client.connected

    # --- plumbing ----------------------------------------------------------------------------

    async def api(self, command: str, timeout: float = 10.0) -> str:
        """Run an ``api`` command and return its output; ``-ERR ...`` raises SwitchError."""
        return await self._run("api", command, timeout)

    async def bgapi(self, command: str, timeout: float = 60.0) -> str:
        """Run a command in the background (for blocking ones such as originate)."""
        return await self._run("bgapi", command, timeout)

    async def _run(self, kind: str, command: str, timeout: float) -> str:
        _check_text(f"{kind} command", command)
        client = self._client()
        operation = command.split(" ", 1)[0]
        runner = client.api if kind == "api" else client.bgapi
        try:
            return await runner(command, timeout=timeout)
        except CommandError as err:
            raise SwitchError(operation, err.text) from err
        except ConnectionLost as err:
            raise SwitchError(operation, f"not connected to the switch ({err})") from err

    async def execute(
        self, call_uuid: str, application: str, argument: str = "", *, wait: bool = True,
        timeout: float | None = None,
    ) -> AppResult | None:
        """Run a dialplan application on a call; with ``wait``, return when it completes."""
        _check_uuid(call_uuid)
        _check_text("application", application)
        _check_text("application argument", argument)
        if not _VARIABLE.match(application):
            raise ValueError(f"not an application name: {application!r}")
        client = self._client()
        application_uuid = str(uuid_module.uuid4())
        completion = self.tracker.expect_app(call_uuid, application_uuid) if wait else None
        try:
            await client.sendmsg(
                call_uuid,
                "execute",
                app=application,
                arg=argument,
                event_lock=True,
                event_uuid=application_uuid,
            )
        except CommandError as err:
            if completion is not None:
                completion.cancel()
            raise SwitchError(application, err.text) from err
        except EslError as err:
            if completion is not None:
                completion.cancel()
            raise SwitchError(application, f"not sent: {err}") from err
        if completion is None:
            return None
        try:
            async with asyncio.timeout(timeout):  # None: no limit
                return await completion
        finally:
            if not completion.done():  # the caller gave up (cancelled or timed out)
                completion.cancel()

    # --- call control ------------------------------------------------------------------------

    async def answer(self, call_uuid: str) -> None:
        """Answer a ringing or parked call."""
        await self.api(f"uuid_answer {_check_uuid(call_uuid)}")

    async def play(self, call_uuid: str, path: str) -> AppResult:
        """Play a sound file (or ``tone_stream://...``) to a call and wait until it ends."""
        result = await self.execute(call_uuid, "playback", _check_text("path", path))
        assert result is not None
        return result

    async def play_and_get_digits(
        self,
        call_uuid: str,
        prompt: str,
        *,
        min_digits: int = 1,
        max_digits: int = 1,
        tries: int = 1,
        timeout_ms: int = 5000,
        terminators: str = "#",
        invalid_prompt: str = "silence_stream://250",
        regexp: str = r"\d+",
        variable: str = "ccore_digits",
    ) -> str:
        """Play ``prompt`` and collect digits; returns them, or ``""`` when none came in time."""
        if not 1 <= min_digits <= max_digits <= 128:
            raise ValueError(f"digits: need 1 <= min ({min_digits}) <= max ({max_digits}) <= 128")
        if tries < 1 or timeout_ms < 1:
            raise ValueError("tries and timeout_ms must be positive")
        if terminators and not _DTMF.match(terminators):
            raise ValueError(f"terminators must be DTMF keys, got {terminators!r}")
        if " " in prompt or " " in invalid_prompt or " " in regexp:
            raise ValueError("prompt, invalid prompt and regexp must not contain spaces")
        _check_variable(variable)
        argument = " ".join(
            (
                str(min_digits),
                str(max_digits),
                str(tries),
                str(timeout_ms),
                terminators or "none",
                _check_text("prompt", prompt),
                _check_text("invalid prompt", invalid_prompt),
                variable,
                _check_text("regexp", regexp),
            )
        )
        result = await self.execute(call_uuid, "play_and_get_digits", argument)
        assert result is not None
        return result.variables.get(variable, "")

    async def bridge(self, call_uuid: str, target: str) -> AppResult:
        """Bridge a call to ``target`` (e.g. ``user/1001``); returns when the bridge ends."""
        result = await self.execute(call_uuid, "bridge", _check_text("bridge target", target))
        assert result is not None
        return result

    async def bridge_calls(self, call_uuid: str, other_uuid: str) -> None:
        """Connect two existing legs (``uuid_bridge``)."""
        await self.api(f"uuid_bridge {_check_uuid(call_uuid)} {_check_uuid(other_uuid)}")

    async def originate(
        self,
        url: str,
        *,
        application: str = "park",
        argument: str = "",
        variables: dict[str, str] | None = None,
        timeout: float = 60.0,
    ) -> str:
        """Place a call to ``url`` (e.g. ``user/1001``); returns the new leg's UUID when answered.

        A failure raises SwitchError whose text is FreeSWITCH's, e.g. ``-ERR NO_ANSWER``.
        """
        _check_text("url", url)
        if " " in url:
            raise ValueError(f"originate url must not contain spaces: {url!r}")
        pairs = []
        for name, value in (variables or {}).items():
            _check_variable(name)
            if any(ch in str(value) for ch in ",}\n\r"):
                raise ValueError(f"channel variable {name} has a character that breaks originate")
            pairs.append(f"{name}={value}")
        prefix = "{" + ",".join(pairs) + "}" if pairs else ""
        target = f"&{application}({_check_text('argument', argument)})"
        output = await self.bgapi(f"originate {prefix}{url} {target}", timeout=timeout)
        output = output.strip()
        if not output.startswith("+OK"):
            raise SwitchError("originate", output)
        return output[3:].strip()

    async def transfer(
        self, call_uuid: str, destination: str, context: str = "default", dialplan: str = "XML"
    ) -> None:
        """Send a call to ``destination`` in a dialplan context."""
        for what, value in (("destination", destination), ("context", context)):
            if not value or " " in value:
                raise ValueError(f"{what} must be one word, got {value!r}")
        await self.api(f"uuid_transfer {_check_uuid(call_uuid)} {destination} {dialplan} {context}")

    async def record_start(self, call_uuid: str, path: str) -> None:
        """Start recording a call to ``path`` (a WAV file)."""
        await self._record(call_uuid, "start", path)

    async def record_stop(self, call_uuid: str, path: str) -> None:
        """Stop recording a call to ``path``."""
        await self._record(call_uuid, "stop", path)

    async def record_pause(self, call_uuid: str, path: str) -> None:
        """Pause a recording (e.g. while a card number is read out)."""
        await self._record(call_uuid, "pause", path)

    async def record_resume(self, call_uuid: str, path: str) -> None:
        """Resume a paused recording."""
        await self._record(call_uuid, "resume", path)

    async def hangup(self, call_uuid: str, cause: str = "NORMAL_CLEARING") -> None:
        """Hang a call up with a FreeSWITCH hangup cause."""
        if not _CAUSE.match(cause):
            raise ValueError(f"not a hangup cause: {cause!r}")
        await self.api(f"uuid_kill {_check_uuid(call_uuid)} {cause}")

    async def set_variable(self, call_uuid: str, name: str, value: str) -> None:
        """Set a channel variable on a call."""
        _check_variable(name)
        _check_text("value", value)
        await self.api(f"uuid_setvar {_check_uuid(call_uuid)} {name} {value}")

    async def get_variable(self, call_uuid: str, name: str) -> str | None:
        """Read a channel variable (None when it is not set)."""
        _check_variable(name)
        value = await self.api(f"uuid_getvar {_check_uuid(call_uuid)} {name}")
        value = value.strip()
        return None if value == "_undef_" else value

    async def exists(self, call_uuid: str) -> bool:
        """Ask the switch whether a call still exists (immediate, unlike ``show channels``)."""
        return (await self.api(f"uuid_exists {_check_uuid(call_uuid)}")).strip() == "true"

    async def _record(self, call_uuid: str, action: str, path: str) -> None:
        _check_text("path", path)
        if not path or " " in path:
            raise ValueError(f"recording path must be non-empty with no spaces: {path!r}")
        await self.api(f"uuid_record {_check_uuid(call_uuid)} {action} {path}")

    def _client(self) -> InboundClient:
        if self.client is None or not self.client.connected:
            raise SwitchError("switch", "not connected to the switch")
        return self.client
