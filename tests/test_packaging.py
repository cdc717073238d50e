"""The installed layout: every package ships, and no generic top-level name is installed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALLED_AS = {"ccore": "ccore", "plugins": "ccore_plugins", "tui": "ccore_tui"}


def test_every_python_package_in_the_tree_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = set()
    for folder, installed in INSTALLED_AS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((installed, *relative)))
    assert found - listed == set(), "add these to [tool.setuptools] packages"


def test_no_generic_top_level_module_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    top_level = {name.split(".")[0] for name in config["tool"]["setuptools"]["packages"]}
    assert top_level == {"ccore", "ccore_plugins", "ccore_tui"}


def test_built_in_plugins_load_through_the_entry_point_group() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    entry_points = config["project"]["entry-points"]["ccore.plugins"]
    assert {"agents", "routing", "ivr"} <= set(entry_points)
    assert all(target.startswith("ccore_plugins.") for target in entry_points.values())
