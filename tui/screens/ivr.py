"""The IVR: menus as a tree, options added and edited in place, problems shown inline."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from ccore_tui.editor import Rejected
from ccore_tui.ivr_tree import IvrNode, build_ivr_tree, flat_problems
from ccore_tui.screens.base import CenterScreen
from ccore_tui.screens.ivr_forms import MenuForm, OptionForm
from ccore_tui.state import CenterState


class IvrScreen(CenterScreen):
    """Menus callers hear, and what each key does."""

    CSS_PATH = "ivr.tcss"
    BINDINGS = [
        Binding("o", "add_option", "Add key"),
        Binding("m", "new_menu", "New menu"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "remove", "Remove"),
    ]

    def body(self) -> ComposeResult:
        yield Static("IVR menus", classes="section-title")
        yield Tree[IvrNode]("Calls arrive", id="ivr-tree")
        yield Static("", id="ivr-problems")
        yield Static(
            "o add a key to the selected menu · m new menu · e edit · d remove · a apply",
            classes="hint",
        )

    def on_mount(self) -> None:
        """Focus the tree."""
        self._shown = None
        tree = self.query_one(Tree)
        tree.show_root = False
        tree.focus()

    def show_state(self, state: CenterState) -> None:
        """Rebuild the tree when center.toml changed (not on every tick)."""
        super().show_state(state)
        if not self.is_mounted or not state.config:
            return
        key = (state.config.get("text"), repr(state.problems()))
        if key == self._shown:
            return
        self._shown = key
        nodes = build_ivr_tree(state.model, state.problems())
        tree = self.query_one(Tree)
        selected = tree.cursor_node.data.ref if tree.cursor_node and tree.cursor_node.data else None
        tree.clear()
        for node in nodes:
            self._add(tree.root, node)
        tree.root.expand_all()
        if selected is not None:
            self._reselect(tree, selected)
        else:  # start on the first menu: o and e act on it straight away
            first = next((n for n in nodes[0].children if n.menu), None)
            if first is not None:
                self._reselect(tree, first.children[0].ref if first.children else first.ref)
        problems = flat_problems(nodes)
        panel = self.query_one("#ivr-problems", Static)
        panel.display = bool(problems)
        panel.update("Problems:\n" + "\n".join(f"  ⚠ {p}" for p in problems))

    def _add(self, parent: TreeNode[IvrNode], node: IvrNode) -> None:
        label = Text(node.label)
        if node.problems:
            label = Text(f"⚠ {node.label}", style="bold red")
        elif node.kind in ("numbers", "others"):
            label.stylize("bold")
        if node.children:
            branch = parent.add(label, data=node, expand=True)
            for child in node.children:
                self._add(branch, child)
        else:
            parent.add_leaf(label, data=node)

    def _reselect(self, tree: Tree[IvrNode], ref: tuple[Any, ...]) -> None:
        for line in range(tree.last_line + 1):
            node = tree.get_node_at_line(line)
            if node is not None and node.data is not None and node.data.ref == ref:
                tree.move_cursor(node)
                return

    def _selected(self) -> IvrNode | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None else None

    def _menus(self) -> dict[str, Any]:
        return dict(self.state.model.get("ivr") or {})

    def action_add_option(self) -> None:
        """Add a key to the selected menu (or the menu of the selected line)."""
        node = self._selected()
        if node is None or node.menu is None:
            self.notify("Select a menu first (or press m for a new menu)", severity="warning")
            return
        self.app.push_screen(OptionForm(self.editor, node.menu, None, self.state.model))

    def action_new_menu(self) -> None:
        """Create a menu."""
        self.app.push_screen(MenuForm(self.editor, None, self.state.model))

    def on_tree_node_selected(self, event: Tree.NodeSelected[IvrNode]) -> None:
        """Enter on a line edits it."""
        self.action_edit()

    def action_edit(self) -> None:
        """Edit the selected menu or key."""
        node = self._selected()
        if node is None or node.menu is None or node.menu not in self._menus():
            return
        if node.kind == "option" and node.key is not None:
            self.app.push_screen(OptionForm(self.editor, node.menu, node.key, self.state.model))
        else:
            self.app.push_screen(MenuForm(self.editor, node.menu, self.state.model))

    def action_remove(self) -> None:
        """Remove the selected key, or menu (press d twice)."""
        node = self._selected()
        if node is None or node.menu is None or node.kind not in ("option", "menu"):
            return
        what = (
            f"key {node.key} of menu {node.menu}"
            if node.kind == "option"
            else (f"menu {node.menu}")
        )
        if getattr(self, "_confirm", None) != node.ref:
            self._confirm = node.ref
            self.notify(f"Press d again to remove {what}", severity="warning")
            return
        self._confirm = None
        path = ["ivr", node.menu] + (["options", node.key] if node.kind == "option" else [])
        self.remove(path, what)

    @work(group="ivr")
    async def remove(self, path: list[str], what: str) -> None:
        """Ask the core to remove a menu or a key."""
        try:
            await self.editor.request("config.edit", edits=[{"op": "remove", "path": path}])
        except Rejected as error:
            self.notify(str(error), title=f"{what} not removed", severity="error", timeout=10)
