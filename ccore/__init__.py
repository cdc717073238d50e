"""ccore: a call-center core on FreeSWITCH, with plugins and a terminal UI."""

__version__ = "0.1.0"
