"""When a propagated instant can be trusted: the one rule every command and the API use.

* Instants more than ``max_age_days`` from the element set in force are *warned* about
  (:meth:`sim.elements.Catalogue.age_warnings`).
* Instants more than ``max_extrapolation_days`` (default :data:`MAX_EXTRAPOLATION_DAYS`) from
  the set in force, outside DE421's range, or where SGP4 returns a state no orbiting object can
  have although its error code is 0, are *refused* with a :class:`~sim.errors.TimeSpanError`
  naming the span and the set (:meth:`sim.elements.Catalogue.teme` checks every call).
* A job whose arrays would not fit in memory is refused before it starts, with the estimate.
"""

from __future__ import annotations

import math
import os
import resource

from ..errors import TimeSpanError

#: DE421 (the Sun and the Earth for sunlight) covers 1899-07-29 to 2053-10-09 (TDB). Instants
#: are kept a day inside, so the Sun table's margins and TDB - UTC never reach past the ends.
DE421_FIRST_JD = 2414864.5
DE421_LAST_JD = 2471184.5
FIRST_USABLE_JD = DE421_FIRST_JD + 1.0
LAST_USABLE_JD = DE421_LAST_JD - 1.0

#: Default hard limit: farther than this from the set in force, a replay is refused. SGP4's
#: along-track error grows to hundreds of km within weeks for the ISS; a month is already fiction
#: for timing a pass.
MAX_EXTRAPOLATION_DAYS = 30.0

WGS84_POLAR_RADIUS_KM = 6356.752
#: Below 80 km above the polar radius (so below 80 km at any latitude) an object has re-entered;
#: SGP4 itself reports decay only below the Earth's surface. Such instants become failures
#: (code 6, decayed) like SGP4's own.
MIN_RADIUS_KM = WGS84_POLAR_RADIUS_KM + 80.0
#: Beyond the Earth's Hill sphere (about 1.5 million km) nothing stays in orbit around it. Real
#: highly eccentric orbits reach far out (TESS: 375,000 km; Vallado's test set: 152,000 km).
MAX_RADIUS_KM = 1_500_000.0
#: Faster than escape speed at the Earth's surface (11.2 km/s): not a bound orbit.
MAX_SPEED_KM_S = 12.0
DECAYED = 6  #: SGP4's error code for a decayed satellite

#: Bytes one sample of a propagated track holds at its peak (vectors, angles, temporaries).
#: Measured with tracemalloc: a peak of about 290 bytes per sample for ``propagate`` (864,001
#: samples); 400 leaves room for what is computed from the track afterwards.
BYTES_PER_SAMPLE = 400


def check_instants(jd_min: float, jd_max: float) -> None:
    """Refuse instants that are not finite or lie outside DE421's range."""
    from ..times import jd_to_iso

    if not (math.isfinite(jd_min) and math.isfinite(jd_max)):
        raise TimeSpanError("an instant is not a finite date (NaN or infinity)")
    if jd_min < FIRST_USABLE_JD or jd_max > LAST_USABLE_JD:
        span = f"{_iso(jd_min)} to {_iso(jd_max)}" if jd_min != jd_max else _iso(jd_min)
        raise TimeSpanError(
            f"{span} lies outside DE421's range 1899-07-29..2053-10-09 (the Sun and Earth "
            f"ephemeris sim uses); choose instants from {jd_to_iso(FIRST_USABLE_JD, 0, 0)[:10]} "
            f"to {jd_to_iso(LAST_USABLE_JD, 0, 0)[:10]}"
        )


def _iso(jd: float) -> str:
    from ..times import jd_to_iso

    if not FIRST_USABLE_JD - 1e6 < jd < LAST_USABLE_JD + 1e6:  # beyond what datetime can show
        return f"Julian date {jd:.1f}"
    try:
        whole = float(int(jd))
        text = jd_to_iso(whole, jd - whole, 0)
    except (OverflowError, ValueError):
        return f"Julian date {jd:.1f}"
    year, rest = text.split("-", 1)
    return f"{int(year):04d}-{rest}"  # strftime leaves years before 1000 unpadded


def available_memory_bytes() -> int | None:
    """What this process may still allocate: the smaller of the address-space limit
    (``ulimit -v``) and the memory the system has available; None when unknown."""
    limits = []
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft)
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
                    break
    except (OSError, ValueError, IndexError):
        pass
    if not limits and hasattr(os, "sysconf"):
        try:
            limits.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError):
            pass
    return min(limits) if limits else None


def samples_in_span(start, end, step_s) -> int:
    """How many instants ``TimeGrid.span(start, end, step_s)`` would hold (0 when the span or
    the step is invalid: the grid itself then says why)."""
    from ..times import parse_utc

    try:
        span_s = (parse_utc(end, "end") - parse_utc(start, "start")).total_seconds()
        count = span_s / float(step_s)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return 0
    return int(count) + 2 if math.isfinite(count) and count > 0 else 0


def check_memory(samples: int, what: str, *, bytes_per_sample: int = BYTES_PER_SAMPLE) -> None:
    """Refuse a job of ``samples`` instants whose arrays would not fit in memory, saying how
    much it needs and how to make it smaller."""
    need = samples * bytes_per_sample
    have = available_memory_bytes()
    if have is not None and need > have:
        raise TimeSpanError(
            f"{what}: {samples:,} samples need about {need / 1e9:.1f} GB of memory, more than "
            f"the {have / 1e9:.1f} GB available; use a larger step or a shorter span"
        )
