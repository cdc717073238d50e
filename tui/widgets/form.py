"""A labelled input with its error shown right under it, and the modal form built from them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

if TYPE_CHECKING:
    from ccore_tui.editor import CenterEditor


class Field(Vertical):
    """One form field on one line: label, then the control; a hint and an error under it."""

    DEFAULT_CSS = """
    Field { height: auto; margin: 0 0 0 0; }
    Field > Horizontal { height: auto; }
    Field > Horizontal > Label { width: 40; color: $text-muted; padding: 0 1 0 0; }
    Field > Horizontal > * { width: 1fr; }
    Field Input.-textual-compact, Field Select.-textual-compact { background: $boost; }
    Field > .hint { color: $text-muted; text-style: italic; height: auto; margin-left: 40; }
    Field > .error { color: $error; height: auto; margin-left: 40; }
    Field > .error.-empty { display: none; }
    Field.-invalid > Horizontal > Label { color: $error; }
    """

    def __init__(self, name: str, label: str, control: Widget, hint: str = "") -> None:
        super().__init__(id=f"field-{name}")
        self.field_name = name
        self.label = label
        self.control = control
        self.hint = hint
        if hasattr(control, "compact") and not isinstance(control, TextArea):
            control.compact = True  # one line per field: a form fits a terminal

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label)
            yield self.control
        if self.hint:
            yield Static(self.hint, classes="hint")
        yield Static("", classes="error -empty")

    def show_error(self, message: str) -> None:
        """Show (or clear, with "") this field's error."""
        self.set_class(bool(message), "-invalid")
        error = self.query_one(".error", Static)
        error.set_class(not message, "-empty")
        error.update(message)


class FormScreen(ModalScreen[Any]):
    """A modal form: fields, a general error line, Save and Cancel.

    Subclasses yield ``Field``s from ``fields()`` and implement ``submit()``, which calls the
    core (in a worker) and either dismisses or shows the errors it answered.
    """

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical#form { width: 100; max-width: 98%; max-height: 90%; height: auto;
        border: thick $primary; background: $surface; padding: 0 1; }
    FormScreen #title { text-style: bold; padding: 0 0 1 0; }
    FormScreen #fields { height: auto; max-height: 36; }
    FormScreen #general-error { color: $error; height: auto; }
    FormScreen #buttons { height: 3; align-horizontal: right; }
    FormScreen #buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]
    TITLE_TEXT = "Edit"

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(self.TITLE_TEXT, id="title")
            with VerticalScroll(id="fields"):
                yield from self.fields()
            yield Static("", id="general-error")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save (ctrl+s)", id="save", variant="primary")

    def on_mount(self) -> None:
        """Start in the first field that can be typed in."""
        for control in self.query("Input, Select, Checkbox"):
            if not control.disabled:
                control.focus()
                break

    def fields(self) -> ComposeResult:
        """The form's fields."""
        yield from ()

    def value(self, name: str) -> Any:
        """The current value of field ``name``'s control."""
        control = self.query_one(f"#field-{name}", Field).control
        if isinstance(control, Input):
            return control.value
        if isinstance(control, Checkbox):
            return control.value
        if isinstance(control, Select):
            return None if control.value is Select.NULL else control.value
        raise TypeError(f"field {name} has no value")

    def show_errors(self, errors: Mapping[str, str], general: str = "") -> None:
        """Show errors under their fields; the rest (and ``general``) below the form."""
        leftover = [general] if general else []
        for field in self.query(Field):
            field.show_error(errors.get(field.field_name, ""))
        names = {field.field_name for field in self.query(Field)}
        leftover += [f"{key}: {message}" for key, message in errors.items() if key not in names]
        invalid = [field for field in self.query(Field) if field.field_name in errors]
        if invalid:  # to the first wrong field, its text selected: typing replaces it
            invalid[0].control.focus()
        self.query_one("#general-error", Static).update("\n".join(leftover))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or Cancel."""
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self) -> None:
        """Enter in any field saves."""
        self.action_save()

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    def action_save(self) -> None:
        """Validate and save (``submit``)."""
        self.submit()

    def submit(self) -> None:
        """Validate, then send to the core."""
        raise NotImplementedError


class ArrayEntryForm(FormScreen):
    """A form adding (``index`` None) or editing entry ``index`` of an array of tables in
    center.toml (``[[queues]]``, ``[[numbers]]``, ``[[trunks]]``).

    Subclasses set ``KIND`` (what an entry is called) and ``NAME_KEY`` (the key naming it in
    the title); the entry as saved is ``self.entry`` (empty for a new one).
    """

    KIND: ClassVar[str] = "entry"
    NAME_KEY: ClassVar[str] = "name"

    def __init__(
        self,
        editor: CenterEditor,
        index: int | None,
        entry: dict[str, Any] | None,
        model: dict[str, Any],
    ) -> None:
        super().__init__()
        self.editor = editor
        self.index = index
        self.entry = entry or {}
        self.model = model
        self.TITLE_TEXT = (
            f"Edit {self.KIND} {self.entry[self.NAME_KEY]}" if entry else f"New {self.KIND}"
        )
