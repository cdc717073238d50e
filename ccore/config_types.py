"""Value types shared by the center.toml models: names, extensions, sounds, seconds, skills.

Each type is an ``Annotated`` alias whose validator explains what was expected, so a
ConfigError can tell the admin exactly what to write.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
EXTENSION_PATTERN = re.compile(r"^[0-9]{2,8}$")
DTMF_KEYS = "0123456789*#"

# Sounds a fresh center can use before anyone records a prompt. The renderer and the stand-in
# turn each into a FreeSWITCH tone_stream; "silence:MS" is silence of that many milliseconds.
BUILTIN_TONES: tuple[str, ...] = ("beep", "ringback", "busy", "hold", "confirm", "error")
SOUND_FILE_SUFFIXES: tuple[str, ...] = (".wav",)


class StrictModel(BaseModel):
    """Base of every center.toml model: unknown keys are errors, values are checked on edit."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


def quoted(value: object) -> str:
    """Show a value as the admin would type it in TOML: strings in double quotes."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def invalid(model: str, key: str | int, message: str, value: object = None) -> ValidationError:
    """Return an error about one key, for a model validator that checks several keys at once.

    Raising it from a validator makes the error's location that key (``queues[0].overflow``)
    rather than the whole table.
    """
    details = InitErrorDetails(
        type=PydanticCustomError("value_error", message), loc=(key,), input=value
    )
    return ValidationError.from_exception_data(model, [details])


def _digits_as_text(value: object) -> object:
    """Accept ``extension = 1001`` as well as ``extension = "1001"`` (TOML has no leading 0s)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _check_slug(value: str) -> str:
    if not SLUG_PATTERN.match(value):
        raise ValueError(
            f"expected a short name of lowercase letters, digits, '-' or '_'; got {quoted(value)}"
        )
    return value


def _check_extension(value: str) -> str:
    if not EXTENSION_PATTERN.match(value):
        raise ValueError(f"expected an extension of 2 to 8 digits; got {quoted(value)}")
    return value


def _check_phone_number(value: str) -> str:
    if not re.match(r"^\+?[0-9]{2,20}$", value):
        raise ValueError(
            f"expected a phone number of digits, optionally starting with +; got {quoted(value)}"
        )
    return value


def _check_dtmf(value: str) -> str:
    if len(value) != 1 or value not in DTMF_KEYS:
        raise ValueError(f"expected one phone key: 0-9, * or #; got {quoted(value)}")
    return value


def _check_sound(value: str) -> str:
    if value.startswith("tone:"):
        if value[5:] not in BUILTIN_TONES:
            raise ValueError(
                f"expected a built-in tone ({', '.join('tone:' + t for t in BUILTIN_TONES)});"
                f" got {quoted(value)}"
            )
        return value
    if value.startswith("silence:"):
        millis = value[8:]
        if not millis.isdigit() or not 0 < int(millis) <= 60_000:
            raise ValueError(f"expected silence:MILLISECONDS (1-60000); got {quoted(value)}")
        return value
    if not value.lower().endswith(SOUND_FILE_SUFFIXES) or "://" in value:
        raise ValueError(
            "expected a .wav file path (relative to the center directory), tone:NAME or"
            f" silence:MS; got {quoted(value)}"
        )
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"expected a time zone name such as Europe/Berlin; got {quoted(value)}"
        ) from None
    return value


def _check_address_or_auto(value: str) -> str:
    if value == "auto":
        return value
    if value.lower().startswith("stun:"):
        raise ValueError(
            "STUN is not supported here (FreeSWITCH fails to load sofia without internet);"
            f' expected an IP address or "auto"; got {quoted(value)}'
        )
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f'expected an IP address or "auto"; got {quoted(value)}') from None
    return value


def _check_host(value: str) -> str:
    if not re.match(r"^[A-Za-z0-9.:\-\[\]]+$", value):
        raise ValueError(f"expected a host name or IP address; got {quoted(value)}")
    return value


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"expected a regular expression ({error}); got {quoted(value)}") from None
    return value


def _check_feature_code(value: str) -> str:
    if not re.match(r"^\*?[0-9]{2,6}$", value):
        raise ValueError(
            f'expected a code of 2-6 digits, usually after a *, e.g. "*21"; got {quoted(value)}'
        )
    return value


def _check_language(value: str) -> str:
    if not re.match(r"^[a-z]{2}(-[A-Z]{2})?$", value):
        raise ValueError(f"expected a language code such as en or en-US; got {quoted(value)}")
    return value


def _check_variable_name(value: str) -> str:
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", value):
        raise ValueError(f"expected an environment variable name; got {quoted(value)}")
    return value


def _check_caller_pattern(value: str) -> str:
    if not re.match(r"^\+?[0-9]+\*?$", value):
        raise ValueError(
            f'expected a phone number, or a prefix ending in * ("+4930*"); got {quoted(value)}'
        )
    return value


def _check_email(value: str) -> str:
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
        raise ValueError(f"expected an e-mail address; got {quoted(value)}")
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]
"""A name used as a reference: queue, menu, hours, trunk, skill, voicemail box."""

Extension = Annotated[str, BeforeValidator(_digits_as_text), AfterValidator(_check_extension)]
"""An operator's internal number: 2 to 8 digits."""

PhoneNumber = Annotated[str, BeforeValidator(_digits_as_text), AfterValidator(_check_phone_number)]
"""A public phone number (a DID or a caller ID): digits, optionally with a leading +."""

DtmfKey = Annotated[str, BeforeValidator(_digits_as_text), AfterValidator(_check_dtmf)]
"""One key of a phone's keypad."""

Sound = Annotated[str, AfterValidator(_check_sound)]
"""A prompt: a .wav path relative to the center directory, ``tone:NAME`` or ``silence:MS``."""

TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
"""An IANA time zone name, e.g. ``Europe/Berlin``."""

AddressOrAuto = Annotated[str, AfterValidator(_check_address_or_auto)]
"""An IP address, or ``auto`` to let FreeSWITCH use the machine's own address (never STUN)."""

Host = Annotated[str, AfterValidator(_check_host)]
"""A host name or IP address."""

Port = Annotated[int, Field(ge=1, le=65535)]
"""A TCP/UDP port."""

Seconds = Annotated[int, Field(ge=0, le=86_400)]
"""A duration in whole seconds (0 to one day)."""

SkillLevel = Annotated[int, Field(ge=1, le=10)]
"""How good an operator is at a skill, or the minimum a queue requires: 1 to 10."""

Skills = dict[Slug, SkillLevel]
"""Skill name to level, e.g. ``{ billing = 7, english = 5 }``."""

Priority = Annotated[int, Field(ge=0, le=100)]
"""Caller priority in a queue: higher is answered first; 0 is normal."""

Regex = Annotated[str, AfterValidator(_check_regex)]
"""A Python regular expression matched against a whole dialed number."""

Email = Annotated[str, AfterValidator(_check_email)]
"""An e-mail address."""

FeatureCode = Annotated[str, BeforeValidator(_digits_as_text), AfterValidator(_check_feature_code)]
"""What an operator dials to change state: 2-6 digits, usually after a ``*``."""

Language = Annotated[str, AfterValidator(_check_language)]
"""A language code: ``en`` or ``en-US``."""

VariableName = Annotated[str, AfterValidator(_check_variable_name)]
"""The name of an environment variable that holds a secret."""

CallerPattern = Annotated[
    str, BeforeValidator(_digits_as_text), AfterValidator(_check_caller_pattern)
]
"""A caller's number, or a prefix of numbers ending in ``*``."""
