"""The IVR as a tree of nodes, with the problems of each (no Textual: plain, tested code)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ccore_tui.forms import describe_destination

KEY_ORDER = "1234567890*#"


@dataclass
class IvrNode:
    """One line of the tree: a number, a menu, an option or a menu's fallback."""

    label: str
    kind: str  # "numbers", "number", "menu", "option", "default", "closed", "others"
    menu: str | None = None
    key: str | None = None
    problems: list[str] = field(default_factory=list)
    children: list[IvrNode] = field(default_factory=list)

    @property
    def ref(self) -> tuple[str, str | None, str | None]:
        """What the node is about, to find it again after the tree is rebuilt."""
        return (self.kind, self.menu, self.key)


def problems_by_key(problems: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Problems grouped by their key path (``ivr.main.greeting``)."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(str(problem.get("key", "")), []).append(str(problem.get("message")))
    return grouped


def _menu_problems(name: str, problems: dict[str, list[str]]) -> list[str]:
    prefix = f"ivr.{name}."
    return [
        f"{key[len(prefix) :]}: {message}"
        for key, messages in problems.items()
        if key.startswith(prefix) and not key.startswith(f"{prefix}options.")
        for message in messages
    ]


def menu_node(
    name: str,
    menus: Mapping[str, Any],
    problems: dict[str, list[str]],
    seen: tuple[str, ...] = (),
) -> IvrNode:
    """A menu with its options; a submenu's options under it (a loop is shown, not followed)."""
    menu = menus.get(name)
    if menu is None:
        return IvrNode(f"menu {name} (does not exist)", "menu", name, problems=["no such menu"])
    summary = (
        f"menu {name}: greeting {menu.get('greeting')}, waits {menu.get('timeout')}s,"
        f" {menu.get('max_tries')} tries"
    )
    node = IvrNode(summary, "menu", name, problems=_menu_problems(name, problems))
    if name in seen:
        node.label = f"menu {name} (back to it, see above)"
        return node
    options = menu.get("options") or {}
    for key in sorted(options, key=lambda k: KEY_ORDER.find(k) if k in KEY_ORDER else 99):
        option = options[key]
        option_problems = [
            message
            for path, messages in problems.items()
            if path.startswith(f"ivr.{name}.options.{key}")
            for message in messages
        ]
        child = IvrNode(
            f"key {key} → {describe_destination(option)}", "option", name, key, option_problems
        )
        if option.get("action") == "submenu":
            child.children.append(menu_node(option.get("menu", ""), menus, problems, (*seen, name)))
        node.children.append(child)
    node.children.append(
        IvrNode(
            f"no key / wrong keys → {describe_destination(menu.get('default'))}", "default", name
        )
    )
    if menu.get("hours"):
        closed = (
            describe_destination(menu.get("closed"))
            if menu.get("closed")
            else ("the hours' closed action")
        )
        node.children.append(IvrNode(f"outside hours {menu['hours']} → {closed}", "closed", name))
    return node


def build_ivr_tree(model: Mapping[str, Any], problems: list[Mapping[str, Any]]) -> list[IvrNode]:
    """Top-level nodes: each number that goes to a menu, then menus no number reaches."""
    menus = model.get("ivr") or {}
    grouped = problems_by_key(problems)
    reached: set[str] = set()
    numbers = IvrNode("Numbers callers dial", "numbers")
    for number in model.get("numbers") or []:
        label = f"{number['number']} {number.get('name') or ''}".strip()
        if number.get("ivr"):
            node = IvrNode(f"{label} → menu {number['ivr']}", "number", number["ivr"])
            node.children.append(menu_node(number["ivr"], menus, grouped))
            _collect(node, reached)
        elif number.get("queue"):
            node = IvrNode(f"{label} → queue {number['queue']} (no menu)", "number")
        else:
            node = IvrNode(f"{label} → ring {number.get('extension')} (no menu)", "number")
        numbers.children.append(node)
    others = IvrNode("Menus no number reaches directly", "others")
    for name in menus:
        if name not in reached:
            node = menu_node(name, menus, grouped)
            _collect(node, reached)
            others.children.append(node)
    return [numbers, others] if others.children else [numbers]


def _collect(node: IvrNode, reached: set[str]) -> None:
    if node.kind == "menu" and node.menu:
        reached.add(node.menu)
    for child in node.children:
        _collect(child, reached)


def flat_problems(nodes: list[IvrNode]) -> list[str]:
    """Every problem in the tree, with the menu it is in."""
    found: list[str] = []

    def visit(node: IvrNode) -> None:
        for problem in node.problems:
            where = f"menu {node.menu}" + (f", key {node.key}" if node.key else "")
            line = f"{where}: {problem}"
            if line not in found:
                found.append(line)
        for child in node.children:
            visit(child)

    for node in nodes:
        visit(node)
    return found
