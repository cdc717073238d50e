"""FreeSWITCH's XML preprocessor, reproduced to read a rendered configuration as FreeSWITCH does.

Like ``preprocess()`` in FreeSWITCH's ``src/switch_xml.c``, line by line: ``$${name}`` is
replaced with a variable set earlier; a line holding ``<include>``, ``</include>`` or ``<?``
is dropped; ``<X-PRE-PROCESS cmd="set" data="name=value"/>`` sets a variable and
``cmd="include"`` pulls in every file matching a glob, relative to the including file's
directory, in sorted order. Every output line remembers the file and line it came from, so a
problem found in the expanded document can be reported where it was written.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

BUILTIN_VARIABLES = frozenset({
    "hostname", "local_ip_v4", "local_mask_v4", "local_ip_v6", "switch_serial", "base_dir",
    "recordings_dir", "sounds_dir", "conf_dir", "log_dir", "run_dir", "db_dir", "mod_dir",
    "htdocs_dir", "script_dir", "temp_dir", "grammar_dir", "certs_dir", "storage_dir",
    "cache_dir", "core_uuid", "nat_public_addr", "nat_private_addr", "nat_type",
})
"""Variables FreeSWITCH computes at start-up; they stay as ``$${name}`` in the expansion."""

MAX_LINE = 2047  # switch_xml.c reads lines into a 2048-byte buffer
_VARIABLE = re.compile(r"\$\$\{([^}]*)\}")
_DIRECTIVE = re.compile(r"<X-PRE-PROCESS\b", re.IGNORECASE)
_CMD = re.compile(r'\bcmd\s*=\s*"([^"]*)"', re.IGNORECASE)
_DATA = re.compile(r'\bdata\s*=\s*"([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True)
class Origin:
    """Where a line of the expanded document was written."""

    file: Path
    line: int


@dataclass
class ExpandedConfig:
    """The whole configuration as FreeSWITCH sees it after preprocessing."""

    root: Path = Path("freeswitch.xml")
    lines: list[str] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    problems: list[tuple[Origin, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The expanded document."""
        return "".join(self.lines)

    def origin_of(self, line: int) -> Origin:
        """The origin of a 1-based line of :attr:`text`."""
        if not self.origins:
            return Origin(self.root, 1)
        index = min(max(line - 1, 0), len(self.origins) - 1)
        return self.origins[index]


def _expand_variables(line: str, variables: dict[str, str], origin: Origin,
                      problems: list[tuple[Origin, str]]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables:
            return variables[name]
        if name not in BUILTIN_VARIABLES:
            problems.append((origin, f"preprocessor variable $${{{name}}} is never set"))
            return ""
        return match.group(0)

    return _VARIABLE.sub(replace, line)


def _include(cwd: Path, pattern: str, result: ExpandedConfig, origin: Origin,
             depth: int) -> None:
    full = Path(os.path.normpath(pattern if Path(pattern).is_absolute() else cwd / pattern))
    if any(char in pattern for char in "*?["):
        matches = sorted(full.parent.glob(full.name)) if full.parent.is_dir() else []
    else:
        matches = [full] if full.exists() else []
    if not matches:
        result.problems.append((origin, f"include {pattern!r} matches no file"))
    for match in matches:
        _preprocess(match, result, depth + 1)


def _preprocess(path: Path, result: ExpandedConfig, depth: int) -> None:
    if depth > 100:
        result.problems.append((Origin(path, 1), "includes nested more than 100 deep"))
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        result.problems.append((Origin(path, 1), f"cannot read: {error.__class__.__name__}"))
        return
    result.files.append(path)
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        origin = Origin(path, number)
        if "$${" in raw and len(raw.encode("utf-8")) > MAX_LINE:
            result.problems.append((origin, "line with $${...} is longer than FreeSWITCH's"
                                            f" {MAX_LINE + 1}-byte preprocessor buffer"))
        line = _expand_variables(raw, result.variables, origin, result.problems)
        if "<include>" in line or "</include>" in line or "<?" in line:
            continue
        if _DIRECTIVE.search(line):
            command = _CMD.search(line)
            data = _DATA.search(line)
            if not command or not data:
                result.problems.append((origin, "X-PRE-PROCESS without cmd and data"))
                continue
            if command.group(1).lower() == "set":
                name, _, value = data.group(1).partition("=")
                result.variables[name.strip()] = value.strip()
            elif command.group(1).lower() == "include":
                _include(path.parent, data.group(1), result, origin, depth)
            else:
                result.problems.append((origin, f"X-PRE-PROCESS cmd {command.group(1)!r} is"
                                                " not used by ccore's configuration"))
            continue
        if not line.endswith("\n"):
            line += "\n"
        result.lines.append(line)
        result.origins.append(origin)


def expand_config(conf_dir: Path, root: str = "freeswitch.xml") -> ExpandedConfig:
    """Preprocess ``conf_dir/root`` (and everything it includes) as FreeSWITCH would."""
    result = ExpandedConfig(root=Path(conf_dir) / root)
    _preprocess(result.root, result, 0)
    return result


def load_expanded_dialplan(conf_dir: Path) -> ET.Element:
    """The ``dialplan`` section after preprocessing: ``<section>`` of ``<context>`` elements.

    For the stand-in switch and tests: ``section.iter("context")`` gives every context with
    its extensions, conditions and actions exactly as FreeSWITCH reads them.
    """
    document = ET.fromstring(expand_config(conf_dir).text)
    for section in document.iter("section"):
        if section.get("name") == "dialplan":
            return section
    raise ValueError(f"{conf_dir}/freeswitch.xml has no dialplan section")
