#!/bin/sh
# ccore's setup in one script: it makes .venv and installs the project on first use
# (and again whenever pyproject.toml changes), then runs what you asked for.
#   ./dev.sh demo   - the demo center: stand-in switch, simulated callers and agents, live UI
#   ./dev.sh test   - the test suite (what CI runs)
#   ./dev.sh <any ccore arguments>
set -eu
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.installed-from
want=$(cat pyproject.toml | "$PY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    echo "Installing ccore and its dependencies into $VENV (log: $VENV/install.log)..." >&2
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
           "$VENV/bin/python" -m pip install -e ".[test]"; } > "$VENV/install.log" 2>&1; then
        cat "$VENV/install.log" >&2
        echo "Installation failed; the log is above and in $VENV/install.log." >&2
        exit 1
    fi
    echo "$want" > "$STAMP"
fi
cmd=${1:-demo}
[ $# -gt 0 ] && shift
case "$cmd" in
    test)
        "$VENV/bin/ruff" check ccore plugins tui tests benchmarks
        "$VENV/bin/lint-imports"
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        exec "$VENV/bin/ccore" "$cmd" "$@"
        ;;
esac
