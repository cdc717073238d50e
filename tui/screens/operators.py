"""Operators: add, edit, remove; skills; the softphone account; registration status."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from ccore_tui.editor import Rejected
from ccore_tui.forms import format_skills
from ccore_tui.screens.base import TableScreen
from ccore_tui.screens.operator_form import OperatorForm
from ccore_tui.state import CenterState, state_label

COLUMNS = ("Ext", "Name", "Skills", "E-mail", "Wrap-up", "Phone", "State")


class AccountScreen(ModalScreen[None]):
    """The softphone account to type into the operator's phone; the password on demand."""

    DEFAULT_CSS = """
    AccountScreen { align: center middle; }
    AccountScreen > Vertical { width: 64; height: auto; border: thick $primary;
        background: $surface; padding: 1 2; }
    AccountScreen #account { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("p", "toggle_password", "Show/hide password"),
    ]

    def __init__(self, account: dict[str, Any], name: str) -> None:
        super().__init__()
        self.account = account
        self.operator_name = name
        self.password_shown = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Softphone account of {self.operator_name}", classes="title")
            yield Static(self._text(), id="account")
            yield Button("Show password (p)", id="toggle")
            yield Button("Close (esc)", id="close")

    def _text(self) -> str:
        account = self.account
        if account.get("password") is None:
            password = account.get("password_note") or "not generated yet"
        else:
            password = account["password"] if self.password_shown else "•••••••• (press p)"
        return (
            f"Server (domain):  {account['server']}\n"
            f"Port:             {account['port']} (UDP)\n"
            f"User name:        {account['user']}\n"
            f"Password:         {password}"
        )

    def action_toggle_password(self) -> None:
        """Show or hide the password."""
        self.password_shown = not self.password_shown
        self.query_one("#account", Static).update(self._text())
        label = "Hide password (p)" if self.password_shown else "Show password (p)"
        self.query_one("#toggle", Button).label = label

    def action_close(self) -> None:
        """Close."""
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Toggle or close."""
        if event.button.id == "toggle":
            self.action_toggle_password()
        else:
            self.dismiss(None)


class OperatorsScreen(TableScreen):
    """The operators of center.toml with their phone's registration and live state."""

    CSS_PATH = "operators.tcss"
    HEADING = "Operators"
    TABLE_ID = "operators"
    COLUMNS = COLUMNS
    HINT = "n new · e edit · d remove · s softphone account · a apply saved changes"
    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("e,enter", "edit", "Edit"),
        Binding("d,delete", "remove", "Remove"),
        Binding("s", "account", "Softphone account"),
    ]

    def rows(self, state: CenterState) -> dict[str, tuple[Any, ...]]:
        """The saved operators, with live registration and state."""
        rows = {}
        for operator in state.model.get("operators") or []:
            extension = operator["extension"]
            live = state.agent(extension) or {}
            registered = extension in (state.snapshot.get("registrations") or [])
            rows[extension] = (
                extension,
                operator["name"],
                format_skills(operator.get("skills")),
                operator.get("email") or "",
                "" if operator.get("wrap_up") is None else f"{operator['wrap_up']}s",
                "registered" if registered else "not registered",
                state_label(live.get("state", "-"), live.get("reason", "")) if live else "-",
            )
        return rows

    def _selected(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        operators = self.state.model.get("operators") or []
        return next((op for op in operators if op["extension"] == key), None)

    def action_new(self) -> None:
        """Add an operator."""
        self.app.push_screen(OperatorForm(self.editor, None, self.state.model))

    def action_edit(self) -> None:
        """Edit the highlighted operator."""
        operator = self._selected()
        if operator is not None:
            self.app.push_screen(OperatorForm(self.editor, operator, self.state.model))

    def action_remove(self) -> None:
        """Remove the highlighted operator (press d twice)."""
        operator = self._selected()
        if operator is None:
            return
        if getattr(self, "_confirm", None) != operator["extension"]:
            self._confirm = operator["extension"]
            self.notify(
                f"Press d again to remove {operator['name']} ({operator['extension']})",
                severity="warning",
            )
            return
        self._confirm = None
        self.remove_operator(operator["extension"])

    @work(group="operators")
    async def remove_operator(self, extension: str) -> None:
        """Ask the core to remove an operator."""
        try:
            await self.editor.request("operator.remove", extension=extension)
        except Rejected as error:
            self.notify(str(error), title="Not removed", severity="error")
            return
        self.notify(f"Removed {extension}; press a to apply")

    def action_account(self) -> None:
        """Show the highlighted operator's softphone account."""
        operator = self._selected()
        if operator is not None:
            self.show_account(operator["extension"], operator["name"])

    @work(group="operators")
    async def show_account(self, extension: str, name: str) -> None:
        """Fetch the account from the core and show it."""
        try:
            account = await self.editor.request("operator.account", extension=extension)
        except Rejected as error:
            self.notify(str(error), severity="error")
            return
        self.app.push_screen(AccountScreen(account, f"{name} ({extension})"))
