"""The local control API: how the terminal UI and third parties (CTI) talk to a running center.

JSON messages over a WebSocket on loopback, authenticated by a token kept in the center's data
directory. ``ControlServer`` runs inside the core; ``ControlClient`` is the Python client the
UI uses. The protocol is documented in ``docs/api.md``.
"""

from ccore.control.client import ControlClient, ControlError
from ccore.control.server import ControlServer
from ccore.control.token import ConnectionInfo, read_connection_info

__all__ = [
    "ConnectionInfo",
    "ControlClient",
    "ControlError",
    "ControlServer",
    "read_connection_info",
]
