"""``check_freeswitch_conf``: read a rendered configuration as FreeSWITCH would and check it.

Every XML file must be well-formed on its own. Then the whole configuration is preprocessed
(includes, ``$${vars}``) and every cross-reference checked: the contexts profiles and
transfers name, the gateways and users bridges dial, voicemail boxes, ACLs, the center's
sound files, the modules the dialplan's applications need. Each problem names the file and
line where it was written.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from ccore.fsconf.preprocess import ExpandedConfig, Origin, expand_config
from ccore.fsconf.xmltree import Node, XmlSyntaxError, parse

DEFAULT_PASSWORDS = frozenset({"1234", "ClueCon", "2345", ""})
REQUIRED_MODULES = ("mod_sofia", "mod_event_socket", "mod_dptools", "mod_dialplan_xml",
                    "mod_commands")
APPLICATION_MODULES = {"socket": "mod_event_socket", "voicemail": "mod_voicemail"}
STREAM_PREFIXES = ("tone_stream://", "silence_stream://", "local_stream://")
_RUNTIME_VARIABLE = re.compile(r"(?<!\$)\$\{")


@dataclass(frozen=True, order=True)
class ConfProblem:
    """One problem of a configuration: the file and line it is on, and what is wrong."""

    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class _Checker:
    """Cross-reference checks over the preprocessed document."""

    def __init__(self, expanded: ExpandedConfig, root: Node) -> None:
        self.expanded = expanded
        self.root = root
        self.problems: list[ConfProblem] = []
        self.variables = expanded.variables

    def report(self, node: Node, message: str) -> None:
        origin: Origin = self.expanded.origin_of(node.line)
        self.problems.append(ConfProblem(origin.file, origin.line, message))

    def section(self, name: str) -> Node | None:
        return next((s for s in self.root.find_all("section") if s.get("name") == name), None)

    def configuration(self, name: str) -> Node | None:
        section = self.section("configuration")
        if section is None:
            return None
        return next((c for c in section.find_all("configuration") if c.get("name") == name), None)

    # --- what the configuration defines --------------------------------------------------

    def collect(self) -> None:
        modules = self.configuration("modules.conf")
        self.modules = {n.get("module") for n in modules.iter("load")} if modules else set()
        acl = self.configuration("acl.conf")
        self.acls = {n.get("name") for n in acl.iter("list")} if acl else set()
        dialplan = self.section("dialplan")
        self.contexts: dict[str, Node] = {}
        for context in dialplan.iter("context") if dialplan else []:
            if context.get("name") in self.contexts:
                self.report(context, f"context {context.get('name')!r} is defined twice")
            self.contexts[context.get("name")] = context
        sofia = self.configuration("sofia.conf")
        self.profiles = list(sofia.iter("profile")) if sofia else []
        self.gateways: dict[str, Node] = {}
        for gateway in sofia.iter("gateway") if sofia else []:
            if gateway.get("name") in self.gateways:
                self.report(gateway, f"gateway {gateway.get('name')!r} is defined twice")
            self.gateways[gateway.get("name")] = gateway
        directory = self.section("directory")
        self.users: dict[str, set[str]] = {}
        for domain in directory.iter("domain") if directory else []:
            ids = self.users.setdefault(domain.get("name"), set())
            for user in domain.iter("user"):
                if user.get("id") in ids:
                    self.report(user, f"user {user.get('id')!r} is defined twice")
                ids.add(user.get("id"))
        voicemail = self.configuration("voicemail.conf")
        self.voicemail_profiles = (
            {p.get("name") for p in voicemail.iter("profile")} if voicemail else set()
        )

    # --- checks ------------------------------------------------------------------------

    def check_modules(self) -> None:
        node = self.configuration("modules.conf") or self.root
        for module in REQUIRED_MODULES:
            if module not in self.modules:
                self.report(node, f"{module} is not loaded; ccore cannot work without it")

    def acl_known(self, name: str) -> bool:
        return name.endswith(".auto") or name in self.acls

    def check_event_socket(self) -> None:
        config = self.configuration("event_socket.conf")
        if config is None:
            self.report(self.root, "event_socket.conf is missing: ccore cannot connect")
            return
        params = config.params()
        listen = params.get("listen-ip")
        if listen is None or not _is_loopback(listen.get("value")):
            self.report(listen or config, "the event socket must listen on 127.0.0.1 only")
        password = params.get("password")
        if password is None or password.get("value") in DEFAULT_PASSWORDS:
            self.report(password or config, "the event socket has no password or a default one")
        acl = params.get("apply-inbound-acl")
        if acl is None:
            self.report(config, "the event socket has no apply-inbound-acl")
        elif not self.acl_known(acl.get("value")):
            self.report(acl, f"ACL {acl.get('value')!r} is not defined in acl.conf")

    def check_profiles(self) -> None:
        for profile in self.profiles:
            params = profile.params()
            context = params.get("context")
            if context is not None and context.get("value") not in self.contexts:
                self.report(context, f"profile {profile.get('name')!r} sends calls to context"
                                     f" {context.get('value')!r}, which does not exist")
            for name in ("apply-inbound-acl", "apply-register-acl", "apply-nat-acl",
                         "local-network-acl"):
                acl = params.get(name)
                if acl is not None and not self.acl_known(acl.get("value")):
                    self.report(acl, f"ACL {acl.get('value')!r} is not defined in acl.conf")
            for name in ("ext-rtp-ip", "ext-sip-ip"):
                address = params.get(name)
                if address is not None and address.get("value").lower().startswith("stun:"):
                    self.report(address, f"{name} uses STUN: without internet mod_sofia does"
                                         " not load at all; use an address or auto")
        for name, gateway in self.gateways.items():
            context = gateway.params().get("context")
            if context is not None and context.get("value") not in self.contexts:
                self.report(context, f"gateway {name!r} sends calls to context"
                                     f" {context.get('value')!r}, which does not exist")

    def check_directory(self) -> None:
        directory = self.section("directory")
        for user in directory.iter("user") if directory else []:
            password = user.params().get("password")
            if password is None or password.get("value") in DEFAULT_PASSWORDS:
                self.report(password or user, f"user {user.get('id')!r} has no password or a"
                                              " default one")

    def resolve_domain(self, domain: str) -> str:
        for name in ("domain_name", "domain"):
            domain = domain.replace("${" + name + "}", self.variables.get(name, ""))
        return domain

    def check_user(self, node: Node, user: str, domain: str) -> None:
        resolved = self.resolve_domain(domain)
        if _RUNTIME_VARIABLE.search(resolved):
            return  # decided at run time ($${builtin} stays comparable as written)
        if resolved not in self.users:
            self.report(node, f"domain {resolved!r} is not in the directory")
        elif user not in self.users[resolved]:
            self.report(node, f"user {user!r} is not in the directory")

    def check_bridge(self, node: Node, data: str) -> None:
        for target in re.split(r",|\||:_:", data):
            target = re.sub(r"^(\{[^}]*\}|\[[^\]]*\]|<[^>]*>)+", "", target.strip())
            if target.startswith("sofia/gateway/"):
                name = target.split("/")[2]
                if name not in self.gateways:
                    self.report(node, f"bridge names gateway {name!r}, which does not exist")
            elif target.startswith("user/"):
                user, _, domain = target[5:].partition("@")
                if domain and "${" not in user:
                    self.check_user(node, user, domain)

    def check_sound(self, node: Node, data: str) -> None:
        if data.startswith(STREAM_PREFIXES) or "${" in data or "$${" in data:
            return
        path = Path(data)
        if path.is_absolute() and not path.exists():
            self.report(node, f"sound file {data} does not exist")

    def check_action(self, node: Node) -> None:
        application = node.get("application")
        data = node.get("data")
        module = APPLICATION_MODULES.get(application, "mod_dptools")
        if module not in self.modules:
            self.report(node, f"application {application!r} needs {module}, which is not loaded")
        if application == "bridge":
            self.check_bridge(node, data)
        elif application in ("playback", "endless_playback"):
            self.check_sound(node, data)
        elif application == "transfer":
            parts = data.split()
            if len(parts) >= 3 and parts[2] not in self.contexts:
                self.report(node, f"transfer to context {parts[2]!r}, which does not exist")
        elif application == "voicemail":
            parts = [part for part in data.split() if part != "check"]
            if len(parts) >= 3:
                if parts[0] not in self.voicemail_profiles:
                    self.report(node, f"voicemail profile {parts[0]!r} is not configured")
                self.check_user(node, parts[2], parts[1])
        elif application == "socket" and not re.match(r"^\S+:\d+( |$)", data):
            self.report(node, f"socket needs host:port, got {data!r}")

    def check_dialplan(self) -> None:
        if not self.contexts:
            self.report(self.root, "the dialplan has no context")
        for context in self.contexts.values():
            for node in context.iter():
                if node.tag in ("action", "anti-action"):
                    self.check_action(node)
            for extension in context.iter("extension"):
                actions = list(extension.iter("action"))
                if actions and actions[-1].get("application") == "socket":
                    self.report(actions[-1], "nothing follows the socket to ccore: callers hear"
                                             " dead air when ccore is down")

    def run(self) -> list[ConfProblem]:
        self.collect()
        self.check_modules()
        self.check_event_socket()
        self.check_profiles()
        self.check_directory()
        self.check_dialplan()
        return self.problems


def _is_loopback(value: str) -> bool:
    try:
        return ipaddress.ip_address(value).is_loopback
    except ValueError:
        return False


def check_files_well_formed(conf_dir: Path) -> list[ConfProblem]:
    """Parse every ``*.xml`` under ``conf_dir`` on its own; report syntax errors with lines."""
    problems: list[ConfProblem] = []
    for path in sorted(Path(conf_dir).rglob("*.xml")):
        try:
            parse(path.read_text(encoding="utf-8"))
        except XmlSyntaxError as error:
            problems.append(ConfProblem(path, error.line, f"not well-formed XML: {error}"))
        except (OSError, UnicodeDecodeError) as error:
            problems.append(ConfProblem(path, 1, f"cannot read: {error.__class__.__name__}"))
    return problems


def check_freeswitch_conf(conf_dir: Path) -> list[ConfProblem]:
    """Return every problem found in the configuration under ``conf_dir`` (empty: all good)."""
    conf_dir = Path(conf_dir)
    root_file = conf_dir / "freeswitch.xml"
    if not root_file.exists():
        return [ConfProblem(root_file, 0, "freeswitch.xml is missing")]
    problems = check_files_well_formed(conf_dir)
    if problems:
        return sorted(set(problems))
    expanded = expand_config(conf_dir)
    problems += [ConfProblem(origin.file, origin.line, message)
                 for origin, message in expanded.problems]
    try:
        root = parse(expanded.text)
    except XmlSyntaxError as error:
        origin = expanded.origin_of(error.line)
        problems.append(ConfProblem(origin.file, origin.line, f"after preprocessing: {error}"))
        return sorted(set(problems))
    problems += _Checker(expanded, root).run()
    return sorted(set(problems))
