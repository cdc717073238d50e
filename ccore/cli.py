"""The ``ccore`` command: set a center up, run it, and look at it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from ccore import __version__


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every ``ccore`` sub-command."""
    parser = argparse.ArgumentParser(prog="ccore", description="A call-center core on FreeSWITCH")
    parser.add_argument("--version", action="version", version=f"ccore {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser("init", help="write a commented starter center into DIR")
    init.add_argument("directory", type=Path)
    init.add_argument("--name", default="My Call Center", help="the center's name")

    run = commands.add_parser("run", help="run the center as a long-lived service")
    run.add_argument("--center", type=Path, default=Path.cwd(), help="the center's directory")
    run.add_argument(
        "--control-port", type=int, default=None,
        help="port of the local control API for the UI (default 8089; 0: any free port)",
    )

    ui = commands.add_parser("ui", help="the terminal UI: set the center up and run it")
    ui.add_argument("--center", type=Path, default=Path.cwd(), help="the center's directory")
    ui.add_argument(
        "--url", default=None, help="control API address (default: found in the data directory)"
    )

    plugins = commands.add_parser("plugins", help="list plugins with their version and state")
    plugins.add_argument("--center", type=Path, default=None, help="the center's directory")

    conf = commands.add_parser("conf", help="the FreeSWITCH configuration of a center")
    conf_commands = conf.add_subparsers(dest="conf_command", required=True, metavar="ACTION")
    render = conf_commands.add_parser("render", help="write FreeSWITCH's configuration")
    render.add_argument("--center", type=Path, default=Path.cwd(), help="the center's directory")
    render.add_argument("--out", type=Path, default=None, help="where to write it")
    check = conf_commands.add_parser("check", help="check a rendered configuration")
    check.add_argument("--center", type=Path, default=Path.cwd(), help="the center's directory")
    check.add_argument("--dir", type=Path, default=None, help="the configuration to check")

    demo = commands.add_parser("demo", help="a demo center on the stand-in switch")
    demo.add_argument("--headless", action="store_true", help="no UI; print a summary at the end")
    demo.add_argument("--seconds", type=float, default=None, help="stop after this long")
    demo.add_argument("--seed", type=int, default=1, help="random seed of the simulation")
    demo.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    demo.add_argument("--dir", type=Path, default=None, help="keep the demo center here")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``ccore`` command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    quiet = args.command == "demo"  # the demo shows the center, not the log
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else (logging.WARNING if quiet else logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    from ccore.config import ConfigError
    from ccore.fsconf import FsConfError

    try:
        if args.command == "init":
            return command_init(args.directory, args.name)
        if args.command == "run":
            return asyncio.run(command_run(args.center, args.control_port))
        if args.command == "ui":
            from ccore.cli_ui import command_ui

            return command_ui(args.center, args.url)
        if args.command == "plugins":
            return command_plugins(args.center)
        if args.command == "conf":
            if args.conf_command == "render":
                return command_conf_render(args.center, args.out)
            return command_conf_check(args.center, args.dir)
        if args.command == "demo":
            from ccore.demo import run_demo

            return run_demo(
                headless=args.headless,
                seconds=args.seconds,
                seed=args.seed,
                speed=args.speed,
                directory=args.dir,
            )
    except (ConfigError, FsConfError) as err:
        print(f"ccore: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {args.command}")
    return 2


def command_init(directory: Path, name: str) -> int:
    """``ccore init DIR``: write a commented starter center."""
    from ccore.starter import write_starter_center

    try:
        path = write_starter_center(directory, name=name)
    except FileExistsError as err:
        print(f"ccore: {err}", file=sys.stderr)
        return 1
    print(f"Wrote {path}. Next: edit it (or use the UI), then `ccore conf render`.")
    return 0


def command_plugins(center_dir: Path | None) -> int:
    """``ccore plugins``: every installed plugin, its version and its state."""
    from ccore.bus import EventBus
    from ccore.config import load_center
    from ccore.loader import PluginLoader

    config = load_center(center_dir) if center_dir is not None else None
    disabled = config.model.plugins.disabled if config is not None else ()
    loader = PluginLoader(EventBus(), disabled=disabled)
    loader.discover()
    loader.validate(config)
    if not loader.records:
        print("No plugins installed.")
        return 0
    width = max(len(name) for name in loader.records)
    for name, record in sorted(loader.records.items()):
        line = f"{name:<{width}}  {record.version or '-':<10}  {record.state.value}"
        if record.reason:
            line += f"  ({record.reason})"
        print(line)
    return 0


def command_conf_render(center_dir: Path, out: Path | None) -> int:
    """``ccore conf render``: write the FreeSWITCH configuration of a center."""
    from ccore.config import load_center
    from ccore.fsconf import render_freeswitch_conf

    path = render_freeswitch_conf(load_center(center_dir), out)
    print(f"Wrote FreeSWITCH configuration to {path}")
    return 0


def command_conf_check(center_dir: Path, conf_dir: Path | None) -> int:
    """``ccore conf check``: problems in the rendered configuration and in center.toml's
    references that only plugins can see (e.g. prompt files), each with file and line."""
    from ccore.bus import EventBus
    from ccore.config import load_center
    from ccore.fsconf import check_freeswitch_conf
    from ccore.loader import PluginLoader

    config = load_center(center_dir)
    if conf_dir is None:
        conf_dir = config.directory / config.model.switch.conf_dir
    problems = [f"{p.file}:{p.line}: {p.message}" for p in check_freeswitch_conf(conf_dir)]
    loader = PluginLoader(EventBus(), disabled=config.model.plugins.disabled)
    loader.discover()
    for found in loader.pm.hook.ccore_check_config(config=config):
        problems.extend(str(problem) for problem in found)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {config.path} and {conf_dir}")
    return 1 if problems else 0


async def command_run(center_dir: Path, control_port: int | None = None) -> int:
    """``ccore run``: run the center, with its control API for the UI, until Ctrl-C."""
    from ccore.config import load_center
    from ccore.control import ControlServer
    from ccore.core import Center

    center = Center(load_center(center_dir))
    control = (
        ControlServer(center) if control_port is None else ControlServer(center, port=control_port)
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await center.start()
    await control.start()
    logging.getLogger("ccore").info(
        "Center %s running; control API on %s", center.config.model.center.name, control.url
    )
    try:
        await stop.wait()
    finally:
        await control.stop()
        await center.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
