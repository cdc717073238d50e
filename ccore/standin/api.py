"""``api`` / ``bgapi`` commands (mod_commands, mod_sofia) with FreeSWITCH's answers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from . import bridging, queries
from .recording import record_command
from .wire import Event, serialize_json, serialize_plain

if TYPE_CHECKING:
    from .switch import StandinSwitch

log = logging.getLogger(__name__)

ApiFunc = Callable[["StandinSwitch", str], Awaitable[str]]
COMMANDS: dict[str, ApiFunc] = {}
NO_CHANNEL = "-ERR No such channel!\n"
JOB = ("mod_event_socket.c", "api_exec", 1572)
ORIGINATE_USAGE = (
    "-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] "
    "[<cid_name>] [<cid_num>] [<timeout_sec>]\n"
)


def command(*names: str) -> Callable[[ApiFunc], ApiFunc]:
    """Register an api command."""

    def register(func: ApiFunc) -> ApiFunc:
        for name in names:
            COMMANDS[name] = func
        return func

    return register


def split_args(text: str) -> list[str]:
    """Split on spaces outside ``{}``, ``[]``, ``<>``, ``()`` and quotes."""
    out, cur, depth, quote = [], "", 0, ""
    for ch in text:
        if quote:
            cur += ch
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
            cur += ch
        elif ch in "{[<(":
            depth += 1
            cur += ch
        elif ch in "}]>)":
            depth = max(0, depth - 1)
            cur += ch
        elif ch == " " and depth == 0:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


class Api:
    """Runs api command lines against a switch."""

    def __init__(self, switch: StandinSwitch) -> None:
        self.switch = switch

    async def execute(self, line: str, listener: Any = None) -> str:
        """The text an ``api <line>`` answers."""
        name, _, args = line.strip().partition(" ")
        func = COMMANDS.get(name.lower())
        if func is None:
            return f"-ERR {name} Command not found!\n"
        try:
            return await func(self.switch, args.strip())
        except Exception:
            log.exception("stand-in api %s failed", line)
            return "-ERR Command failed\n"

    async def background(self, line: str, job_uuid: str, owner: str | None) -> None:
        """Run a ``bgapi`` job and fire its BACKGROUND_JOB event."""
        output = await self.execute(line)
        name, _, args = line.strip().partition(" ")
        event = Event("BACKGROUND_JOB", [("Job-UUID", job_uuid), ("Job-Command", name)])
        if args.strip():
            event.add("Job-Command-Arg", args.strip())
        if owner:
            event.add("Job-Owner-UUID", owner)
        event.body = output
        self.switch.hub.fire(event, JOB)


def _channel(switch: StandinSwitch, uuid: str) -> Any:
    return switch.channels.get(uuid.strip())


@command("status")
async def status(switch: StandinSwitch, args: str) -> str:
    """Uptime and session counters."""
    return queries.status_text(switch)


@command("version")
async def version(switch: StandinSwitch, args: str) -> str:
    """The version line."""
    return "FreeSWITCH Version 1.10.12-release~64bit (-release 64bit)\n"


@command("hostname")
async def hostname(switch: StandinSwitch, args: str) -> str:
    """The host name."""
    return switch.hub.hostname


@command("global_getvar")
async def global_getvar(switch: StandinSwitch, args: str) -> str:
    """A global variable's value, or all of them."""
    if args:
        return switch.global_vars.get(args, "")
    return "".join(f"{k}={v}\n" for k, v in switch.global_vars.items())


@command("global_setvar")
async def global_setvar(switch: StandinSwitch, args: str) -> str:
    """Set a global variable."""
    name, _, value = args.partition("=")
    switch.global_vars[name.strip()] = value.strip()
    return "+OK"


@command("reloadxml")
async def reloadxml(switch: StandinSwitch, args: str) -> str:
    """Nothing to reload in the stand-in."""
    return "+OK [Success]\n"


@command("eval")
async def eval_cmd(switch: StandinSwitch, args: str) -> str:
    """Expand global variables."""
    for k, v in switch.global_vars.items():
        args = args.replace("${" + k + "}", v)
    return args


@command("originate")
async def originate(switch: StandinSwitch, args: str) -> str:
    """Call a dial string; once answered run ``&app(args)`` or route ``exten``."""
    argv = split_args(args)
    if len(argv) < 2:
        return ORIGINATE_USAGE
    dialstring, target = argv[0], argv[1]
    context = argv[3] if len(argv) > 3 else "default"
    cid_name = argv[4] if len(argv) > 4 else None
    cid_num = argv[5] if len(argv) > 5 else None
    timeout = float(argv[6]) if len(argv) > 6 else None
    leg, cause = await bridging.originate(switch, dialstring, cid_name=cid_name,
                                          cid_number=cid_num, timeout=timeout)
    if leg is None:
        return f"-ERR {cause}\n"
    if target.startswith("&"):
        app, _, rest = target[1:].partition("(")
        leg.interrupt(("extension", [(app, rest.rstrip(")"))]))
    else:
        leg.interrupt(("transfer", target, context))
    return f"+OK {leg.uuid}\n"


@command("uuid_answer")
async def uuid_answer(switch: StandinSwitch, args: str) -> str:
    """Answer a channel."""
    channel = _channel(switch, args)
    if channel is None or not channel.answer():
        return "-ERROR\n"
    return "+OK\n"


@command("uuid_kill")
async def uuid_kill(switch: StandinSwitch, args: str) -> str:
    """Hang a channel up with a cause (default NORMAL_CLEARING)."""
    uuid, _, cause = args.partition(" ")
    channel = _channel(switch, uuid)
    if channel is None or not channel.up:
        return NO_CHANNEL
    channel.hangup((cause.strip() or "NORMAL_CLEARING").upper())
    return "+OK\n"


@command("uuid_exists")
async def uuid_exists(switch: StandinSwitch, args: str) -> str:
    """``true`` or ``false``."""
    return "true" if _channel(switch, args) is not None else "false"


@command("uuid_getvar")
async def uuid_getvar(switch: StandinSwitch, args: str) -> str:
    """A channel variable, ``_undef_`` when unset."""
    uuid, _, name = args.partition(" ")
    channel = _channel(switch, uuid)
    if channel is None:
        return NO_CHANNEL
    value = channel.get_var(name.strip())
    return "_undef_" if value is None else value


@command("uuid_setvar")
async def uuid_setvar(switch: StandinSwitch, args: str) -> str:
    """Set (or with no value, unset) a channel variable."""
    parts = args.split(" ", 2)
    if len(parts) < 2:
        return "-USAGE: <uuid> <var> [value]\n"
    channel = _channel(switch, parts[0])
    if channel is None:
        return NO_CHANNEL
    channel.set_var(parts[1], parts[2] if len(parts) > 2 else None)
    return "+OK\n"


@command("uuid_dump")
async def uuid_dump(switch: StandinSwitch, args: str) -> str:
    """The channel's data as an event (plain or json)."""
    argv = args.split()
    if not argv:
        return "-USAGE: <uuid> [format]\n"
    channel = _channel(switch, argv[0])
    if channel is None:
        return NO_CHANNEL
    event = switch.hub.stamp(channel.channel_data_event(),
                             ("mod_commands.c", "uuid_dump_function", 6468))
    if len(argv) > 1 and argv[1] == "json":
        return serialize_json(event)
    return serialize_plain(event)


@command("uuid_park")
async def uuid_park(switch: StandinSwitch, args: str) -> str:
    """Park a channel."""
    channel = _channel(switch, args)
    if channel is None:
        return NO_CHANNEL
    channel.interrupt(("extension", [("park", "")]))
    return "+OK\n"


@command("uuid_break")
async def uuid_break(switch: StandinSwitch, args: str) -> str:
    """Stop what the channel plays (it moves on to its next application)."""
    channel = _channel(switch, args.split(" ")[0])
    if channel is None:
        return NO_CHANNEL
    channel.breaking = True
    channel.kick()
    return "+OK\n"


@command("uuid_hold")
async def uuid_hold(switch: StandinSwitch, args: str) -> str:
    """``[off|toggle] <uuid>``: CHANNEL_HOLD / CHANNEL_UNHOLD and the call state HELD."""
    argv = args.split()
    mode = argv[0] if argv and argv[0] in ("off", "toggle") else "on"
    channel = _channel(switch, argv[-1] if argv else "")
    if channel is None:
        return NO_CHANNEL
    hold = {"on": True, "off": False, "toggle": not channel.held}[mode]
    if hold != channel.held and channel.answered:
        channel.held = hold
        origin = ("switch_channel.c", "switch_channel_perform_mark_hold", 2160)
        channel.fire("CHANNEL_HOLD" if hold else "CHANNEL_UNHOLD", origin)
        channel.set_callstate("HELD" if hold else "ACTIVE")
    return "+OK Success\n"


@command("uuid_setvar_multi")
async def uuid_setvar_multi(switch: StandinSwitch, args: str) -> str:
    """``<uuid> <var>=<value>;<var>=<value>``."""
    uuid, _, pairs = args.partition(" ")
    channel = _channel(switch, uuid)
    if channel is None:
        return NO_CHANNEL
    for pair in pairs.split(";"):
        name, _, value = pair.partition("=")
        if name.strip():
            channel.set_var(name.strip(), value or None)
    return "+OK\n"


@command("uuid_transfer")
async def uuid_transfer(switch: StandinSwitch, args: str) -> str:
    """``<uuid> [-bleg|-both] <dest> [<dialplan>] [<context>]``."""
    argv = args.split()
    if len(argv) < 2:
        return "-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n"
    channel = _channel(switch, argv[0])
    if channel is None:
        return NO_CHANNEL
    leg = argv[1] if argv[1] in ("-bleg", "-both") else None
    rest = argv[2:] if leg else argv[1:]
    if not rest:
        return "-ERR\n"
    dest, dialplan = rest[0], rest[1] if len(rest) > 1 else "XML"
    context = rest[2] if len(rest) > 2 else None
    targets = [channel]
    if leg and channel.bridged_to is not None:
        targets = [channel.bridged_to] if leg == "-bleg" else [channel, channel.bridged_to]
    for target in targets:
        if dialplan == "inline":
            steps = [tuple(s.split(":", 1)) if ":" in s else (s, "") for s in dest.split(",")]
            target.interrupt(("extension", steps))
        else:
            target.interrupt(("transfer", dest, context))
    return "+OK\n"


@command("uuid_bridge")
async def uuid_bridge(switch: StandinSwitch, args: str) -> str:
    """Bridge two existing channels."""
    argv = args.split()
    if len(argv) < 2:
        return "-USAGE: <uuid> <other_uuid>\n"
    a, b = _channel(switch, argv[0]), _channel(switch, argv[1])
    if a is None or b is None or not a.up or not b.up:
        return "-ERR Invalid uuid\n"
    a.interrupt(("bridge", b, True))
    b.interrupt(("bridge", a, False))
    return f"+OK {b.uuid}\n"


@command("uuid_broadcast")
async def uuid_broadcast(switch: StandinSwitch, args: str) -> str:
    """Queue a playback (or ``app::args``) on a channel."""
    argv = args.split(" ", 1)
    channel = _channel(switch, argv[0])
    if channel is None or len(argv) < 2:
        return "-ERR invalid uuid\n"
    what = argv[1].rsplit(" ", 1)
    path = what[0] if len(what) > 1 and what[1] in ("aleg", "bleg", "both") else argv[1]
    app, arg = ("playback", path)
    if "::" in path:
        app, arg = path.split("::", 1)
    channel.queue_message([("call-command", "execute"), ("execute-app-name", app),
                           ("execute-app-arg", arg)], None)
    return "+OK Message sent\n"


@command("uuid_recv_dtmf")
async def uuid_recv_dtmf(switch: StandinSwitch, args: str) -> str:
    """Inject digits as if the caller pressed them."""
    uuid, _, digits = args.partition(" ")
    channel = _channel(switch, uuid)
    if channel is None:
        return NO_CHANNEL
    for digit in digits.strip():
        channel.add_dtmf(digit, source="APP", duration=2000)
    return f"+OK {uuid} received DTMF {digits.strip()}."


@command("uuid_record")
async def uuid_record(switch: StandinSwitch, args: str) -> str:
    """``<uuid> start|stop|pause|resume|mask|unmask <path> [<limit>]``."""
    argv = args.split()
    if len(argv) < 3:
        return "-USAGE: <uuid> [start|stop|mask|unmask|pause|resume] <path> [<limit>]\n"
    channel = _channel(switch, argv[0])
    if channel is None:
        return "-ERR Cannot locate session!\n"
    limit = float(argv[3]) if len(argv) > 3 and argv[1].lower() == "start" else None
    return record_command(channel, argv[1].lower(), argv[2], limit)


@command("show")
async def show(switch: StandinSwitch, args: str) -> str:
    """``show channels|calls|registrations|bridged_calls|detailed_calls [count] [as json]``."""
    return queries.show(switch, args)


@command("sofia")
async def sofia(switch: StandinSwitch, args: str) -> str:
    """``sofia status`` and ``sofia xmlstatus``."""
    return queries.sofia(switch, args)


@command("sofia_contact")
async def sofia_contact(switch: StandinSwitch, args: str) -> str:
    """The contact of a registered user, or ``error/user_not_registered``."""
    user = args.strip().split("/")[-1].split("@")[0]
    sip = switch.directory.users.get(user)
    if sip is None or not sip.registered:
        return "error/user_not_registered"
    return sip.dial_url
