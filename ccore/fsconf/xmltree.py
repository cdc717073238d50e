"""A small XML tree that remembers the line of every element (ElementTree does not)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat


@dataclass
class Node:
    """An element: tag, attributes, children and the 1-based line it starts on."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        """An attribute's value, or ``default``."""
        return self.attrs.get(name, default)

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        """This node and every descendant (with ``tag``, when given), in document order."""
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            yield from child.iter(tag)

    def find_all(self, tag: str) -> list[Node]:
        """Direct children with ``tag``."""
        return [child for child in self.children if child.tag == tag]

    def params(self) -> dict[str, Node]:
        """``<param name=.. value=..>`` children of this node's direct children and itself."""
        found: dict[str, Node] = {}
        for node in [self, *self.children]:
            for child in node.find_all("param"):
                found.setdefault(child.get("name"), child)
        return found


class XmlSyntaxError(Exception):
    """The text is not well-formed XML; ``line`` is where expat gave up."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse(text: str) -> Node:
    """Parse ``text`` into a tree of :class:`Node` with line numbers."""
    parser = expat.ParserCreate()
    root = Node("#document", {}, 1)
    stack = [root]

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = Node(tag, attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(text, True)
    except expat.ExpatError as error:
        raise XmlSyntaxError(expat.ErrorString(error.code), error.lineno) from None
    if not root.children:
        raise XmlSyntaxError("no root element", 1)
    return root.children[0]
