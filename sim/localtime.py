"""Local time zones of observers, found offline.

A station's zone comes from its coordinates through ``timezonefinder`` (its polygons ship in the
wheel; nothing is downloaded), unless the scenario or ``--tz`` names one. Conversions use
``zoneinfo`` with the ``tzdata`` package, so they work on machines without a system zone
database. Points at sea get the nautical zone ``Etc/GMT±N`` (note the POSIX sign: ``Etc/GMT-12``
is twelve hours *ahead* of UTC), which is what timezonefinder returns there.
"""

from __future__ import annotations

import functools
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import SimError

UTC_NAMES = ("UTC", "Z", "Etc/UTC")


@functools.cache
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_name_at(lat_deg: float, lon_deg: float) -> str:
    """IANA zone name at a place, offline; ``Etc/GMT±N`` at sea (by longitude when the finder
    has no answer, e.g. at the poles' edges)."""
    lon = (float(lon_deg) + 180.0) % 360.0 - 180.0
    name = _finder().timezone_at(lat=float(lat_deg), lng=lon)
    if name:
        return name
    hours = round(lon / 15.0)
    return "Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


@functools.cache
def get_zone(name: str, where: str = "timezone") -> tzinfo:
    """A ``tzinfo`` for an IANA name (``Europe/Minsk``, ``UTC``); a SimError names a bad one."""
    if not isinstance(name, str) or not name.strip():
        raise SimError(f"{where}: expected an IANA time zone name such as 'Europe/Minsk'")
    text = name.strip()
    if text.upper() in ("UTC", "Z"):
        text = "UTC"
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise SimError(
            f"{where}: {name!r} is not a known time zone (expected an IANA name such as "
            "'Europe/Minsk', 'Etc/GMT-3' or 'UTC')"
        ) from None


__all__ = ["UTC_NAMES", "get_zone", "zone_name_at"]
