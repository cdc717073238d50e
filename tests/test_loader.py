"""Plugins load from entry points; a broken plugin is marked failed and the rest still run."""

from __future__ import annotations

import asyncio
from pathlib import Path

from plugin_dists import PluginDists

from ccore.bus import EventBus
from ccore.config import load_center
from ccore.events import CallOffered, PluginStateChanged
from ccore.loader import PluginLoader, PluginState
from ccore.starter import write_starter_center

GOOD = '''
from ccore.hookspecs import hookimpl

seen = []

@hookimpl
def ccore_setup(center, plugin):
    plugin.listen("call.offered", lambda event: seen.append(event.call_uuid))

@hookimpl
def ccore_channel_variables():
    return ["crm_id"]
'''


def loader_for(dists: PluginDists, bus: EventBus, **kwargs: object) -> PluginLoader:
    loader = PluginLoader(bus, group=dists.group, **kwargs)
    loader.discover()
    loader.validate(None)
    return loader


async def test_a_plugin_that_fails_setup_is_marked_failed_while_others_run(
    plugin_dists: PluginDists,
) -> None:
    plugin_dists.add("good", GOOD, version="2.3")
    plugin_dists.add(
        "broken",
        '''
        from ccore.hookspecs import hookimpl

        @hookimpl
        async def ccore_setup(center, plugin):
            raise RuntimeError("CRM unreachable")
        ''',
    )
    bus = EventBus()
    loader = loader_for(plugin_dists, bus)
    await loader.setup_all(center=None, storage=None)

    assert loader.records["good"].state is PluginState.RUNNING
    assert loader.records["good"].version == "2.3"
    broken = loader.records["broken"]
    assert broken.state is PluginState.FAILED
    assert "CRM unreachable" in broken.reason

    import ccoretest_good  # the module the entry point names

    bus.fire(CallOffered(call_uuid="call-1"))
    await bus.drain()
    assert ccoretest_good.seen == ["call-1"]


async def test_an_import_error_fails_only_that_plugin(plugin_dists: PluginDists) -> None:
    plugin_dists.add("good", GOOD)
    plugin_dists.add("typo", "import no_such_module_anywhere\n")
    loader = loader_for(plugin_dists, EventBus())
    await loader.setup_all(center=None, storage=None)
    assert loader.records["typo"].state is PluginState.FAILED
    assert "no_such_module_anywhere" in loader.records["typo"].reason
    assert loader.records["good"].state is PluginState.RUNNING


async def test_dependants_of_a_failed_plugin_are_refused(plugin_dists: PluginDists) -> None:
    plugin_dists.add(
        "base",
        '''
        from ccore.hookspecs import hookimpl

        @hookimpl
        def ccore_setup(center, plugin):
            return False
        ''',
    )
    plugin_dists.add(
        "child",
        '''
        DEPENDS_ON = ("base",)
        ''',
    )
    plugin_dists.add("orphan", 'DEPENDS_ON = ("nowhere",)\n')
    loader = loader_for(plugin_dists, EventBus())
    await loader.setup_all(center=None, storage=None)
    assert loader.records["base"].state is PluginState.FAILED
    assert loader.records["child"].state is PluginState.REFUSED
    assert loader.records["child"].reason == "requires plugin base, which is failed"
    assert "not installed" in loader.records["orphan"].reason


async def test_dependencies_are_set_up_first(plugin_dists: PluginDists) -> None:
    source = '''
    from ccore.hookspecs import hookimpl
    import builtins

    DEPENDS_ON = {deps}

    @hookimpl
    def ccore_setup(center, plugin):
        builtins.__dict__.setdefault("_ccore_test_order", []).append(plugin.name)
    '''
    plugin_dists.add("a_reports", source.replace("{deps}", '("z_agents",)'))
    plugin_dists.add("z_agents", source.replace("{deps}", "()"))
    import builtins

    builtins.__dict__["_ccore_test_order"] = []
    loader = loader_for(plugin_dists, EventBus())
    await loader.setup_all(center=None, storage=None)
    assert builtins.__dict__.pop("_ccore_test_order") == ["z_agents", "a_reports"]


async def test_shutdown_removes_listeners_and_cancels_tasks(plugin_dists: PluginDists) -> None:
    plugin_dists.add(
        "worker",
        '''
        import asyncio
        from ccore.hookspecs import hookimpl

        seen = []
        context = []

        @hookimpl
        def ccore_setup(center, plugin):
            context.append(plugin)
            plugin.listen("*", seen.append)
            plugin.create_task(asyncio.sleep(3600), name="forever")
        ''',
    )
    bus = EventBus()
    loader = loader_for(plugin_dists, bus)
    await loader.setup_all(center=None, storage=None)
    import ccoretest_worker

    plugin = ccoretest_worker.context[0]
    assert plugin.running_tasks == 1
    await loader.shutdown_all(center=None)
    assert plugin.running_tasks == 0
    assert loader.records["worker"].state is PluginState.STOPPED
    ccoretest_worker.seen.clear()
    bus.fire(CallOffered(call_uuid="after"))
    await bus.drain()
    assert ccoretest_worker.seen == []


async def test_disabled_plugin_is_not_imported(plugin_dists: PluginDists) -> None:
    plugin_dists.add("off", "raise SystemExit('must not be imported')\n")
    loader = loader_for(plugin_dists, EventBus(), disabled=["off"])
    assert loader.records["off"].state is PluginState.DISABLED


async def test_state_changes_are_fired_on_the_bus(plugin_dists: PluginDists) -> None:
    plugin_dists.add("good", GOOD)
    bus = EventBus()
    changes: list[PluginStateChanged] = []
    bus.listen("plugin.state_changed", changes.append)
    loader = loader_for(plugin_dists, bus)
    await loader.setup_all(center=None, storage=None)
    await bus.drain()
    assert [(c.plugin, c.state) for c in changes] == [("good", "loaded"), ("good", "running")]
    assert loader.channel_variables() == ["crm_id"]


async def test_a_plugin_not_ready_is_retried_until_it_is(plugin_dists: PluginDists) -> None:
    plugin_dists.add(
        "shy",
        '''
        from ccore.hookspecs import hookimpl
        from ccore.loader import PluginNotReady

        attempts = []

        @hookimpl
        def ccore_setup(center, plugin):
            attempts.append(1)
            if len(attempts) < 2:
                raise PluginNotReady("CRM still starting")
        ''',
    )
    loader = loader_for(plugin_dists, EventBus())
    await loader.setup_all(center=None, storage=None)
    record = loader.records["shy"]
    assert record.state is PluginState.RETRYING
    assert "CRM still starting" in record.reason
    for _ in range(60):
        if record.state is PluginState.RUNNING:
            break
        await asyncio.sleep(0.1)
    assert record.state is PluginState.RUNNING
    await loader.shutdown_all(center=None)


CONFIGURED = '''
from pydantic import BaseModel
from ccore.hookspecs import hookimpl

class Config(BaseModel):
    url: str
    timeout: float = 2.0

got = []

@hookimpl
def ccore_setup(center, plugin):
    got.append(plugin.config)
'''


async def test_plugin_config_section_is_validated_into_its_model(
    plugin_dists: PluginDists, tmp_path: Path
) -> None:
    plugin_dists.add("crm", CONFIGURED)
    write_starter_center(tmp_path / "c")
    path = tmp_path / "c" / "center.toml"
    path.write_text(
        path.read_text(encoding="utf-8") + '\n[plugins.crm]\nurl = "https://crm.example"\n',
        encoding="utf-8",
    )
    loader = PluginLoader(EventBus(), group=plugin_dists.group)
    loader.discover()
    loader.validate(load_center(tmp_path / "c"))
    await loader.setup_all(center=None, storage=None)
    import ccoretest_crm

    assert loader.records["crm"].state is PluginState.RUNNING
    assert ccoretest_crm.got[0].url == "https://crm.example"
    assert ccoretest_crm.got[0].timeout == 2.0


async def test_bad_plugin_config_fails_that_plugin_naming_line_and_key(
    plugin_dists: PluginDists, tmp_path: Path
) -> None:
    plugin_dists.add("crm", CONFIGURED)
    plugin_dists.add("good", GOOD)
    write_starter_center(tmp_path / "c")
    path = tmp_path / "c" / "center.toml"
    text = path.read_text(encoding="utf-8") + '\n[plugins.crm]\ntimeout = "soon"\n'
    path.write_text(text, encoding="utf-8")
    line = len(text.rstrip("\n").splitlines())
    loader = PluginLoader(EventBus(), group=plugin_dists.group)
    loader.discover()
    loader.validate(load_center(tmp_path / "c"))
    await loader.setup_all(center=None, storage=None)
    crm = loader.records["crm"]
    assert crm.state is PluginState.FAILED
    assert f"center.toml:{line}: plugins.crm.timeout" in crm.reason
    assert "plugins.crm.url" in crm.reason  # the missing key is reported too
    assert loader.records["good"].state is PluginState.RUNNING
