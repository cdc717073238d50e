"""The XML dialplan subset a rendered configuration uses (mod_dialplan_xml)."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .channel import Channel

log = logging.getLogger(__name__)

Action = tuple[str, str]

_FIELDS = {
    "destination_number": lambda c: c.profile.destination_number,
    "caller_id_number": lambda c: c.profile.caller_id_number,
    "caller_id_name": lambda c: c.profile.caller_id_name,
    "ani": lambda c: c.profile.ani,
    "context": lambda c: c.profile.context,
    "network_addr": lambda c: c.profile.network_addr,
    "username": lambda c: c.profile.username,
    "dialplan": lambda c: c.profile.dialplan,
    "source": lambda c: c.profile.source,
    "uuid": lambda c: c.uuid,
    "chan_name": lambda c: c.name,
}


@dataclass
class Condition:
    """``<condition field expression break>`` with its actions and anti-actions."""

    field: str | None
    expression: str | None
    actions: list[tuple[str, str, bool]] = field(default_factory=list)
    anti_actions: list[tuple[str, str, bool]] = field(default_factory=list)
    breaks: str = "on-false"


@dataclass
class Extension:
    """``<extension name continue>``."""

    name: str
    conditions: list[Condition]
    cont: bool = False


@dataclass
class Dialplan:
    """Contexts of extensions, hunted like ``dialplan_hunt`` of mod_dialplan_xml.

    ``Dialplan()`` (no contexts) is the stand-in's default: every call is parked, so an
    inbound ESL controller can take it.
    """

    contexts: dict[str, list[Extension]] = field(default_factory=dict)

    @classmethod
    def from_xml(cls, source: str | Path) -> Dialplan:
        """Read a dialplan from a file path or XML text (any nesting of ``<context>``)."""
        text = str(source)
        if not text.lstrip().startswith("<"):
            text = Path(source).read_text(encoding="utf-8")
        root = ET.fromstring(text)
        contexts: dict[str, list[Extension]] = {}
        for ctx in root.iter("context"):
            exts = contexts.setdefault(ctx.get("name", "default"), [])
            for ext in ctx.iter("extension"):
                conditions = [cls._condition(c) for c in ext.findall("condition")]
                exts.append(Extension(ext.get("name", ""), conditions,
                                      ext.get("continue", "false") == "true"))
        return cls(contexts)

    @staticmethod
    def _condition(elem: ET.Element) -> Condition:
        cond = Condition(elem.get("field"), elem.get("expression"),
                         breaks=elem.get("break", "on-false"))
        for child in elem:
            item = (child.get("application", ""), child.get("data", ""),
                    child.get("inline", "false") == "true")
            if child.tag == "action":
                cond.actions.append(item)
            elif child.tag == "anti-action":
                cond.anti_actions.append(item)
        return cond

    def applications(self) -> set[str]:
        """Every application name the dialplan uses."""
        return {
            app
            for exts in self.contexts.values()
            for ext in exts
            for cond in ext.conditions
            for app, _, _ in cond.actions + cond.anti_actions
        }

    def unknown_applications(self) -> set[str]:
        """Applications the stand-in does not implement (a call reaching one fails)."""
        from .apps import APPLICATIONS

        return {app for app in self.applications() if app not in APPLICATIONS}

    def hunt(self, channel: Channel) -> list[Action] | None:
        """The actions for the channel's destination in its context, or None (no route)."""
        if not self.contexts:
            return [("park", "")]
        extensions = self.contexts.get(channel.profile.context)
        if extensions is None:
            log.warning("stand-in: no dialplan context %s", channel.profile.context)
            return None
        found: list[Action] = []
        matched = False
        for ext in extensions:
            actions, ok = self._run_extension(ext, channel)
            if ok:
                matched = True
                found += actions
                if not ext.cont:
                    break
        return found if matched else None

    def _run_extension(self, ext: Extension, channel: Channel) -> tuple[list[Action], bool]:
        actions: list[Action] = []
        ok = True
        for cond in ext.conditions:
            passed, groups = self._test(cond, channel)
            items = cond.actions if passed else cond.anti_actions
            for app, data, inline in items:
                data = _substitute(data, groups)
                if inline and app == "set":
                    name, _, value = channel.expand(data).partition("=")
                    channel.set_var(name, value or None)
                else:
                    actions.append((app, data))
            if not passed:
                ok = bool(actions)
                if cond.breaks in ("on-false", "always"):
                    break
            elif cond.breaks in ("on-true", "always"):
                break
        return actions, ok and (bool(actions) or all(
            self._test(c, channel)[0] for c in ext.conditions))

    @staticmethod
    def _test(cond: Condition, channel: Channel) -> tuple[bool, tuple[str, ...]]:
        if cond.field is None:
            return True, ()
        if cond.field in _FIELDS:
            value = _FIELDS[cond.field](channel)
        else:
            value = channel.expand(cond.field)
        match = re.search(cond.expression or "", value or "")
        if match is None:
            return False, ()
        return True, (match.group(0), *[g or "" for g in match.groups()])


def _substitute(data: str, groups: tuple[str, ...]) -> str:
    """Replace ``$1``..``$9`` with the condition's captures."""
    if "$" not in data or not groups:
        return data
    return re.sub(r"\$(\d)", lambda m: groups[int(m.group(1))] if int(m.group(1)) < len(groups)
                  else "", data)
