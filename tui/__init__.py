"""The terminal UI (Textual), a client of the cores control API."""
