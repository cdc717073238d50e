"""Errors of the FreeSWITCH configuration renderer."""

from __future__ import annotations


class FsConfError(Exception):
    """The configuration cannot be rendered; the message says what to fix (never a secret)."""
