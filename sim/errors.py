"""Errors raised for bad input.

Every message names the place (file and line, or scenario key), what was expected and what was
found. The command line prints the message on one line and exits with status 2.
"""


class SimError(Exception):
    """Bad input: the message says where and what."""


class TLEError(SimError):
    """A malformed or unusable element set (TLE or OMM)."""


class ScenarioError(SimError):
    """A scenario file with an unknown key, a wrong type or an impossible value."""


class TimeSpanError(SimError):
    """An impossible time span or grid (end before start, step zero, too many samples)."""


class OutputError(SimError):
    """An output place that cannot be written."""
