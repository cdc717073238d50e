"""The form to add or edit a SIP trunk; its password is typed in, never shown back."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from ccore_tui.editor import Rejected
from ccore_tui.widgets.form import ArrayEntryForm, Field

TRANSPORTS = (("udp", "udp"), ("tcp", "tcp"), ("tls", "tls"))
TEXT_KEYS = ("name", "proxy", "realm", "username", "caller_id_number")
HIDDEN = "••••"


def describe_password(trunk: dict[str, Any]) -> str:
    """How a trunk's password is given, without showing it."""
    if trunk.get("password"):
        return HIDDEN
    if trunk.get("password_env"):
        return f"from ${trunk['password_env']}"
    return "-"


class TrunkForm(ArrayEntryForm):
    """Add (``index`` None) or edit trunk ``index``."""

    KIND = "trunk"
    NAME_KEY = "name"

    def fields(self) -> ComposeResult:
        t = self.entry
        has_password = bool(t.get("password"))
        yield Field("name", "Name (lowercase)", Input(t.get("name", ""), id="name"))
        yield Field(
            "proxy",
            "Provider's SIP server",
            Input(t.get("proxy", ""), placeholder="e.g. sip.provider.net", id="proxy"),
        )
        yield Field(
            "realm",
            "Realm (blank: the server)",
            Input(t.get("realm") or "", id="realm"),
        )
        yield Field("username", "User name", Input(t.get("username") or "", id="username"))
        yield Field(
            "password",
            "Password",
            Input(
                "",
                password=True,
                placeholder=f"{HIDDEN} set: type to replace" if has_password else "none",
                id="password",
            ),
            hint="saved in center.toml; or name an environment variable instead:",
        )
        yield Field(
            "password_env",
            "…or password from the variable",
            Input(
                t.get("password_env") or "", placeholder="e.g. TRUNK_PASSWORD", id="password_env"
            ),
        )
        yield Field(
            "register",
            "Register",
            Checkbox("Register with the provider", bool(t.get("register", True)), id="register"),
        )
        yield Field(
            "transport",
            "Transport",
            Select(TRANSPORTS, value=t.get("transport", "udp"), allow_blank=False, id="transport"),
        )
        yield Field(
            "caller_id_number",
            "Caller ID on outgoing calls",
            Input(
                t.get("caller_id_number") or "",
                placeholder="e.g. +4930123456",
                id="caller_id_number",
            ),
        )

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The form as center.toml values (password None: keep as is), and errors by field."""
        values: dict[str, Any] = {key: self.value(key).strip() or None for key in TEXT_KEYS}
        values["register"] = bool(self.value("register"))
        values["transport"] = self.value("transport")
        values["password"] = self.value("password") or None
        values["password_env"] = self.value("password_env").strip() or None
        errors: dict[str, str] = {}
        if values["password"] and values["password_env"]:
            errors["password_env"] = "type a password or name a variable, not both"
        for key, example in (("name", "provider"), ("proxy", "sip.provider.net")):
            if not values[key]:
                errors[key] = f"needed, e.g. {example}"
        return values, errors

    def edits(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """The edits that turn the saved trunk into ``values``; the password only if typed."""
        if self.index is None:
            table = {k: v for k, v in values.items() if v is not None}
            if table.get("transport") == "udp":
                table.pop("transport")
            return [{"op": "append", "path": "trunks", "value": table}]
        path: list[Any] = ["trunks", self.index]
        old = self.entry
        edits: list[dict[str, Any]] = []
        for key in (*TEXT_KEYS, "register", "transport", "password_env"):
            new = values[key]
            if new is None and old.get(key) is not None:
                edits.append({"op": "remove", "path": [*path, key]})
            elif new is not None and new != old.get(key):
                edits.append({"op": "set", "path": [*path, key], "value": new})
        if values["password"]:
            edits.append({"op": "set", "path": [*path, "password"], "value": values["password"]})
        elif values["password_env"] and old.get("password"):  # the variable replaces it
            edits.append({"op": "remove", "path": [*path, "password"]})
        return edits

    def submit(self) -> None:
        """Check the form, then save through the core."""
        values, errors = self.values()
        if errors:
            self.show_errors(errors)
            return
        self.save(self.edits(values))

    @work(exclusive=True)
    async def save(self, edits: list[dict[str, Any]]) -> None:
        """Send the edits; show what the core refused under its field."""
        if edits:
            index = self.index if self.index is not None else len(self.model.get("trunks") or [])
            try:
                await self.editor.request("config.edit", prefix=f"trunks[{index}]", edits=edits)
            except Rejected as rejected:
                self.show_errors(rejected.errors, rejected.general)
                return
        self.dismiss(True)
