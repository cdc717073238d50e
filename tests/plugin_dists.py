"""Make real installed distributions with ``ccore.plugins`` entry points, for loader tests.

Each call writes plugin modules and a ``*.dist-info`` folder into a directory on ``sys.path``,
so ``importlib.metadata`` finds them exactly as it finds a third party's installed package.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest


class PluginDists:
    """Writes plugin packages into one site directory put on sys.path for the test."""

    def __init__(self, site: Path, group: str) -> None:
        self.site = site
        self.group = group
        self.modules: list[str] = []

    def add(self, name: str, source: str, version: str = "1.0") -> None:
        """Install plugin ``name`` (module ``ccoretest_<name>``) with the given source."""
        module = f"ccoretest_{name}"
        (self.site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = self.site / f"{module}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {module}\nVersion: {version}\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            f"[{self.group}]\n{name} = {module}\n", encoding="utf-8"
        )
        self.modules.append(module)
        importlib.invalidate_caches()


@pytest.fixture
def plugin_dists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PluginDists:
    """A fresh site directory for test plugins in their own entry-point group."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    dists = PluginDists(site, group=f"ccore.plugins.test{id(site)}")
    yield dists
    for module in dists.modules:
        sys.modules.pop(module, None)
