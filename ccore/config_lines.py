"""Find the line of every key in a TOML source text, for error messages.

tomlkit keeps comments and layout but not line numbers, so this module scans the text once:
table headers (``[a.b]``, ``[[a]]`` counted by index), key/value pairs (dotted keys too), inline
tables and arrays (each item by index). The text is expected to be valid TOML (tomlkit parsed
it already); the scanner is lenient and never raises on odd input, it just records less.

Paths are tuples of keys and array indexes, e.g. ``("queues", 1, "strategy")``.
"""

from __future__ import annotations

import bisect
import tomllib
from dataclasses import dataclass, field

KeyPath = tuple[str | int, ...]

_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass
class KeyLines:
    """Where each key of a TOML text is: path -> 1-based line, plus repeated keys."""

    lines: dict[KeyPath, int] = field(default_factory=dict)
    duplicates: list[tuple[KeyPath, int]] = field(default_factory=list)

    def line_for(self, path: KeyPath) -> int | None:
        """Return the line of ``path``, or of its nearest ancestor that is in the text."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def locate_keys(text: str) -> KeyLines:
    """Scan a TOML text and return the line of every table, key and array item in it."""
    scanner = _Scanner(text)
    scanner.run()
    return scanner.result


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.result = KeyLines()
        self.aot_counts: dict[KeyPath, int] = {}
        self.assigned: set[KeyPath] = set()

    # --- helpers ----------------------------------------------------------------------------

    def line_at(self, pos: int) -> int:
        """Return the 1-based line of a character position."""
        return bisect.bisect_right(self.line_starts, pos)

    def peek(self, count: int = 1) -> str:
        """Return the next ``count`` characters without consuming them."""
        return self.text[self.pos : self.pos + count]

    def record(self, path: KeyPath, pos: int, *, assignment: bool = False) -> None:
        """Note the line of ``path`` and its parents; a key assigned twice is a duplicate."""
        line = self.line_at(pos)
        if assignment:
            if path in self.assigned:
                self.result.duplicates.append((path, line))
            self.assigned.add(path)
        for end in range(1, len(path)):
            self.result.lines.setdefault(path[:end], line)
        if assignment or path not in self.result.lines:
            self.result.lines[path] = line

    def skip_blank(self, *, newlines: bool) -> None:
        """Skip spaces, tabs and comments (and newlines when asked)."""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.pos += 1
            elif ch == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def skip_line(self) -> None:
        """Skip to the start of the next line."""
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end + 1

    # --- grammar ----------------------------------------------------------------------------

    def run(self) -> None:
        """Scan the whole text: headers and key/value pairs, line by line."""
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self.peek(2) == "[[":
                self.pos += 2
                table = self.header(start, array=True)
            elif self.peek() == "[":
                self.pos += 1
                table = self.header(start, array=False)
            else:
                self.key_value(table)
            self.skip_line()

    def resolve(self, keys: list[str]) -> KeyPath:
        """Turn header keys into a path, inserting the current index of arrays of tables."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in self.aot_counts:
                path = (*path, self.aot_counts[path] - 1)
        return path

    def header(self, start: int, *, array: bool) -> KeyPath:
        """Read a ``[table]`` or ``[[array]]`` header and return the table's path."""
        keys = self.key()
        if not keys:
            return ()
        parent = self.resolve(keys[:-1])
        path: KeyPath = (*parent, keys[-1])
        if array:
            index = self.aot_counts.get(path, 0)
            self.aot_counts[path] = index + 1
            self.record(path, start)
            path = (*path, index)
        self.record(path, start, assignment=True)
        return path

    def key_value(self, table: KeyPath) -> None:
        """Read ``key = value`` inside ``table``."""
        start = self.pos
        keys = self.key()
        if not keys:
            return
        path = (*table, *keys)
        self.record(path, start, assignment=True)
        self.skip_blank(newlines=False)
        if self.peek() == "=":
            self.pos += 1
            self.skip_blank(newlines=False)
            self.value(path)

    def key(self) -> list[str]:
        """Read a (dotted, possibly quoted) key and return its parts."""
        keys: list[str] = []
        while self.pos < len(self.text):
            self.skip_blank(newlines=False)
            ch = self.peek()
            if ch in "\"'":
                start = self.pos
                self.string()
                keys.append(_decode_string(self.text[start : self.pos]))
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE_KEY_CHARS:
                    self.pos += 1
                if self.pos == start:
                    return keys
                keys.append(self.text[start : self.pos])
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return keys
            self.pos += 1
        return keys

    def value(self, path: KeyPath) -> None:
        """Skip over a value, recording the keys and items inside it."""
        ch = self.peek()
        if ch == "{":
            self.pos += 1
            self.inline_table(path)
        elif ch == "[":
            self.pos += 1
            self.array(path)
        elif ch in "\"'":
            self.string()
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self.pos += 1

    def inline_table(self, path: KeyPath) -> None:
        """Read the pairs of an inline table after its ``{``."""
        while self.pos < len(self.text):
            self.skip_blank(newlines=True)
            if self.peek() == "}":
                self.pos += 1
                return
            if self.peek() == ",":
                self.pos += 1
                continue
            before = self.pos
            self.key_value(path)
            if self.pos == before:
                self.pos += 1

    def array(self, path: KeyPath) -> None:
        """Read the items of an array after its ``[``, each by index."""
        index = 0
        while self.pos < len(self.text):
            self.skip_blank(newlines=True)
            ch = self.peek()
            if ch == "]":
                self.pos += 1
                return
            if ch == ",":
                self.pos += 1
                continue
            before = self.pos
            self.record((*path, index), self.pos)
            self.value((*path, index))
            index += 1
            if self.pos == before:
                self.pos += 1

    def string(self) -> None:
        """Skip a basic, literal or multi-line string."""
        quote = self.peek()
        triple = self.peek(3) == quote * 3
        self.pos += 3 if triple else 1
        closing = quote * 3 if triple else quote
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if quote == '"' and ch == "\\":
                self.pos += 2
                continue
            if not triple and ch == "\n":
                return
            if self.text.startswith(closing, self.pos):
                self.pos += len(closing)
                while triple and self.peek() == quote:  # up to two quotes end the content
                    self.pos += 1
                return
            self.pos += 1


def _decode_string(raw: str) -> str:
    """Decode a quoted TOML key (``"a b"`` or ``'a'``) to its text."""
    try:
        return str(tomllib.loads(f"k = {raw}")["k"])
    except tomllib.TOMLDecodeError:
        return raw.strip("\"'")
