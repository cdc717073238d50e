"""SIP users: the directory, registrations (sofia::register events) and phone behaviour."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .wire import Event

if TYPE_CHECKING:
    from .channel import Channel
    from .hub import EventHub

REGISTER = ("sofia_reg.c", "sofia_reg_handle_register_token", 2059)
UNREGISTER = ("sofia_reg.c", "sofia_reg_handle_register_token", 1963)
EXPIRE = ("sofia_reg.c", "sofia_reg_del_callback", 583)


@dataclass
class PhoneBehaviour:
    """What a simulated phone does when a call reaches it.

    ``ring_seconds``: how long it rings before it answers. ``answers``: False means it rings
    until the caller gives up (NO_ANSWER). ``busy``: it rejects at once (USER_BUSY).
    ``talk_seconds``: after answering, the agent hangs up after this long (None: never,
    the other side ends the call). ``max_calls``: calls it takes at once; more are busy.
    """

    ring_seconds: float = 2.0
    answers: bool = True
    busy: bool = False
    talk_seconds: float | None = None
    max_calls: int = 1


@dataclass
class SipUser:
    """A directory user and its registration, if any."""

    user: str
    domain: str
    port: int
    behaviour: PhoneBehaviour = field(default_factory=PhoneBehaviour)
    registered: bool = False
    registered_at: float = 0.0
    expires: int = 300
    call_id: str = ""
    user_agent: str = "ccore-standin-phone"
    calls: list[Channel] = field(default_factory=list)

    @property
    def contact(self) -> str:
        """The Contact of the registration."""
        return f'"" <sip:{self.user}@127.0.0.1:{self.port}>'

    @property
    def dial_url(self) -> str:
        """What ``sofia_contact`` answers for this user."""
        return f"sofia/internal/sip:{self.user}@127.0.0.1:{self.port}"


class Directory:
    """The users the switch knows and the state of their phones.

    ``known`` None means every user name exists in the directory (an unregistered one is
    USER_NOT_REGISTERED); a set restricts it (others are SUBSCRIBER_ABSENT).
    """

    def __init__(self, hub: EventHub, domain: str, known: set[str] | None = None) -> None:
        self.hub = hub
        self.domain = domain
        self.known = known
        self.users: dict[str, SipUser] = {}
        self._next_port = 6001
        self._call_ids = 0

    def exists(self, user: str) -> bool:
        """Whether the user is in the directory."""
        return self.known is None or user in self.known or user in self.users

    def user(self, user: str) -> SipUser:
        """The user's record, made on first use."""
        if user not in self.users:
            self.users[user] = SipUser(user, self.domain, self._next_port)
            self._next_port += 1
        return self.users[user]

    def _event(self, subclass: str, sip: SipUser, status: str) -> Event:
        headers = [
            ("profile-name", "internal"), ("from-user", sip.user), ("from-host", self.domain),
            ("presence-hosts", f"{self.domain},{self.domain}"), ("contact", sip.contact),
            ("call-id", sip.call_id), ("rpid", "unknown"), ("status", status),
            ("expires", str(sip.expires)), ("to-user", sip.user), ("to-host", self.domain),
            ("network-ip", "127.0.0.1"), ("network-port", str(sip.port)),
            ("username", sip.user), ("realm", self.domain), ("user-agent", sip.user_agent),
        ]  # fmt: skip
        if subclass == "sofia::register":
            headers += [
                ("sip_number_alias", sip.user), ("sip_auth_username", sip.user),
                ("sip_auth_realm", self.domain), ("number_alias", sip.user),
                ("user_name", sip.user), ("domain_name", self.domain),
                ("user_context", "default"), ("effective_caller_id_name", f"Extension {sip.user}"),
                ("effective_caller_id_number", sip.user),
            ]  # fmt: skip
        return Event("CUSTOM", headers, subclass=subclass)

    def register(self, user: str, now: float, expires: int = 300) -> SipUser:
        """Register the user's phone: CUSTOM sofia::register."""
        sip = self.user(user)
        self._call_ids += 1
        sip.call_id = sip.call_id if sip.registered else f"{self._call_ids}-{sip.port}@127.0.0.1"
        sip.registered = True
        sip.registered_at = now
        sip.expires = expires
        self.hub.fire(self._event("sofia::register", sip, "Registered(UDP)"), REGISTER)
        return sip

    def unregister(self, user: str, *, expired: bool = False) -> None:
        """Unregister (or let expire) the user's phone: sofia::unregister / sofia::expire."""
        sip = self.users.get(user)
        if sip is None or not sip.registered:
            return
        sip.registered = False
        if expired:
            self.hub.fire(self._event("sofia::expire", sip, "Registered(UDP)"), EXPIRE)
        else:
            self.hub.fire(self._event("sofia::unregister", sip, "Unregistered(UDP)"), UNREGISTER)

    def registered(self) -> list[SipUser]:
        """The registered users, in registration order."""
        return [u for u in self.users.values() if u.registered]

    def reg_text(self, user: SipUser, hostname: str) -> list[str]:
        """One block of ``sofia status profile internal reg``."""
        exp = time.strftime("%Y-%m-%d %H:%M:%S",
                            time.localtime(user.registered_at + user.expires))
        return [
            f"Call-ID:    \t{user.call_id}", f"User:       \t{user.user}@{self.domain}",
            f"Contact:    \t{user.contact}", f"Agent:      \t{user.user_agent}",
            f"Status:     \tRegistered(UDP)(unknown) EXP({exp}) EXPSECS({user.expires})",
            "Ping-Status:\tReachable", "Ping-Time:\t0.00", f"Host:       \t{hostname}",
            "IP:         \t127.0.0.1", f"Port:       \t{user.port}",
            f"Auth-User:  \t{user.user}", f"Auth-Realm: \t{self.domain}",
            f"MWI-Account:\t{user.user}@{self.domain}", "",
        ]  # fmt: skip
