"""The example in freeswitch-conf/ is what the renderer produces for the starter center."""

from __future__ import annotations

from pathlib import Path

from ccore.fsconf import check_freeswitch_conf
from ccore.fsconf.example import PLACEHOLDER, example_files

EXAMPLE = Path(__file__).resolve().parent.parent / "freeswitch-conf" / "example"


def test_example_is_up_to_date_with_the_renderer() -> None:
    expected = example_files()
    on_disk = {p.relative_to(EXAMPLE).as_posix(): p.read_text(encoding="utf-8")
               for p in EXAMPLE.rglob("*.xml")}
    assert sorted(on_disk) == sorted(expected), "run: python -m ccore.fsconf.example"
    for name, text in expected.items():
        assert on_disk[name] == text, f"{name} is stale; run: python -m ccore.fsconf.example"


def test_example_checks_clean_and_shows_no_real_secret() -> None:
    assert check_freeswitch_conf(EXAMPLE) == []
    socket = (EXAMPLE / "autoload_configs" / "event_socket.conf.xml").read_text()
    assert f'name="password" value="{PLACEHOLDER}"' in socket
