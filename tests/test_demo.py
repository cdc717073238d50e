"""``ccore demo --headless``: the demo center runs real calls and prints a summary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ccore.demo import demo_headless


async def test_headless_demo_handles_callers_end_to_end(tmp_path: Path) -> None:
    summary = await demo_headless(tmp_path / "demo", seconds=6.0, seed=3, speed=20.0)
    assert summary.offered >= 5
    assert summary.answered >= 1
    assert summary.answered + summary.abandoned + summary.in_progress <= summary.offered
    assert summary.average_wait >= 0.0
    # The center's own files are real: configuration rendered, events journaled.
    assert (tmp_path / "demo" / "freeswitch" / "freeswitch.xml").is_file()
    assert (tmp_path / "demo" / "data" / "ccore.sqlite").is_file()


def test_demo_command_prints_the_summary(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ccore.cli", "demo", "--headless", "--seconds", "4",
         "--speed", "20", "--dir", str(tmp_path / "center")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(":", 1) for line in result.stdout.strip().splitlines())
    assert set(lines) >= {"calls offered", "answered", "abandoned", "called back", "average wait"}
    assert int(lines["calls offered"]) > 0


def test_ctrl_c_stops_the_headless_demo_cleanly(tmp_path: Path) -> None:
    import signal
    import time

    demo = subprocess.Popen(
        [sys.executable, "-m", "ccore.cli", "demo", "--headless", "--seconds", "60",
         "--dir", str(tmp_path / "center")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "center" / "data" / "ccore.sqlite").exists():  # the center runs
        assert time.monotonic() < deadline and demo.poll() is None
        time.sleep(0.1)
    time.sleep(1.0)
    demo.send_signal(signal.SIGINT)
    _, stderr = demo.communicate(timeout=30)
    assert demo.returncode == 130
    assert "Traceback" not in stderr
