"""The plugin author's guide documents every hook with its exact signature."""

from __future__ import annotations

import inspect
from pathlib import Path

from ccore import hookspecs

DOCS = Path(__file__).resolve().parents[1] / "docs"


def hook_signatures() -> dict[str, str]:
    """Each hook's name and its call signature as the guide must show it."""
    found = {}
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("ccore_"):
            parameters = ", ".join(inspect.signature(function).parameters)
            found[name] = f"{name}({parameters})"
    return found


def test_every_hook_is_documented_with_its_signature() -> None:
    guide = (DOCS / "plugins.md").read_text(encoding="utf-8")
    signatures = hook_signatures()
    assert signatures, "no hooks found in ccore.hookspecs"
    missing = [sig for sig in signatures.values() if f"### `{sig}`" not in guide]
    assert missing == [], f"docs/plugins.md lacks a '### `hook(args)`' heading for {missing}"


def test_the_guide_documents_no_hook_that_does_not_exist() -> None:
    guide = (DOCS / "plugins.md").read_text(encoding="utf-8")
    documented = {
        line.split("`")[1].split("(")[0]
        for line in guide.splitlines()
        if line.startswith("### `ccore_")
    }
    assert documented == set(hook_signatures())


def test_every_hook_has_a_docstring_saying_when_it_fires() -> None:
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("ccore_"):
            doc = inspect.getdoc(function) or ""
            assert "Fires:" in doc and "Returns:" in doc, name


def test_every_domain_event_is_named_in_the_plugin_guide() -> None:
    import ccore.events
    import ccore_plugins.agents.events
    import ccore_plugins.ivr.events
    import ccore_plugins.routing.events
    from ccore.events import Event

    guide = (DOCS / "plugins.md").read_text(encoding="utf-8")
    modules = (
        ccore.events,
        ccore_plugins.agents.events,
        ccore_plugins.ivr.events,
        ccore_plugins.routing.events,
    )
    names = {
        cls.name
        for module in modules
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Event) and cls is not Event
    }
    missing = sorted(name for name in names if f"`{name}`" not in guide)
    assert missing == [], f"docs/plugins.md does not name {missing}"
