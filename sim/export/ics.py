"""Visible passes as an iCalendar file (RFC 5545), one event per visible pass.

Deterministic: the UID is built from the station, the object and the visible start; DTSTAMP (a
required field, "when this was created") is the epoch of the element set behind the pass, the
moment the prediction's data existed. Same passes -> byte-identical file.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

from ..localtime import get_zone
from ..names import slug
from ..passes import compass_point
from ..times import human_time, jd_to_datetimes
from .atomic import atomic_writer

PRODID = "-//sim-orbital-replay//visible passes//EN"


def _utc(jd: float) -> datetime:
    return jd_to_datetimes(math.floor(jd), jd % 1, 0)[0].astimezone(UTC)


def _direction(el_deg: float, az_deg: float) -> str:
    return f"{el_deg:.0f}° above {compass_point(az_deg)} ({az_deg:.0f}°)"


def pass_event(p, object_name: str = "ISS"):
    """One ``icalendar.Event`` for a visible pass."""
    from icalendar import Event

    zone = get_zone(p.timezone)
    start, end = p.visible_start_jd, p.visible_end_jd
    mag = f", mag {p.peak_magnitude:.1f}" if p.peak_magnitude is not None else ""
    ev = Event()
    ev.add(
        "uid",
        f"{slug(object_name)}-{slug(p.station)}-{_utc(start):%Y%m%dT%H%M%SZ}@sim-orbital-replay",
    )
    ev.add("dtstamp", datetime.fromisoformat(p.element_set_epoch_utc.replace("Z", "+00:00")))
    ev.add("dtstart", _utc(start))
    ev.add("dtend", _utc(end))
    ev.add(
        "summary", f"{object_name} visible from {p.station}: max {p.max_elevation_deg:.0f}°{mag}"
    )
    lines = [
        f"Appears {human_time(math.floor(start), start % 1, zone)}, "
        f"{_direction(p.visible_start_elevation_deg, p.visible_start_azimuth_deg)}.",
        f"Highest {human_time(math.floor(p.culmination_jd), p.culmination_jd % 1, zone)}, "
        f"{_direction(p.max_elevation_deg, p.culmination_azimuth_deg)}.",
        f"Disappears {human_time(math.floor(end), end % 1, zone)}, "
        f"{_direction(p.visible_end_elevation_deg, p.visible_end_azimuth_deg)}.",
        "Magnitude is an estimate (diffuse-sphere model), not a measurement. "
        f"Predicted from the element set of {p.element_set_epoch_utc}.",
    ]
    if p.culmination_jd < start or p.culmination_jd > end:
        lines[1] = lines[1].replace("Highest", "Highest (outside the visible part)")
    ev.add("description", "\n".join(lines))
    ev.add("location", p.station)
    ev.add("transp", "TRANSPARENT")
    return ev


def ics_bytes(passes, object_name: str = "ISS") -> bytes:
    """The calendar of the visible passes among ``passes``, in time order."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{object_name} visible passes")
    for p in sorted((p for p in passes if p.visible), key=lambda p: p.visible_start_jd):
        cal.add_component(pass_event(p, object_name))
    return cal.to_ical()


def write_ics(passes, path, object_name: str = "ISS") -> int:
    """Write the visible passes to ``path``; returns how many events were written."""
    data = ics_bytes(passes, object_name)
    with atomic_writer(Path(path), "wb") as f:
        f.write(data)
    return sum(1 for p in passes if p.visible)
