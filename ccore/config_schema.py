"""The model of center.toml: every section a center is configured with.

A center is a directory holding ``center.toml`` and a data directory. ``CenterModel`` is the
whole file; each section has its own model, and a misspelt key is an error (``extra="forbid"``).
The routing sections (actions, IVR menus, queues, hours) live in ``ccore.config_routing`` and
are re-exported here. Structural validation happens in the models; cross-references between
sections (a route naming a queue, ...) are checked by ``ccore.config_references``. Load a
center with ``ccore.config.load_center``, which does both and reports problems with lines.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, SecretStr, model_validator

from ccore.config_routing import (
    ACTION_NAMES,
    STRATEGIES,
    WEEKDAYS,
    Callback,
    CallbackAction,
    Destination,
    EscalationStep,
    HangupAction,
    Hours,
    Menu,
    MenuChoice,
    PlayAction,
    PriorityRule,
    Queue,
    QueueAction,
    RepeatAction,
    Strategy,
    SubmenuAction,
    TransferAction,
    VoicemailAction,
    parse_time_range,
)
from ccore.config_types import (
    BUILTIN_TONES,
    AddressOrAuto,
    Email,
    Extension,
    FeatureCode,
    Host,
    Language,
    PhoneNumber,
    Port,
    Regex,
    Seconds,
    Skills,
    Slug,
    Sound,
    StrictModel,
    TimeZoneName,
    VariableName,
    invalid,
    quoted,
)

CODECS: tuple[str, ...] = ("OPUS", "G722", "PCMU", "PCMA", "G729", "GSM")


class Center(StrictModel):
    """``[center]``: who this center is and where it keeps its data."""

    name: str = Field(min_length=1, max_length=100)
    timezone: TimeZoneName = "UTC"
    data_dir: str = "data"  # relative to the center directory (or absolute)
    language: Language = "en"


class Switch(StrictModel):
    """``[switch]``: how ccore reaches FreeSWITCH's event socket, and where it takes calls.

    The event socket password is, in order: ``password``, the environment variable named by
    ``password_env``, or the file ``password_file`` in the data directory, which
    ``ccore conf render`` generates (0600) when neither of the others is set.
    """

    host: Host = "127.0.0.1"
    port: Port = 8021
    password: SecretStr | None = None
    password_env: VariableName | None = None
    password_file: str = "event_socket.password"  # relative to the data directory
    outbound_host: Host = "127.0.0.1"  # ccore listens here; the dialplan's `socket` target
    outbound_port: Port = 8084
    conf_dir: str = "freeswitch"  # where `ccore conf render` writes, relative to the center


class Sip(StrictModel):
    """``[sip]``: the SIP profiles: internal (operators' phones) and external (trunks)."""

    domain: str | None = None  # None: the internal address; what phones register to
    internal_ip: AddressOrAuto = "auto"
    internal_port: Port = 5060
    external_ip: AddressOrAuto = "auto"
    external_port: Port = 5080
    external_rtp_ip: AddressOrAuto = "auto"  # the public address behind NAT; never STUN
    external_sip_ip: AddressOrAuto = "auto"
    rtp_start_port: Port = 16384
    rtp_end_port: Port = 32768
    codecs: list[Literal["OPUS", "G722", "PCMU", "PCMA", "G729", "GSM"]] = Field(
        default_factory=lambda: ["OPUS", "G722", "PCMU", "PCMA"], min_length=1
    )

    @model_validator(mode="after")
    def _ports_consistent(self) -> Sip:
        if self.internal_port == self.external_port:
            raise invalid(
                "Sip", "external_port", "must differ from internal_port", self.external_port
            )
        if self.rtp_start_port >= self.rtp_end_port:
            message = "must be above rtp_start_port"
            raise invalid("Sip", "rtp_end_port", message, self.rtp_end_port)
        return self


class Trunk(StrictModel):
    """``[[trunks]]``: the customer's SIP trunk (a gateway on the external profile).

    ``register`` is the center.toml key; in Python it is ``register_`` (pydantic reserves it).
    """

    model_config = ConfigDict(populate_by_name=True)

    name: Slug
    proxy: Host
    realm: str | None = None  # defaults to proxy
    username: str | None = None
    password: SecretStr | None = None
    password_env: VariableName | None = None
    register_: bool = Field(default=True, alias="register")
    transport: Literal["udp", "tcp", "tls"] = "udp"
    caller_id_number: PhoneNumber | None = None
    from_domain: str | None = None
    expire_seconds: int = Field(default=600, ge=60, le=86_400)

    @model_validator(mode="after")
    def _credentials_when_registering(self) -> Trunk:
        if self.register_ and (
            self.username is None or (self.password is None and self.password_env is None)
        ):
            key = "username" if self.username is None else "password"
            message = "register = true needs username and password (or password_env)"
            raise invalid("Trunk", key, message)
        if self.password is not None and self.password_env is not None:
            raise invalid("Trunk", "password_env", "set password or password_env, not both")
        return self


class Fallback(StrictModel):
    """What FreeSWITCH gives a caller on its own when ccore is down or drops the call."""

    message: Sound | None = None  # played first
    ring: list[Extension] | Literal["all"] = "all"  # ring group: these extensions, or all
    ring_timeout: Seconds = 30
    voicemail: Slug | None = None  # box for callers nobody answered; None: hang up


class Number(StrictModel):
    """``[[numbers]]``: an inbound number (DID) and where its callers go.

    Exactly one of ``ivr``, ``queue`` or ``extension`` says where the call goes.
    """

    number: PhoneNumber
    name: str | None = None
    trunk: Slug | None = None  # which trunk it arrives on; None: any
    ivr: Slug | None = None
    queue: Slug | None = None
    extension: Extension | None = None
    hours: Slug | None = None
    closed: Destination | None = None
    fallback: Fallback = Field(default_factory=Fallback)

    @model_validator(mode="after")
    def _one_route(self) -> Number:
        routes = [r for r in (self.ivr, self.queue, self.extension) if r is not None]
        if len(routes) != 1:
            raise invalid("Number", "ivr", "set exactly one of ivr, queue or extension")
        return self


class Operator(StrictModel):
    """``[[operators]]``: a person answering calls, with a softphone on an extension."""

    extension: Extension
    name: str = Field(min_length=1, max_length=80)
    skills: Skills = Field(default_factory=dict)
    email: Email | None = None
    wrap_up: Seconds | None = None  # overrides the queue's wrap-up time
    outbound_allowed: bool = False  # may dial the [dialing] allowed patterns


class VoicemailBox(StrictModel):
    """``[voicemail.<box>]``: a shared voicemail box (each operator also has one)."""

    name: str = Field(min_length=1)
    email: Email | None = None  # messages are sent here when set
    greeting: Sound | None = None
    max_seconds: Seconds = 180


class FeatureCodes(StrictModel):
    """``[feature_codes]``: what operators dial on their phone to change state."""

    login: FeatureCode = "*21"
    break_: FeatureCode = Field(default="*22", alias="break")  # + a reason digit
    back: FeatureCode = "*23"
    logout: FeatureCode = "*24"
    wrap_up_done: FeatureCode = "*25"

    model_config = ConfigDict(populate_by_name=True)

    def codes(self) -> dict[str, str]:
        """Return every code by its center.toml key (``break`` included)."""
        return {
            "login": self.login,
            "break": self.break_,
            "back": self.back,
            "logout": self.logout,
            "wrap_up_done": self.wrap_up_done,
        }

    @model_validator(mode="after")
    def _distinct(self) -> FeatureCodes:
        codes = self.codes()
        for key, code in codes.items():
            for other_key, other in codes.items():
                if key != other_key and other.startswith(code):
                    message = f"collides with {key} ({code}): one code starts with the other"
                    raise invalid("FeatureCodes", other_key, message, other)
        return self


def _default_break_reasons() -> dict[str, str]:
    return {"1": "Break", "2": "Lunch", "3": "Training", "4": "Meeting"}


class Recording(StrictModel):
    """``[recording]``: which calls are recorded and where the files go."""

    enabled: bool = False
    path: str = "recordings"  # relative to the data directory
    percent: int = Field(default=100, ge=0, le=100)  # share of calls recorded
    queues: dict[Slug, int] = Field(default_factory=dict)  # per-queue percent overrides
    announcement: Sound | None = None  # "this call may be recorded"
    keep_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _percents(self) -> Recording:
        for queue, percent in self.queues.items():
            if not 0 <= percent <= 100:
                raise invalid("Recording", "queues", f"{queue}: expected 0-100; got {percent}")
        return self


class Dialing(StrictModel):
    """``[dialing]``: outbound calls. Nothing may be dialed out unless a pattern allows it."""

    allowed: list[Regex] = Field(default_factory=list)  # full-match regexes on dialed digits
    emergency: list[PhoneNumber] = Field(default_factory=list)  # always allowed, every operator
    trunk: Slug | None = None  # None: the first trunk
    caller_id_number: PhoneNumber | None = None


class Plugins(StrictModel):
    """``[plugins]``: ``disabled = [...]`` and one ``[plugins.<name>]`` table per plugin.

    The tables are free-form here; each plugin validates its own with
    ``ccore.config.validate_section``.
    """

    model_config = ConfigDict(extra="allow")

    disabled: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sections_are_tables(self) -> Plugins:
        for name, value in (self.model_extra or {}).items():
            if not isinstance(value, dict):
                raise invalid("Plugins", name, f"expected a table [plugins.{name}]", value)
        return self

    def section(self, name: str) -> dict[str, Any]:
        """Return the raw ``[plugins.<name>]`` table (empty when absent)."""
        return dict((self.model_extra or {}).get(name, {}))


class CenterModel(StrictModel):
    """The whole center.toml."""

    center: Center
    switch: Switch = Field(default_factory=Switch)
    sip: Sip = Field(default_factory=Sip)
    trunks: list[Trunk] = Field(default_factory=list)
    numbers: list[Number] = Field(default_factory=list)
    operators: list[Operator] = Field(default_factory=list)
    queues: list[Queue] = Field(default_factory=list)
    ivr: dict[Slug, Menu] = Field(default_factory=dict)
    hours: dict[Slug, Hours] = Field(default_factory=dict)
    voicemail: dict[Slug, VoicemailBox] = Field(default_factory=dict)
    feature_codes: FeatureCodes = Field(default_factory=FeatureCodes)
    # one digit (dialed after the break code) -> reason name
    break_reasons: dict[str, str] = Field(default_factory=_default_break_reasons)
    recording: Recording = Field(default_factory=Recording)
    dialing: Dialing = Field(default_factory=Dialing)
    plugins: Plugins = Field(default_factory=Plugins)

    @model_validator(mode="after")
    def _break_reason_digits(self) -> CenterModel:
        for digit in self.break_reasons:
            if len(digit) != 1 or not digit.isdigit():
                message = f"keys are one digit 0-9; got {quoted(digit)}"
                raise invalid("CenterModel", "break_reasons", message, digit)
        return self

    def operator(self, extension: str) -> Operator | None:
        """Return the operator on ``extension``, or None."""
        return next((op for op in self.operators if op.extension == extension), None)

    def queue(self, name: str) -> Queue | None:
        """Return the queue called ``name``, or None."""
        return next((queue for queue in self.queues if queue.name == name), None)


__all__ = [
    "ACTION_NAMES",
    "BUILTIN_TONES",
    "CODECS",
    "STRATEGIES",
    "WEEKDAYS",
    "Callback",
    "CallbackAction",
    "Center",
    "CenterModel",
    "Destination",
    "Dialing",
    "EscalationStep",
    "Fallback",
    "FeatureCodes",
    "HangupAction",
    "Hours",
    "Menu",
    "MenuChoice",
    "Number",
    "Operator",
    "PlayAction",
    "Plugins",
    "PriorityRule",
    "Queue",
    "QueueAction",
    "Recording",
    "RepeatAction",
    "Seconds",
    "Sip",
    "Skills",
    "Sound",
    "Strategy",
    "SubmenuAction",
    "Switch",
    "TransferAction",
    "Trunk",
    "VoicemailAction",
    "VoicemailBox",
    "parse_time_range",
]
