"""First run: a guided start when the center has no center.toml yet."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static, TextArea

from ccore.config import ConfigError
from ccore.control.protocol import CommandFailed
from ccore.control.setup import SetupAnswers, create_center, parse_operators
from ccore_tui.forms import FieldError, parse_ranges
from ccore_tui.widgets.form import Field

INTRO = (
    "Welcome. There is no center here yet: answer a few questions and ccore writes"
    " {path}, with comments explaining every setting. You can change everything later"
    " in the other screens."
)


class SetupScreen(Screen[None]):
    """The first-run wizard: name, numbers, operators, one queue, opening hours."""

    CSS_PATH = "setup.tcss"
    BINDINGS = [Binding("ctrl+s", "create", "Create the center", priority=True)]

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="setup"):
            yield Static("Set up your call center", id="setup-title")
            yield Static(INTRO.format(path=self.directory / "center.toml"), id="intro")
            yield Field(
                "name", "1. The center's name", Input(placeholder="e.g. Acme Support", id="name")
            )
            yield Field(
                "timezone",
                "2. Time zone (opening hours use it)",
                Input("UTC", placeholder="e.g. Europe/Berlin", id="timezone"),
            )
            yield Field(
                "numbers",
                "3. The phone number(s) callers dial, comma separated",
                Input(placeholder="e.g. +15550100", id="numbers"),
            )
            yield Field(
                "operators",
                "4. Operators: one per line, extension then name",
                TextArea("1001 Alice\n1002 Bob", id="operators"),
            )
            yield Field(
                "queue",
                "5. The queue callers wait in (a short lowercase name)",
                Input("support", id="queue"),
            )
            yield Field(
                "hours",
                "6. Opening hours, Monday to Friday",
                Input("09:00-17:00", id="hours"),
                hint="ranges like 09:00-12:00, 13:00-17:00; weekends closed",
            )
            yield Static("", id="general-error")
            yield Button("Create the center (ctrl+s)", id="create", variant="primary")
            with Vertical(id="done"):
                yield Static("", id="done-text")
        yield Footer()

    def on_mount(self) -> None:
        """Start at the first question."""
        self.query_one("#done").display = False
        self.query_one("#name", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Once the center is written, there is nothing more to create."""
        return not (action == "create" and self.query_one("#done").display)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Create."""
        self.action_create()

    def _value(self, widget_id: str) -> str:
        widget = self.query_one(f"#{widget_id}")
        return widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]

    def answers(self) -> tuple[SetupAnswers | None, dict[str, str]]:
        """The answers, or the errors by question."""
        errors: dict[str, str] = {}
        name = self._value("name").strip()
        if not name:
            errors["name"] = "the name callers and reports know the center by"
        numbers = [n.strip() for n in self._value("numbers").split(",") if n.strip()]
        if not numbers:
            errors["numbers"] = "at least one number, e.g. +15550100"
        try:
            operators = parse_operators(self._value("operators"))
        except ValueError as error:
            errors["operators"] = str(error)
            operators = []
        try:
            hours = parse_ranges(self._value("hours"))
        except FieldError as error:
            errors["hours"] = str(error)
            hours = []
        queue = self._value("queue").strip().lower()
        if errors:
            return None, errors
        return SetupAnswers(
            name=name,
            timezone=self._value("timezone").strip() or "UTC",
            numbers=numbers,
            operators=operators,
            queue=queue,
            queue_display_name=queue.capitalize(),
            weekday_hours=hours,
        ), {}

    def show_errors(self, errors: dict[str, str], general: str = "") -> None:
        """Errors under their questions."""
        for field in self.query(Field):
            field.show_error(errors.get(field.field_name, ""))
        self.query_one("#general-error", Static).update(general)
        wrong = [field for field in self.query(Field) if field.field_name in errors]
        if wrong:  # straight to the first wrong answer
            wrong[0].control.focus()

    def action_create(self) -> None:
        """Check the answers and write the center."""
        answers, errors = self.answers()
        self.show_errors(errors)
        if answers is not None:
            self.create(answers)

    @work(exclusive=True, thread=True)
    def create(self, answers: SetupAnswers) -> None:
        """Write center.toml and render FreeSWITCH's configuration (in a thread: file work)."""
        try:
            path = create_center(self.directory, answers)
        except (ConfigError, CommandFailed) as error:
            details = getattr(error, "details", None) or [
                {"key": p.key_path, "message": p.message} for p in getattr(error, "errors", [])
            ]
            by_question = {}
            for detail in details:
                key = str(detail.get("key", ""))
                question = next(
                    (q for prefix, q in QUESTION_OF.items() if key.startswith(prefix)), ""
                )
                by_question.setdefault(question, detail["message"])
            general = by_question.pop("", "")
            self.app.call_from_thread(self.show_errors, by_question, general)
            return
        except OSError as error:
            self.app.call_from_thread(self.show_errors, {}, f"Cannot write the center: {error}")
            return
        self.app.call_from_thread(self.done, path)

    def done(self, path: Path) -> None:
        """Say what to do next."""
        self.query_one("#create").display = False
        done = self.query_one("#done")
        self.refresh_bindings()
        done.display = True
        self.query_one("#done-text", Static).update(
            f"Written: {path}\n\nNext, in another terminal, start the center:\n\n"
            f"    ccore run --center {path.parent}\n\n"
            "FreeSWITCH's configuration is in "
            f"{path.parent / 'freeswitch'} (see docs/admin.md). This screen connects to the"
            " center as soon as it runs."
        )
        self.app.post_message(SetupFinished(path.parent))
        done.scroll_visible()


QUESTION_OF = {
    "center.name": "name",
    "center.timezone": "timezone",
    "numbers": "numbers",
    "operators": "operators",
    "queues": "queue",
    "ivr.main.options": "queue",
    "ivr.main.default": "queue",
    "hours": "hours",
}


class SetupFinished(Message):
    """The wizard wrote the center (the app waits for its core to run)."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory
