"""``render_freeswitch_conf``: write a center's complete FreeSWITCH configuration directory.

Rendering is deterministic: the same center.toml and the same stored secrets give the same
bytes (sorted, no timestamps). Files that a previous render wrote and this one does not (an
operator removed from center.toml, a trunk gone) are deleted. A directory that ccore did not
render is never written into, so a stock ``/etc/freeswitch`` cannot be clobbered by mistake.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from ccore.fsconf import core_files, sip
from ccore.fsconf.dialplan import dialplan_files
from ccore.fsconf.directory import directory_files
from ccore.fsconf.errors import FsConfError
from ccore.fsconf.inputs import RenderInputs

if TYPE_CHECKING:
    from ccore.config import CenterConfig


log = logging.getLogger(__name__)

MARKER = ".ccore-rendered"
MARKER_TEXT = "Rendered by `ccore conf render` from center.toml; edits here are lost.\n"
MANAGED_DIRS = ("autoload_configs", "sip_profiles", "directory", "dialplan", "lang")
FILE_MODE = 0o640  # holds passwords: readable by the owner and FreeSWITCH's group only
DIR_MODE = 0o750


def default_conf_dir(center: CenterConfig) -> Path:
    """Where ``ccore conf render`` writes by default: ``[switch] conf_dir`` in the center."""
    conf_dir = Path(center.model.switch.conf_dir)
    return conf_dir if conf_dir.is_absolute() else Path(center.directory) / conf_dir


def rendered_dialplan_path(conf_dir: Path) -> Path:
    """The directory holding the rendered dialplan files (``public.xml``, ``default.xml``)."""
    return Path(conf_dir) / "dialplan"


def build_files(center: CenterConfig) -> dict[str, str]:
    """Return every file of the configuration by relative path, without writing anything."""
    inputs = RenderInputs(center)
    files: dict[str, str] = {
        "freeswitch.xml": core_files.freeswitch_xml(),
        "vars.xml": core_files.vars_xml(inputs),
        "autoload_configs/modules.conf.xml": core_files.modules_conf(inputs),
        "autoload_configs/switch.conf.xml": core_files.switch_conf(inputs),
        "autoload_configs/console.conf.xml": core_files.console_conf(),
        "autoload_configs/logfile.conf.xml": core_files.logfile_conf(),
        "autoload_configs/event_socket.conf.xml": core_files.event_socket_conf(inputs),
        "autoload_configs/acl.conf.xml": core_files.acl_conf(),
        "autoload_configs/local_stream.conf.xml": core_files.local_stream_conf(),
        "autoload_configs/sofia.conf.xml": sip.sofia_conf(),
        "sip_profiles/internal.xml": sip.internal_profile(),
        "sip_profiles/external.xml": sip.external_profile(inputs),
        "lang/en/en.xml": core_files.language_en(),
    }
    if inputs.voicemail_used:
        files["autoload_configs/voicemail.conf.xml"] = core_files.voicemail_conf()
    for trunk in inputs.trunks:
        files[f"sip_profiles/external/{trunk.name}.xml"] = sip.gateway(inputs, trunk)
    files.update(directory_files(inputs))
    files.update(dialplan_files(inputs))
    return dict(sorted(files.items()))


def _check_target(out_dir: Path) -> None:
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise FsConfError(f"{out_dir} exists and is not a directory")
    if (out_dir / MARKER).exists() or not any(out_dir.iterdir()):
        return
    raise FsConfError(
        f"{out_dir} is not empty and was not rendered by ccore; render into an empty"
        " directory (or remove it) so no other configuration is overwritten"
    )


def _stale_files(out_dir: Path, keep: set[str]) -> list[Path]:
    stale: list[Path] = []
    for top in ("freeswitch.xml", "vars.xml"):
        if top not in keep and (out_dir / top).exists():
            stale.append(out_dir / top)
    for managed in MANAGED_DIRS:
        base = out_dir / managed
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.xml")):
            if path.relative_to(out_dir).as_posix() not in keep:
                stale.append(path)
    return stale


def _write(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        os.chmod(path, FILE_MODE)
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        os.write(descriptor, data)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)


def write_files(files: dict[str, str], out_dir: Path) -> None:
    """Write ``files`` into ``out_dir``, deleting files an earlier render left behind."""
    _check_target(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    (out_dir / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    for stale in _stale_files(out_dir, set(files)):
        log.info("removing %s (no longer in center.toml)", stale.relative_to(out_dir))
        stale.unlink()
    for relative, text in files.items():
        _write(out_dir / relative, text)
    directories = {out_dir}
    for relative in files:
        directories.update((out_dir / relative).parents)
    for directory in sorted(d for d in directories if d == out_dir or out_dir in d.parents):
        # Keep a set-group-ID bit the admin set, so new files stay in FreeSWITCH's group.
        os.chmod(directory, DIR_MODE | (directory.stat().st_mode & stat.S_ISGID))


def render_freeswitch_conf(center: CenterConfig, out_dir: Path | None = None) -> Path:
    """Render the center's FreeSWITCH configuration into ``out_dir`` and return its path.

    ``out_dir`` defaults to ``[switch] conf_dir`` inside the center (``freeswitch/``).
    Generated secrets are created once in the center's data directory (0600) and kept.
    """
    target = Path(out_dir) if out_dir is not None else default_conf_dir(center)
    files = build_files(center)
    write_files(files, target)
    log.info("rendered %d FreeSWITCH configuration files into %s", len(files), target)
    return target
