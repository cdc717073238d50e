"""FreeSWITCH configuration rendered from center.toml, and its checker (``ccore conf``)."""

from __future__ import annotations

from ccore.fsconf.check import ConfProblem, check_freeswitch_conf
from ccore.fsconf.errors import FsConfError
from ccore.fsconf.preprocess import expand_config, load_expanded_dialplan
from ccore.fsconf.render import default_conf_dir, render_freeswitch_conf, rendered_dialplan_path
from ccore.fsconf.secrets import read_event_socket_password, read_sip_passwords

__all__ = [
    "ConfProblem",
    "FsConfError",
    "check_freeswitch_conf",
    "default_conf_dir",
    "expand_config",
    "load_expanded_dialplan",
    "read_event_socket_password",
    "read_sip_passwords",
    "render_freeswitch_conf",
    "rendered_dialplan_path",
]
