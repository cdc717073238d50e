"""Centers for the fsconf tests, written as real center.toml files, and a tiny dialplan walker.

No tests here: the ``test_fsconf_*`` modules import these helpers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import tomlkit

from ccore.config import CenterConfig, load_center
from ccore.fsconf import load_expanded_dialplan


def write_center(directory: Path, data: dict[str, Any]) -> CenterConfig:
    """Write ``data`` as ``directory/center.toml`` and load it as ccore does."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "center.toml").write_text(tomlkit.dumps(data), encoding="utf-8")
    return load_center(directory)


def operators(count: int, first: int = 1001, outbound: set[str] = frozenset()) -> list[dict]:
    """``count`` operators on consecutive extensions."""
    result = []
    for number in range(first, first + count):
        entry: dict[str, Any] = {"extension": str(number), "name": f"Operator {number}"}
        if str(number) in outbound:
            entry["outbound_allowed"] = True
        result.append(entry)
    return result


def one_operator() -> dict[str, Any]:
    """The smallest center: one operator, one inbound number ringing them, no trunk."""
    return {
        "center": {"name": "Solo"},
        "operators": operators(1),
        "numbers": [{"number": "+4930100100", "extension": "1001"}],
    }


def forty_operators() -> dict[str, Any]:
    """Forty operators, a queue, a trunk and national dialing for two of them."""
    return {
        "center": {"name": "Forty"},
        "sip": {"domain": "pbx.example.com"},
        "trunks": [{"name": "carrier", "proxy": "sip.carrier.example", "username": "c1",
                    "password": "trunk-secret-1", "caller_id_number": "+4930200200"}],
        "operators": operators(40, outbound={"1001", "1002"}),
        "queues": [{"name": "support"}],
        "numbers": [
            {"number": "+4930200200", "name": "Support", "queue": "support", "trunk": "carrier",
             "fallback": {"ring": ["1001", "1002", "1003"], "ring_timeout": 25}},
            {"number": "+4930200201", "name": "Sales", "queue": "support"},
        ],
        "dialing": {"allowed": ["0[1-9][0-9]{6,11}"], "emergency": ["112"]},
    }


def no_trunk() -> dict[str, Any]:
    """Operators and a number but no trunk: nothing can be dialed out."""
    return {
        "center": {"name": "Island"},
        "operators": operators(3, outbound={"1001"}),
        "queues": [{"name": "support"}],
        "numbers": [{"number": "+4930300300", "queue": "support"}],
        "dialing": {"allowed": ["0[1-9][0-9]{6,11}"], "emergency": ["112"]},
    }


def two_trunks() -> dict[str, Any]:
    """A registering trunk (password from the environment) and an IP trunk; voicemail used."""
    return {
        "center": {"name": "Twin"},
        "trunks": [
            {"name": "main", "proxy": "sip.main.example", "username": "main-user",
             "password_env": "CCORE_TEST_TRUNK_PASSWORD", "register": True},
            {"name": "backup", "proxy": "192.0.2.10", "register": False},
        ],
        "operators": operators(2, outbound={"1002"}),
        "queues": [{"name": "support"}],
        "voicemail": {"general": {"name": "General"}},
        "numbers": [
            {"number": "+4930400400", "queue": "support", "trunk": "main",
             "fallback": {"message": "tone:beep", "voicemail": "general"}},
            {"number": "4930400401", "queue": "support", "trunk": "backup"},
        ],
        "dialing": {"allowed": ["00[1-9][0-9]{6,14}"], "trunk": "backup"},
    }


CENTERS = {
    "one_operator": one_operator,
    "forty_operators": forty_operators,
    "no_trunk": no_trunk,
    "two_trunks": two_trunks,
}


def _field_value(field: str, destination: str, variables: dict[str, str]) -> str:
    if field == "destination_number":
        return destination
    match = re.fullmatch(r"\$\{(\w+)\}", field)
    return variables.get(match.group(1), "") if match else variables.get(field, "")


def route(conf_dir: Path, context: str, destination: str,
          variables: dict[str, str] | None = None) -> tuple[str, list[tuple[str, str]]]:
    """The first extension of ``context`` whose conditions all match, and its actions."""
    variables = variables or {}
    section = load_expanded_dialplan(conf_dir)
    for ctx in section.iter("context"):
        if ctx.get("name") != context:
            continue
        for extension in ctx.iter("extension"):
            conditions = extension.findall("condition")
            if all(re.search(c.get("expression", ""),
                             _field_value(c.get("field", ""), destination, variables))
                   for c in conditions):
                actions = [(a.get("application", ""), a.get("data", ""))
                           for c in conditions for a in c.findall("action")]
                return extension.get("name", ""), actions
    raise AssertionError(f"nothing in {context} matches {destination}")


def parse_file(path: Path) -> ET.Element:
    """Parse one rendered file with ElementTree."""
    return ET.parse(path).getroot()
