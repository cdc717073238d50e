"""What every main screen has: the connection banner on top, the footer with its keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from ccore_tui.state import CenterState
from ccore_tui.widgets.banner import ConnectionBanner

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
