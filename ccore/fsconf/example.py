"""The project's example configuration: the starter center, rendered, secrets blanked out.

``python -m ccore.fsconf.example freeswitch-conf/example`` regenerates it; a test checks it is
what the renderer produces today. The example documents the layout; a real center renders
its own (``ccore conf render``), with its own generated passwords.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from ccore.config import load_center
from ccore.fsconf.render import build_files, write_files
from ccore.fsconf.secrets import read_sip_passwords
from ccore.starter import write_starter_center

PLACEHOLDER = "GENERATED-BY-ccore-conf-render"


def example_files() -> dict[str, str]:
    """Render the starter center and replace every generated secret by a placeholder."""
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch) / "center"
        write_starter_center(directory, name="Example Center")
        center = load_center(directory)
        files = build_files(center)
        secrets = [center.switch_password() or ""]
        for group in read_sip_passwords(center).values():
            secrets.extend(group.values())
    result = {}
    for name, text in files.items():
        for secret in secrets:
            if secret:
                text = text.replace(secret, PLACEHOLDER)
        result[name] = text
    return result


def write_example(target: Path) -> None:
    """Write the example configuration into ``target``."""
    write_files(example_files(), target)


if __name__ == "__main__":
    write_example(Path(sys.argv[1] if len(sys.argv) > 1 else "freeswitch-conf/example"))
