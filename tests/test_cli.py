"""The ``ccore`` command line: init, plugins, conf render/check, and clear config errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ccore.cli import main


def run_ccore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ccore.cli", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_init_writes_a_starter_center_and_refuses_to_overwrite(tmp_path: Path) -> None:
    center = tmp_path / "acme"
    assert main(["init", str(center), "--name", "Acme"]) == 0
    text = (center / "center.toml").read_text(encoding="utf-8")
    assert 'name = "Acme"' in text and text.lstrip().startswith("#")
    assert main(["init", str(center)]) == 1


def test_plugins_lists_built_in_plugins_with_version_and_state(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "c")]) == 0
    result = run_ccore("plugins", "--center", str(tmp_path / "c"))
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    for name in ("agents", "routing", "ivr"):
        assert rows[name][1] == "0.1.0", rows[name]
        assert rows[name][2] == "loaded", rows[name]


def test_a_config_error_names_file_line_and_key(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "c")]) == 0
    path = tmp_path / "c" / "center.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'strategy = "longest-idle"', 'strategy = "fastest"'
        ),
        encoding="utf-8",
    )
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if "fastest" in text
    )
    result = run_ccore("plugins", "--center", str(tmp_path / "c"))
    assert result.returncode == 2
    assert f"center.toml:{line}: queues[0].strategy" in result.stderr
    assert "Traceback" not in result.stderr


def test_conf_render_then_check_is_clean(tmp_path: Path) -> None:
    center = tmp_path / "c"
    assert main(["init", str(center)]) == 0
    assert main(["conf", "render", "--center", str(center)]) == 0
    assert (center / "freeswitch" / "freeswitch.xml").is_file()
    assert main(["conf", "check", "--center", str(center)]) == 0


def test_conf_check_reports_a_broken_file_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    center = tmp_path / "c"
    main(["init", str(center)])
    main(["conf", "render", "--center", str(center)])
    public = center / "freeswitch" / "dialplan" / "public.xml"
    public.write_text(public.read_text().replace("</include>", "<include>"), encoding="utf-8")
    capsys.readouterr()
    assert main(["conf", "check", "--center", str(center)]) == 1
    out = capsys.readouterr().out
    assert "public.xml:" in out


def test_conf_check_reports_a_missing_prompt_file_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    center = tmp_path / "c"
    main(["init", str(center)])
    path = center / "center.toml"
    text = path.read_text(encoding="utf-8").replace(
        'greeting = "tone:beep"', 'greeting = "prompts/welcome.wav"'
    )
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "welcome.wav" in t)
    main(["conf", "render", "--center", str(center)])
    capsys.readouterr()
    assert main(["conf", "check", "--center", str(center)]) == 1
    out = capsys.readouterr().out
    assert f"center.toml:{line}: ivr.main.greeting" in out
