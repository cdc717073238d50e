"""Shared pytest setup. Fixture modules are registered here so every test can use them."""

pytest_plugins: list[str] = ["plugin_dists", "standin_fixtures", "center_fixtures", "tui_fixtures"]
