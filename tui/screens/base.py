"""What every main screen has: the connection banner on top, the footer with its keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ccore_tui.state import CenterState
from ccore_tui.widgets.banner import ConnectionBanner
from ccore_tui.widgets.table_sync import sync_table

if TYPE_CHECKING:
    from ccore_tui.editor import CenterEditor


class CenterScreen(Screen[None]):
    """A main screen: receives the center's state in ``show_state`` and draws its part."""

    def compose(self) -> ComposeResult:
        yield ConnectionBanner(id="banner")
        yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    @property
    def state(self) -> CenterState:
        """The app's current view of the center."""
        return self.app.state  # type: ignore[attr-defined,no-any-return]

    @property
    def editor(self) -> CenterEditor:
        """Where edits go."""
        return self.app.editor  # type: ignore[attr-defined,no-any-return]

    def on_screen_resume(self) -> None:
        """Draw the latest state when the screen comes into view."""
        self.show_state(self.state)

    def show_state(self, state: CenterState) -> None:
        """Draw ``state``; subclasses draw their part after the banner."""
        if self.is_mounted:
            self.query_one(ConnectionBanner).show_state(state)


class TableScreen(CenterScreen):
    """A main screen that is one table: a heading, the table, a line of hints.

    Subclasses name the heading, table id, columns and hint, and say what the rows are in
    ``rows``; drawing (only the cells that changed) is done here.
    """

    HEADING: ClassVar[str] = ""
    TABLE_ID: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    HINT: ClassVar[str] = ""

    def body(self) -> ComposeResult:
        yield Static(self.HEADING, classes="section-title")
        yield DataTable(id=self.TABLE_ID, cursor_type="row", zebra_stripes=True)
        yield Static(self.HINT, classes="hint")

    def on_mount(self) -> None:
        """Set the columns."""
        table = self.query_one(DataTable)
        for column in self.COLUMNS:
            table.add_column(column, key=column)
        table.focus()

    def show_state(self, state: CenterState) -> None:
        """Draw the banner, then the rows for ``state``."""
        super().show_state(state)
        if self.is_mounted:
            sync_table(self.query_one(DataTable), self.rows(state))

    def rows(self, state: CenterState) -> dict[str, tuple[Any, ...]]:
        """The table's rows by key, from ``state``."""
        raise NotImplementedError
