"""Everything the renderers need, gathered once from a loaded center.

``RenderInputs`` reads the center.toml model, resolves secrets (generated ones from the data
directory, trunk credentials from center.toml or the environment) and answers the small
questions several files share: the SIP domain, which trunk carries outbound calls, whether
voicemail is used, what a center.toml sound becomes in FreeSWITCH.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccore.config_errors import ConfigError
from ccore.fsconf.errors import FsConfError
from ccore.fsconf.secrets import ensure_event_socket_password, sync_sip_passwords

if TYPE_CHECKING:
    from ccore.config import CenterConfig
    from ccore.config_schema import Operator, Trunk

log = logging.getLogger(__name__)

# center.toml ``tone:NAME`` sounds as FreeSWITCH tone_stream specs (TGML: %(on,off,freqs)).
TONES: dict[str, str] = {
    "beep": "tone_stream://%(500,0,800)",
    "ringback": "tone_stream://%(2000,4000,440,480)",
    "busy": "tone_stream://%(500,500,480,620);loops=4",
    "hold": "tone_stream://%(300,2700,440);loops=10",
    "confirm": "tone_stream://%(150,100,880);%(150,0,1320)",
    "error": "tone_stream://%(330,30,950);%(330,30,1400);%(330,1000,1800)",
}
RINGBACK = "%(2000,4000,440,480)"
"""What a waiting caller hears while the fallback ring group rings (transfer_ringback)."""

DEFAULT_FALLBACK_MESSAGE = "ivr/ivr-hold_connect_call.wav"
"""A stock FreeSWITCH prompt (relative to the sound prefix) used when no message is set."""

DEFAULT_REFUSED_MESSAGE = TONES["error"]
DOMAIN_PATTERN = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
CODEC_MODULES: dict[str, str] = {"OPUS": "mod_opus", "G722": "mod_spandsp", "GSM": "mod_spandsp",
                                 "G729": "mod_g729"}  # PCMU/PCMA are built into the core


@dataclass(frozen=True)
class TrunkCredentials:
    """A trunk's username and password as FreeSWITCH needs them (password never logged)."""

    username: str
    password: str

    def __repr__(self) -> str:
        return f"TrunkCredentials(username={self.username!r}, password=***)"


def check_no_expansion(what: str, value: str) -> str:
    """Refuse values FreeSWITCH would expand (``$${x}`` at load time, ``${x}`` at run time)."""
    if "${" in value:
        raise FsConfError(f"{what} must not contain '${{': FreeSWITCH would expand it")
    return value


def plain_text(value: str) -> str:
    """Return display text (a caller-ID name) without characters FreeSWITCH would interpret."""
    cleaned = re.sub(r"[\x00-\x1f\x7f\ufffe\uffff$,{}\[\]|^]", "", value)
    return cleaned.strip() or "-"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _walk_actions(value: Any) -> bool:
    """Return whether any nested dict in a model dump is a voicemail action."""
    if isinstance(value, dict):
        if value.get("action") == "voicemail":
            return True
        return any(_walk_actions(item) for item in value.values())
    if isinstance(value, list):
        return any(_walk_actions(item) for item in value)
    return False


class RenderInputs:
    """A center's configuration and secrets, ready for the file renderers."""

    def __init__(self, center: CenterConfig) -> None:
        self.center = center
        self.model = center.model
        self.center_dir = Path(center.directory).resolve()
        self.data_dir = Path(center.data_dir)
        self.domain_literal = self._domain()
        self.voicemail_used = self._voicemail_used()
        self.event_socket_password = check_no_expansion(
            "the event socket password", ensure_event_socket_password(center)
        )
        passwords = sync_sip_passwords(center, self.operator_extensions, self.mailbox_ids)
        self.operator_passwords: dict[str, str] = passwords["operators"]
        self.mailbox_passwords: dict[str, str] = passwords["mailboxes"]

    # --- names and addresses -----------------------------------------------------------

    def _domain(self) -> str | None:
        domain = self.model.sip.domain
        if domain is None:
            return None
        if not DOMAIN_PATTERN.match(domain):
            raise FsConfError(f"[sip] domain {domain!r} is not a host name or IP address")
        return domain

    @property
    def domain_value(self) -> str:
        """What vars.xml sets ``domain`` to: the configured name or the machine's address."""
        return self.domain_literal or "$${local_ip_v4}"

    @staticmethod
    def bind_address(value: str) -> str:
        """An ``AddressOrAuto`` as a sofia bind address (``auto``: the machine's IPv4)."""
        return "$${local_ip_v4}" if value == "auto" else value

    @property
    def event_socket_listen_ip(self) -> str:
        """The event socket's address: ``[switch] host`` when it is loopback, else 127.0.0.1."""
        host = self.model.switch.host
        if _is_loopback(host) and host != "localhost":
            return host
        if host != "localhost":
            log.warning("[switch] host %s is not a loopback address; the event socket stays on"
                        " 127.0.0.1 (run ccore on the FreeSWITCH machine)", host)
        return "127.0.0.1"

    @property
    def socket_target(self) -> str:
        """The ``socket`` dialplan application's data: ccore's outbound listener, async full."""
        switch = self.model.switch
        host = switch.outbound_host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{host}:{switch.outbound_port} async full"

    # --- people ------------------------------------------------------------------------

    @property
    def operators(self) -> list[Operator]:
        """Operators sorted by extension (deterministic output)."""
        return sorted(self.model.operators, key=lambda op: op.extension)

    @property
    def operator_extensions(self) -> list[str]:
        """Every operator's extension, sorted."""
        return [op.extension for op in self.operators]

    @property
    def mailbox_ids(self) -> list[str]:
        """Shared voicemail boxes that need a directory user of their own (not extensions)."""
        if not self.voicemail_used:
            return []
        extensions = set(self.operator_extensions)
        return sorted(box for box in self.model.voicemail if box not in extensions)

    def _voicemail_used(self) -> bool:
        model = self.model
        if model.voicemail:
            return True
        if any(number.fallback.voicemail for number in model.numbers):
            return True
        return _walk_actions(model.model_dump(mode="json"))

    # --- trunks ------------------------------------------------------------------------

    @property
    def trunks(self) -> list[Trunk]:
        """Trunks sorted by name."""
        return sorted(self.model.trunks, key=lambda trunk: trunk.name)

    def trunk_credentials(self, trunk: Trunk) -> TrunkCredentials:
        """Return a trunk's credentials from center.toml or the environment variable it names."""
        username = trunk.username or "ccore"
        try:
            password = self._trunk_password(trunk) or ""
        except (ConfigError, FsConfError) as error:  # names the key and line, not the value
            raise FsConfError(f"trunk {trunk.name}: {error}") from None
        check_no_expansion(f"trunk {trunk.name} username", username)
        check_no_expansion(f"trunk {trunk.name} password", password)
        return TrunkCredentials(username, password)

    def _trunk_password(self, trunk: Trunk) -> str | None:
        lookup = getattr(self.center, "trunk_password", None)
        if callable(lookup):
            return lookup(trunk.name)
        if trunk.password is not None:
            return trunk.password.get_secret_value()
        if trunk.password_env:
            value = os.environ.get(trunk.password_env)
            if not value:
                raise FsConfError(f"the environment variable {trunk.password_env} is not set")
            return value
        return None

    @property
    def outbound_trunk(self) -> str | None:
        """The gateway outbound calls use: ``[dialing] trunk`` or the first trunk (None: none)."""
        wanted = self.model.dialing.trunk
        if wanted is not None:
            if any(trunk.name == wanted for trunk in self.model.trunks):
                return wanted
            raise FsConfError(f"[dialing] trunk {wanted!r} is not one of [[trunks]]")
        return self.model.trunks[0].name if self.model.trunks else None

    @property
    def outbound_caller_id(self) -> str | None:
        """The caller ID number shown to people an operator calls out to."""
        dialing = self.model.dialing.caller_id_number
        if dialing:
            return dialing
        trunk_name = self.outbound_trunk
        for trunk in self.model.trunks:
            if trunk.name == trunk_name and trunk.caller_id_number:
                return trunk.caller_id_number
        return None

    @property
    def allowed_patterns(self) -> list[str]:
        """``[dialing] allowed`` as whole-number FreeSWITCH (PCRE) expressions."""
        return [f"^(?:{check_no_expansion('[dialing] allowed pattern', pattern)})$"
                for pattern in self.model.dialing.allowed]

    # --- sounds and modules ------------------------------------------------------------

    def sound(self, value: str) -> str:
        """A center.toml sound as a playback argument: tone_stream, silence_stream or a path."""
        if value.startswith("tone:"):
            return TONES[value[5:]]
        if value.startswith("silence:"):
            return f"silence_stream://{int(value[8:])}"
        path = Path(value)
        if not path.is_absolute():
            path = self.center_dir / path
        return check_no_expansion(f"sound {value}", str(path))

    @property
    def codec_prefs(self) -> str:
        """The codec preference list of both SIP profiles."""
        return ",".join(self.model.sip.codecs)

    @property
    def codec_modules(self) -> list[str]:
        """Modules the configured codecs need, in first-use order."""
        modules: list[str] = []
        for codec in self.model.sip.codecs:
            module = CODEC_MODULES.get(codec)
            if module and module not in modules:
                modules.append(module)
        return modules
