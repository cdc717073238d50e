"""The ``ccore`` command."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every ``ccore`` sub-command."""
    parser = argparse.ArgumentParser(prog="ccore", description="A call-center core on FreeSWITCH")
    parser.add_subparsers(dest="command", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``ccore`` command line."""
    parser = build_parser()
    args = parser.parse_args(argv)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
