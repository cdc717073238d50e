"""The form to add or edit an operator."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input

from ccore_tui.editor import CenterEditor, Rejected
from ccore_tui.forms import FieldError, format_skills, parse_seconds, parse_skills
from ccore_tui.widgets.form import Field, FormScreen


class OperatorForm(FormScreen):
    """Add (``operator`` None) or edit an operator."""

    def __init__(
        self, editor: CenterEditor, operator: dict[str, Any] | None, model: dict[str, Any]
    ) -> None:
        super().__init__()
        self.editor = editor
        self.operator = operator or {}
        self.model = model
        self.TITLE_TEXT = (
            f"Edit operator {self.operator['extension']}" if operator else "New operator"
        )

    def fields(self) -> ComposeResult:
        op = self.operator
        yield Field(
            "extension",
            "Extension (the phone's number, 2-8 digits)",
            Input(op.get("extension", ""), placeholder="e.g. 1003", id="extension"),
        )
        yield Field(
            "name", "Name", Input(op.get("name", ""), placeholder="e.g. Carol Smith", id="name")
        )
        yield Field(
            "skills",
            "Skills, 1 (a little) to 10 (expert)",
            Input(
                format_skills(op.get("skills")),
                placeholder="none (e.g. english=8, billing=6)",
                id="skills",
            ),
        )
        yield Field("email", "E-mail (optional)", Input(op.get("email") or "", id="email"))
        wrap_up = "" if op.get("wrap_up") is None else str(op["wrap_up"])
        yield Field(
            "wrap_up",
            "Wrap-up seconds after each call (blank: the queue's)",
            Input(wrap_up, id="wrap_up"),
        )
        yield Field(
            "outbound_allowed",
            "Calling out",
            Checkbox(
                "May call out (numbers [dialing] allows)",
                bool(op.get("outbound_allowed")),
                id="outbound_allowed",
            ),
        )

    def values(self) -> dict[str, Any]:
        """The form as center.toml values; FieldError names the field."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {
            "extension": self.value("extension").strip(),
            "name": self.value("name").strip(),
            "email": self.value("email").strip() or None,
            "outbound_allowed": bool(self.value("outbound_allowed")),
        }
        try:
            values["skills"] = parse_skills(self.value("skills"))
        except FieldError as error:
            errors["skills"] = str(error)
        try:
            values["wrap_up"] = parse_seconds(self.value("wrap_up"), optional=True)
        except FieldError as error:
            errors["wrap_up"] = str(error)
        if not values["name"]:
            errors["name"] = "a name is needed"
        others = [
            op
            for op in self.model.get("operators") or []
            if op["extension"] != self.operator.get("extension")
        ]
        taken = next((op for op in others if op["extension"] == values["extension"]), None)
        if taken is not None:
            errors["extension"] = f"already used by {taken['name']}"
        if errors:
            raise _Invalid(errors)
        return values

    def submit(self) -> None:
        """Check the form, then save through the core."""
        try:
            values = self.values()
        except _Invalid as invalid:
            self.show_errors(invalid.errors)
            return
        self.save(values)

    @work(exclusive=True)
    async def save(self, values: dict[str, Any]) -> None:
        """Send the operator to the core; show what it refused."""
        try:
            if self.operator:
                changes = {
                    key: value
                    for key, value in values.items()
                    if value != self.operator.get(key)
                    and not (
                        key == "outbound_allowed"
                        and not value
                        and "outbound_allowed" not in self.operator
                    )
                }
                if not values["skills"] and self.operator.get("skills"):
                    changes["skills"] = None
                if changes:
                    await self.editor.request(
                        "operator.update",
                        prefix="operators",
                        extension=self.operator["extension"],
                        changes=changes,
                    )
            else:
                operator = {
                    key: value for key, value in values.items() if value not in (None, {}, False)
                }
                await self.editor.request("operator.add", prefix="operators", operator=operator)
        except Rejected as rejected:
            self.show_errors(_by_field(rejected.errors), rejected.general)
            return
        self.dismiss(values)


def _by_field(errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed ``operators[3].skills`` style or ``skills``, by form field."""
    result = {}
    for key, message in errors.items():
        name = key.split("]")[-1].lstrip(".").split(".")[0] or key
        result[name] = message
    return result


class _Invalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors
