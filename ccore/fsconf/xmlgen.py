"""A tiny, deterministic XML writer for FreeSWITCH configuration files.

FreeSWITCH reads its configuration through a line-based preprocessor before parsing the XML
(``src/switch_xml.c``: ``preprocess``): a line containing ``<include>``, ``</include>`` or
``<?`` is dropped, an ``X-PRE-PROCESS`` tag is acted on and the rest of its line thrown away,
and ``$${name}`` is replaced on every line. This writer therefore puts every element on its
own line, and every value taken from center.toml goes through :func:`attr_value`, which
escapes what XML needs escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

INDENT = "  "
HEADER = '<?xml version="1.0"?>'


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def attr_value(value: str) -> str:
    """Escape ``value`` for a double-quoted XML attribute (``&``, ``<``, ``>``, ``"``, newlines).

    Characters XML 1.0 cannot carry at all (most control characters) are dropped.
    """
    return (
        _NOT_XML.sub("", value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def comment_text(text: str) -> str:
    """Make ``text`` safe inside ``<!-- -->``: no ``--``, and never a preprocessor ``#`` cmd."""
    safe = text.replace("--", "- -").replace("\n", " ")
    return safe.lstrip("#")


@dataclass
class Comment:
    """An XML comment on its own line."""

    text: str


@dataclass
class Element:
    """An element with ordered attributes and children (elements or comments)."""

    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[Element | Comment] = field(default_factory=list)

    def add(self, child: Element | Comment) -> Element | Comment:
        """Append ``child`` and return it."""
        self.children.append(child)
        return child

    def extend(self, children: Iterable[Element | Comment]) -> Element:
        """Append every child and return self."""
        self.children.extend(children)
        return self


def el(tag: str, *children: Element | Comment, **attrs: str) -> Element:
    """Build an element; keyword attributes keep their order (``name`` before ``value``)."""
    return Element(tag, list(attrs.items()), list(children))


def elem(tag: str, attrs: Iterable[tuple[str, str]] = (), children: Iterable[Element | Comment] = ()
         ) -> Element:
    """Build an element from explicit attribute pairs (for names that are not identifiers)."""
    return Element(tag, list(attrs), list(children))


def param(name: str, value: str) -> Element:
    """``<param name=".." value=".."/>``, the unit of most FreeSWITCH settings."""
    return elem("param", [("name", name), ("value", value)])


def variable(name: str, value: str) -> Element:
    """``<variable name=".." value=".."/>`` of a directory user or domain."""
    return elem("variable", [("name", name), ("value", value)])


def preprocess(cmd: str, data: str) -> Element:
    """An ``X-PRE-PROCESS`` directive (``set`` or ``include``)."""
    return elem("X-PRE-PROCESS", [("cmd", cmd), ("data", data)])


def _render(node: Element | Comment, depth: int, lines: list[str]) -> None:
    pad = INDENT * depth
    if isinstance(node, Comment):
        lines.append(f"{pad}<!-- {comment_text(node.text)} -->")
        return
    attrs = "".join(f' {name}="{attr_value(value)}"' for name, value in node.attrs)
    if not node.children:
        lines.append(f"{pad}<{node.tag}{attrs}/>")
        return
    lines.append(f"{pad}<{node.tag}{attrs}>")
    for child in node.children:
        _render(child, depth + 1, lines)
    lines.append(f"{pad}</{node.tag}>")


def render_document(root: Element, header_comment: str | None = None,
                    xml_declaration: bool = False) -> str:
    """Serialize ``root`` as a whole file, one element per line, ending with a newline."""
    lines: list[str] = []
    if xml_declaration:
        lines.append(HEADER)
    if header_comment:
        lines.append(f"<!-- {comment_text(header_comment)} -->")
    _render(root, 0, lines)
    return "\n".join(lines) + "\n"


def render_include(children: Iterable[Element | Comment], header_comment: str | None = None) -> str:
    """Serialize a file meant to be pulled in by ``X-PRE-PROCESS include``: ``<include>`` root."""
    return render_document(Element("include", [], list(children)), header_comment)
